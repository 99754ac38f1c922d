/**
 * FFmpeg 8.0.1's libraries as the JavaCPP presets ship them ({@code org.bytedeco:ffmpeg 8.0.1-1.5.13} with its
 * {@code linux-x86_64} natives, {@code org.bytedeco:javacpp 1.5.13}): loading them once and saying whether they
 * loaded ({@link videollama.loader.ffmpeg.Ffmpeg}), catching their log ({@link videollama.loader.ffmpeg.FfmpegLog}),
 * reading packets of one stream of a file ({@link videollama.loader.ffmpeg.MediaInput}) and decoding them
 * ({@link videollama.loader.ffmpeg.Decoder}). The frames and samples made of them are in {@code loader.video}
 * ({@code FfmpegVideo}, {@code FfmpegPictures}) and {@code loader.audio} ({@code FfmpegAudioSource}).
 *
 * <p>Licence: this FFmpeg build is the presets' LGPL one, configured with {@code --enable-version3} and without
 * {@code --enable-gpl} (so "LGPL version 3 or later", as {@code avcodec_license()} says at run time; the jar's
 * META-INF names no licence); the presets' other build, classifier {@code linux-x86_64-gpl}, is GPL and not used.
 * The JavaCPP presets' Java code is Apache License 2.0 (or GPLv2 with the Classpath exception).
 */
package videollama.loader.ffmpeg;
