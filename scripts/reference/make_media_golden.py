#!/usr/bin/env python3
"""Fixtures and golden data for the FFmpeg media path (loader module: containers and codecs beyond H.264/AAC).

Writes
* testdata/media/*          small media made with Debian's `ffmpeg` command (5.1), the command lines below:
                            videos in AVI (MPEG-4 Part 2 with B-frames + MP3, like MSVD's clips), WebM (VP9 + Opus),
                            MP4 (HEVC with open GOPs and B-frames + AAC), Matroska (AV1 through libaom + Vorbis), a
                            phone-style MOV (H.264 + AAC, track header matrix turned 90 degrees), 10-bit HEVC and
                            4:4:4 H.264; sounds: MP3 (LAME, gapless header), 24-bit FLAC, 5.1 AAC;
* testdata/golden/media/expected.json:
    - per video: codec, pixel format, packets of the video stream (decord 0.6.0's frame count: IndexKeyframes counts
      the stream's packets), frames decoded (asserted equal), average fps (the stream's avg_frame_rate, decord's
      get_avg_fps), rotation (decord: -av_display_rotation_get of the display matrix, modulo 360), the sampled
      indices for 8 and 32 frames with their timestamp sentences, and the 224x224 RGB24 frames at those indices
      as make_frame_golden.py makes them ([transpose,]scale=224:224:flags=bilinear,format=rgb24 on PyAV's FFmpeg,
      frames sorted by presentation time), decoded with AV_CODEC_FLAG_BITEXACT (which changes nothing for H.264,
      HEVC, VP9 and AV1, and makes MPEG-4 Part 2's inverse DCT the same on every CPU and FFmpeg release): SHA-256 of every sampled frame (8 and 32), 4x4 block means of the 8,
      and a PNG strip of a few;
    - per sound (every sound track of the videos and the sound files): codec, rate, channels and layout, samples
      a channel after FFmpeg's decode (encoder delay and padding trimmed as libavformat/libavcodec trim them);
* testdata/golden/media/<case>.pcm.safetensors: `pcm` F32 [channels, samples], FFmpeg's whole decode converted to
  float32 planar by libswresample (what torchaudio.load's FFmpeg reader returns), channels in FFmpeg's order;
* testdata/golden/media/<case>.safetensors: the clip times and the normalised fbank of that PCM, in the format of
  testdata/golden/audio (make_audio_golden.py's `case`, run by Debian's python3-torchaudio 0.13.1 with
  torchaudio.load answering with the PCM above); metadata torchaudio_load says how torchaudio.load's own decode of
  the file compares (it reads MP3 and FLAC through sox, not FFmpeg).

Run from anywhere with the reference venv (PyAV 18.1 bundles FFmpeg 8.1); it reruns itself under
/usr/bin/python3 for the fbank step:

    /tmp/pyref/bin/python scripts/reference/make_media_golden.py
"""

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / "testdata" / "media"
GOLDEN = ROOT / "testdata" / "golden" / "media"
sys.path.insert(0, str(Path(__file__).resolve().parent))

FFMPEG = ["ffmpeg", "-v", "error", "-y", "-nostdin"]
BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]


def lavfi(spec):
    return ["-f", "lavfi", "-i", spec]


# name -> ffmpeg arguments between the command and the output file
VIDEOS = {
    # MSVD's clips: AVI with MPEG-4 Part 2 (XviD-style, B-frames: decode and presentation order differ) and MP3.
    "mpeg4-mp3.avi": lavfi("testsrc2=s=160x120:r=25:d=2") + lavfi("sine=f=440:r=22050:d=2")
    + ["-c:v", "mpeg4", "-vtag", "XVID", "-bf", "2", "-g", "12", "-q:v", "14",
       "-c:a", "libmp3lame", "-b:a", "32k", "-ac", "1"],
    # YouTube-style WebM: VP9 and Opus (the sound shorter than the pictures keeps the PCM golden small).
    "vp9-opus.webm": lavfi("testsrc2=s=160x120:r=30:d=2") + lavfi("sine=f=330:r=48000:d=1")
    + ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "50", "-g", "15", "-deadline", "good", "-cpu-used", "5",
       "-c:a", "libopus", "-b:a", "24k", "-ac", "1"],
    # Phone-style HEVC in MP4: x265's defaults (open GOPs: a CRA with leading pictures, B-frames) and AAC.
    "hevc-aac.mp4": lavfi("testsrc2=s=160x120:r=24:d=2") + lavfi("sine=f=550:r=44100:d=1")
    + ["-c:v", "libx265", "-preset", "fast", "-x265-params", "keyint=24:crf=36:log-level=error", "-tag:v", "hvc1",
       "-c:a", "aac", "-b:a", "32k", "-ac", "1"],
    # AV1 in Matroska (the JavaCPP build decodes it with libaom) and Vorbis; AV1 frames shown again are 3-byte packets.
    "av1-vorbis.mkv": lavfi("testsrc2=s=160x120:r=15:d=2") + lavfi("sine=f=660:r=22050:d=2")
    + ["-c:v", "libaom-av1", "-crf", "55", "-cpu-used", "8", "-g", "15", "-c:a", "libvorbis", "-q:a", "0", "-ac", "1"],
    # A phone's MOV: H.264 with B-frames and AAC; the track header matrix is then turned 90 degrees (rotate_tkhd).
    "phone-rotated.mov": lavfi("testsrc2=s=160x96:r=30:d=1") + lavfi("sine=f=880:r=48000:d=1")
    + ["-c:v", "libx264", "-preset", "fast", "-crf", "32", "-g", "10", "-bf", "2", "-c:a", "aac", "-b:a", "32k",
       "-ac", "1"],
    # Pixel formats the Java scaler does not take: 10-bit 4:2:0 and 8-bit 4:4:4.
    "hevc-main10.mkv": lavfi("testsrc2=s=128x96:r=25:d=1")
    + ["-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-preset", "fast", "-x265-params",
       "keyint=10:crf=34:log-level=error"],
    "h264-yuv444.mp4": lavfi("testsrc2=s=128x96:r=25:d=1")
    + ["-c:v", "libx264", "-pix_fmt", "yuv444p", "-preset", "fast", "-crf", "32", "-g", "10"],
}
ROTATED = {"phone-rotated.mov": 90}
# Frames of the 8 sampled ones kept as full PNGs (positions in indices8).
PNG_FRAMES = {"mpeg4-mp3.avi": [3], "vp9-opus.webm": [2], "hevc-aac.mp4": [1], "av1-vorbis.mkv": [5],
              "phone-rotated.mov": [4], "hevc-main10.mkv": [2], "h264-yuv444.mp4": [6]}

SOUNDS = {
    # LAME writes a gapless header (encoder delay and padding), which FFmpeg's MP3 demuxer trims.
    "tone-44k.mp3": lavfi("aevalsrc=0.5*sin(2*PI*(300+800*t)*t):s=44100:d=1")
    + ["-c:a", "libmp3lame", "-b:a", "64k", "-ac", "1"],
    # 24-bit FLAC (decoded to 32-bit integers, then to float by libswresample).
    "sweep-48k-s24.flac": lavfi("aevalsrc=0.6*sin(2*PI*(100+6000*t)*t)|0.3*sin(2*PI*1500*t)-0.05:s=48000:d=0.5")
    + ["-c:a", "flac", "-sample_fmt", "s32", "-bits_per_raw_sample", "24"],
    # 5.1 AAC: the bitstream's channel order (C, L/R, Ls/Rs, LFE) comes out in FFmpeg's (FL FR FC LFE BL BR).
    "surround-5.1.m4a": lavfi("aevalsrc=0.3*sin(2*PI*200*t)|0.3*sin(2*PI*300*t)|0.3*sin(2*PI*400*t)"
                              "|0.3*sin(2*PI*60*t)|0.2*sin(2*PI*700*t)|0.2*sin(2*PI*900*t):s=32000:d=0.4")
    + ["-channel_layout", "5.1", "-c:a", "aac", "-b:a", "96k"],
}


def make_media():
    from make_frame_golden import rotate_tkhd
    MEDIA.mkdir(parents=True, exist_ok=True)
    for name, args in {**VIDEOS, **SOUNDS}.items():
        target = MEDIA / name
        if name in ROTATED:
            target = MEDIA / ("unrotated-" + name)
        subprocess.run(FFMPEG + args + BITEXACT + [str(target)], check=True)
        if name in ROTATED:
            rotate_tkhd(target, MEDIA / name, ROTATED[name])
            target.unlink()


def ffprobe_rotation(path):
    """decord 0.6.0's GetRotation: -av_display_rotation_get(display matrix) modulo 360 (no 'rotate' tag here)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json",
                          str(path)], check=True, capture_output=True, text=True).stdout
    side = json.loads(out)["streams"][0].get("side_data_list", [])
    theta = 0.0
    for s in side:
        if "rotation" in s:
            theta = -float(s["rotation"])
    return int(theta % 360)


def video_case(name):
    import av
    from make_frame_golden import block_means, indices, resize, sentence, strip_png
    path = MEDIA / name
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate)
        codec = stream.codec_context.name
        packets = sum(1 for p in c.demux(stream) if p.size > 0)
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        stream.codec_context.options = {"flags": "+bitexact"}  # the IDCT of MPEG-4 Part 2 the same on every CPU
        frames = sorted(c.decode(stream), key=lambda f: f.pts)
        pix_fmt = frames[0].format.name
    assert len(frames) == packets, (name, len(frames), packets)
    rotation = ffprobe_rotation(path)
    assert rotation == ROTATED.get(name, 0), (name, rotation)
    idx8 = indices(len(frames), 8)
    idx32 = indices(len(frames), 32)
    case = {"file": name, "decoder": codec, "pix_fmt": pix_fmt, "packets": packets, "frames": len(frames), "fps": fps,
            "rotation": rotation, "indices8": idx8, "sentence8": sentence(idx8, fps), "indices32": idx32,
            "sentence32": sentence(idx32, fps), "sha256_8": [], "block_means8": [], "sha256_32": []}
    for key, idx in (("sha256_8", idx8), ("sha256_32", idx32)):
        for i in idx:
            img = resize(frames[i], stream, "bilinear", rotation)
            case[key].append(hashlib.sha256(img.tobytes()).hexdigest())
            if key == "sha256_8":
                case["block_means8"].append(block_means(img))
    picked = [idx8[k] for k in PNG_FRAMES[name]]
    png = f"{name.replace('.', '-')}.bilinear.png"
    strip_png(GOLDEN / png, [resize(frames[i], stream, "bilinear", rotation) for i in picked])
    case["bilinear"] = {"png": png, "indices": picked}
    print(f"{name}: {codec} {pix_fmt}, {packets} frames at {fps:.4g} fps, rotation {rotation}")
    return case


def sound_case(name, file):
    """FFmpeg's whole decode of the first sound track as float32 planar (libswresample: s16/s32 -> float)."""
    import av
    import numpy as np
    with av.open(str(MEDIA / file)) as c:
        stream = c.streams.audio[0]
        rate = stream.rate
        layout = stream.layout.name
        codec = stream.codec_context.name
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        chunks = []
        for frame in c.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    pcm = np.concatenate(chunks, axis=1).astype(np.float32)
    channels, samples = pcm.shape
    pcm_name = f"{name}.pcm.safetensors"
    write_pcm(GOLDEN / pcm_name, pcm, {"file": f"testdata/media/{file}", "decoder": codec, "sample_rate": rate,
                                       "layout": layout})
    print(f"{file}: {codec} {rate} Hz {layout}, {samples} samples a channel")
    return {"name": name, "file": file, "decoder": codec, "sample_rate": rate, "channels": channels, "layout": layout,
            "samples": samples, "pcm": pcm_name, "fbank": f"{name}.safetensors"}


def write_pcm(path, pcm, metadata):
    """One F32 tensor `pcm` in a safetensors file (make_audio_golden.py's writer needs torch, absent here)."""
    data = pcm.astype("<f4").tobytes()
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()},
              "pcm": {"dtype": "F32", "shape": list(pcm.shape), "data_offsets": [0, len(data)]}}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data)


def read_pcm(path):
    """The `pcm` tensor of a safetensors file that sound_case wrote (F32 only)."""
    import numpy as np
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    entry = json.loads(raw[8:8 + n])["pcm"]
    a, b = entry["data_offsets"]
    return np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(entry["shape"]).copy()


def fbank_step():
    """Under Debian's python3-torchaudio: make_audio_golden.py's case() on FFmpeg's PCM (not torchaudio.load's)."""
    import torch
    import make_audio_golden as mag

    meta = json.loads((GOLDEN / "expected.json").read_text())
    own_load = mag.torchaudio.load
    pcm_of = {}
    for s in meta["sounds"]:
        pcm_of[str(MEDIA / s["file"])] = torch.from_numpy(read_pcm(GOLDEN / s["pcm"]))
    mag.GOLDEN = GOLDEN
    for s in meta["sounds"]:
        path = MEDIA / s["file"]
        theirs, rate = own_load(str(path))
        ours = pcm_of[str(path)]
        if theirs.shape == ours.shape:
            s["torchaudio_load"] = f"same shape, max |difference| {float((theirs - ours).abs().max()):.3g}"
        else:
            s["torchaudio_load"] = f"shape {list(theirs.shape)} at {rate} Hz (FFmpeg: {list(ours.shape)})"
        mag.torchaudio.load = lambda p, s=s: (pcm_of[str(p)].clone(), s["sample_rate"])
        mag.case(s["name"], path)
        mag.torchaudio.load = own_load
        print(f"  torchaudio.load: {s['torchaudio_load']}")
    (GOLDEN / "expected.json").write_text(json.dumps(meta, indent=1) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fbank", action="store_true", help="the torchaudio step (run by the script itself)")
    args = ap.parse_args()
    if args.fbank:
        fbank_step()
        return
    import av
    GOLDEN.mkdir(parents=True, exist_ok=True)
    make_media()
    videos = [video_case(name) for name in VIDEOS]
    sounds = [sound_case(Path(name).stem, name) for name in VIDEOS if name not in ("hevc-main10.mkv",
                                                                                    "h264-yuv444.mp4")]
    sounds += [sound_case(Path(name).stem, name) for name in SOUNDS]
    meta = {"generator": "scripts/reference/make_media_golden.py", "av": av.__version__,
            "ffmpeg": {k: ".".join(map(str, v)) for k, v in av.library_versions.items()},
            "videos": videos, "sounds": sounds}
    (GOLDEN / "expected.json").write_text(json.dumps(meta, indent=1) + "\n")
    subprocess.run(["/usr/bin/python3", __file__, "--fbank"], check=True)


if __name__ == "__main__":
    main()
