package videollama.loader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a media file is, told cheaply from its bytes so that the Java decoders can refuse what they cannot read
 * with a line that names it: the container and, where the container names them near its start, the codecs of
 * the first video and sound tracks. Read: the first 64 KB (RIFF chunk headers, Matroska's DocType and CodecIDs,
 * Ogg's first packet, MP3/ID3 and FLAC signatures) and, for MP4/MOV, the {@code moov} box's sample entries.
 *
 * @param container "MP4/MOV", "Matroska", "WebM", "AVI", "WAV", "MP3", "FLAC", "Ogg", "AAC (ADTS)", or null when
 *                  unrecognised
 * @param video     the first video track's codec ("H.264", "HEVC", "VP9", ...), null if none was found
 * @param sound     the first sound track's codec ("AAC", "MP3", "Opus", ...), null if none was found
 */
public record MediaKind(String container, String video, String sound) {
    private static final int HEAD = 64 * 1024;
    /** A moov larger than this is not sniffed (its codecs are then left to the Java decoders to find). */
    private static final long MAX_MOOV = 64L << 20;

    /** Whether FFmpeg reads this container (true for everything recognised here). */
    public boolean recognised() {
        return container != null;
    }

    /** "WebM with VP9 video", "AVI", "MP4/MOV with MP3 sound": for messages. */
    public String describe(boolean withVideo, boolean withSound) {
        String name = container == null ? "unrecognised format" : container;
        if (withVideo && video != null) {
            return name + " with " + video + " video";
        }
        if (withSound && sound != null && !sound.equals(name)) {
            return name + " with " + sound + " sound";
        }
        return name;
    }

    /**
     * Sniffs a file.
     *
     * @throws IOException when the file cannot be read
     */
    public static MediaKind of(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        if (startsWith(head, 0, "RIFF") && head.length >= 12) {
            String form = ascii(head, 8, 4);
            return form.equals("AVI ") ? avi(head) : form.equals("WAVE") ? new MediaKind("WAV", null, "PCM")
                    : new MediaKind(null, null, null);
        }
        if (head.length >= 4 && b.getInt(0) == 0x1A45DFA3) {
            return matroska(head);
        }
        if (head.length >= 8 && isMp4Box(ascii(head, 4, 4))) {
            return mp4(file);
        }
        if (startsWith(head, 0, "fLaC")) {
            return new MediaKind("FLAC", null, "FLAC");
        }
        if (startsWith(head, 0, "OggS")) {
            String sound = contains(head, "OpusHead") ? "Opus" : contains(head, "vorbis") ? "Vorbis"
                    : contains(head, "FLAC") ? "FLAC" : null;
            String video = contains(head, "theora") ? "Theora" : null;
            return new MediaKind("Ogg", video, sound);
        }
        if (startsWith(head, 0, "ID3")) {
            // An ID3v2 tag (10 bytes, a synchsafe size, a footer if flagged) before MPEG audio or ADTS frames
            long tag = head.length < 10 ? 0 : 10 + ((head[6] & 0x7fL) << 21 | (head[7] & 0x7f) << 14 | (head[8] & 0x7f) << 7
                    | (head[9] & 0x7f)) + ((head[5] & 0x10) != 0 ? 10 : 0);
            ByteBuffer first = ByteBuffer.allocate(2);
            try (FileChannel channel = FileChannel.open(file)) {
                channel.read(first, tag);
            }
            boolean adts = first.position() == 2 && (first.get(0) & 0xff) == 0xff && (first.get(1) & 0xf6) == 0xf0;
            return adts ? new MediaKind("AAC (ADTS)", null, "AAC") : new MediaKind("MP3", null, "MP3");
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0xff && (head[1] & 0xf6) == 0xf0) {
            return new MediaKind("AAC (ADTS)", null, "AAC");
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0xff && (head[1] & 0xe0) == 0xe0) {
            return new MediaKind("MP3", null, "MP3");
        }
        return new MediaKind(null, null, null);
    }

    // ------------------------------------------------------------------------------------------------- AVI

    /** The stream headers: {@code strh} (type, handler fourcc) and, for sound, {@code strf}'s format tag. */
    private static MediaKind avi(byte[] head) {
        String video = null;
        String sound = null;
        for (int at = indexOf(head, "strh", 12); at >= 0 && at + 16 <= head.length; at = indexOf(head, "strh", at + 4)) {
            String type = ascii(head, at + 8, 4);
            if (type.equals("vids") && video == null) {
                String handler = ascii(head, at + 12, 4).toUpperCase(Locale.ROOT);
                video = switch (handler) {
                    case "XVID", "DIVX", "DX50", "FMP4", "MP4V", "DIV3", "MP42", "MP43" -> "MPEG-4 Part 2";
                    case "H264", "X264", "AVC1" -> "H.264";
                    case "MJPG" -> "Motion JPEG";
                    default -> quoted(handler.strip());
                };
            } else if (type.equals("auds") && sound == null) {
                int strf = indexOf(head, "strf", at + 8);
                if (strf >= 0 && strf + 10 <= head.length) {
                    int tag = (head[strf + 8] & 0xff) | (head[strf + 9] & 0xff) << 8;
                    sound = switch (tag) {
                        case 0x55 -> "MP3";
                        case 0x50 -> "MPEG audio Layer II";
                        case 0x2000 -> "AC-3";
                        case 0xff, 0x1610 -> "AAC";
                        case 0x1, 0x3 -> "PCM";
                        default -> "format 0x" + Integer.toHexString(tag);
                    };
                }
            }
        }
        return new MediaKind("AVI", video, sound);
    }

    // -------------------------------------------------------------------------------------------- Matroska

    /** DocType "webm" or "matroska", and the first V_/A_ CodecID strings (element 0x86). */
    private static MediaKind matroska(byte[] head) {
        String container = contains(head, "webm") ? "WebM" : "Matroska";
        String video = null;
        String sound = null;
        for (int i = 0; i + 2 < head.length; i++) {
            if ((head[i] & 0xff) != 0x86 || (head[i + 1] & 0x80) == 0) {
                continue;
            }
            int length = head[i + 1] & 0x7f; // a one-byte EBML size, as muxers write short CodecIDs
            if (i + 2 + length > head.length || length < 3) {
                continue;
            }
            String id = ascii(head, i + 2, length).strip();
            if (id.startsWith("V_") && video == null) {
                video = matroskaVideo(id);
            } else if (id.startsWith("A_") && sound == null) {
                sound = matroskaSound(id);
            }
        }
        return new MediaKind(container, video, sound);
    }

    private static String matroskaVideo(String id) {
        return switch (id) {
            case "V_MPEG4/ISO/AVC" -> "H.264";
            case "V_MPEGH/ISO/HEVC" -> "HEVC";
            case "V_VP9" -> "VP9";
            case "V_VP8" -> "VP8";
            case "V_AV1" -> "AV1";
            case "V_MPEG4/ISO/ASP", "V_MPEG4/ISO/SP", "V_MPEG4/ISO/AP", "V_MS/VFW/FOURCC" -> "MPEG-4 Part 2";
            case "V_MPEG2", "V_MPEG1" -> "MPEG-1/2 video";
            case "V_MJPEG" -> "Motion JPEG";
            case "V_THEORA" -> "Theora";
            default -> quoted(id);
        };
    }

    private static String matroskaSound(String id) {
        if (id.startsWith("A_AAC")) {
            return "AAC";
        }
        if (id.startsWith("A_PCM")) {
            return "PCM";
        }
        return switch (id) {
            case "A_OPUS" -> "Opus";
            case "A_VORBIS" -> "Vorbis";
            case "A_FLAC" -> "FLAC";
            case "A_MPEG/L3" -> "MP3";
            case "A_MPEG/L2" -> "MPEG audio Layer II";
            case "A_AC3" -> "AC-3";
            case "A_EAC3" -> "E-AC-3";
            case "A_DTS" -> "DTS";
            default -> quoted(id);
        };
    }

    // --------------------------------------------------------------------------------------------- MP4/MOV

    private static boolean isMp4Box(String type) {
        return switch (type) {
            case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot" -> true;
            default -> false;
        };
    }

    /** The first video and sound sample entries of {@code moov} (trak/mdia/hdlr and trak/mdia/minf/stbl/stsd). */
    private static MediaKind mp4(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            long at = 0;
            while (at + 8 <= size) {
                ByteBuffer header = ByteBuffer.allocate(16);
                channel.read(header, at);
                long boxSize = Integer.toUnsignedLong(header.getInt(0));
                String type = ascii(header.array(), 4, 4);
                int headerSize = 8;
                if (boxSize == 1) {
                    boxSize = header.getLong(8);
                    headerSize = 16;
                } else if (boxSize == 0) {
                    boxSize = size - at;
                }
                if (boxSize < headerSize) {
                    break;
                }
                if (type.equals("moov")) {
                    if (boxSize > MAX_MOOV || at + boxSize > size) {
                        break;
                    }
                    ByteBuffer moov = ByteBuffer.allocate((int) (boxSize - headerSize));
                    channel.read(moov, at + headerSize);
                    return moovKind(moov.array());
                }
                at += boxSize;
            }
        }
        return new MediaKind("MP4/MOV", null, null);
    }

    private static MediaKind moovKind(byte[] moov) {
        String video = null;
        String sound = null;
        for (int[] trak : children(moov, 0, moov.length, "trak")) {
            int[] mdia = first(moov, trak[0], trak[1], "mdia");
            int[] hdlr = mdia == null ? null : first(moov, mdia[0], mdia[1], "hdlr");
            int[] minf = mdia == null ? null : first(moov, mdia[0], mdia[1], "minf");
            int[] stbl = minf == null ? null : first(moov, minf[0], minf[1], "stbl");
            int[] stsd = stbl == null ? null : first(moov, stbl[0], stbl[1], "stsd");
            if (hdlr == null || stsd == null || hdlr[0] + 12 > hdlr[1] || stsd[0] + 16 > stsd[1]) {
                continue;
            }
            String handler = ascii(moov, hdlr[0] + 8, 4);
            int entry = stsd[0] + 8; // version/flags, entry count
            String fourcc = ascii(moov, entry + 4, 4);
            if (handler.equals("vide") && video == null) {
                video = mp4Video(fourcc);
            } else if (handler.equals("soun") && sound == null) {
                sound = mp4Sound(fourcc, moov, entry, stsd[1]);
            }
        }
        return new MediaKind("MP4/MOV", video, sound);
    }

    private static String mp4Video(String fourcc) {
        return switch (fourcc) {
            case "avc1", "avc3" -> "H.264";
            case "hvc1", "hev1" -> "HEVC";
            case "vp09" -> "VP9";
            case "vp08" -> "VP8";
            case "av01" -> "AV1";
            case "mp4v" -> "MPEG-4 Part 2";
            case "jpeg", "mjpa", "mjpb" -> "Motion JPEG";
            case "apch", "apcn", "apcs", "apco", "ap4h" -> "ProRes";
            default -> quoted(fourcc);
        };
    }

    /** The sound codec; for 'mp4a', the esds object type (ISO/IEC 14496-1 objectTypeIndication) says which. */
    private static String mp4Sound(String fourcc, byte[] moov, int entry, int end) {
        return switch (fourcc) {
            case "mp4a" -> switch (objectType(moov, indexOf(moov, "esds", entry), end)) {
                case 0x40, 0x66, 0x67, 0x68, -1 -> "AAC";
                case 0x69, 0x6B -> "MPEG audio Layer I-III (MP2/MP3)";
                case 0xA5 -> "AC-3";
                case 0xA6 -> "E-AC-3";
                default -> "MPEG-4 audio";
            };
            case ".mp3" -> "MP3";
            case "ac-3" -> "AC-3";
            case "ec-3" -> "E-AC-3";
            case "Opus" -> "Opus";
            case "fLaC" -> "FLAC";
            case "alac" -> "ALAC";
            case "lpcm", "sowt", "twos", "in24", "in32", "fl32", "fl64", "raw " -> "PCM";
            default -> quoted(fourcc);
        };
    }

    /**
     * The objectTypeIndication of an {@code esds} box (ISO/IEC 14496-1 7.2.6.5-6: ES_Descriptor, then its
     * DecoderConfigDescriptor), or -1 when it cannot be read.
     */
    private static int objectType(byte[] data, int esds, int end) {
        if (esds < 0 || esds >= end) {
            return -1;
        }
        int p = esds + 8; // type, version and flags
        if (p >= end || data[p] != 0x03) {
            return -1;
        }
        p = skipSize(data, p + 1, end) + 2; // ES_ID
        if (p >= end) {
            return -1;
        }
        int flags = data[p++] & 0xff;
        if ((flags & 0x80) != 0) {
            p += 2; // dependsOn_ES_ID
        }
        if ((flags & 0x40) != 0 && p < end) {
            p += 1 + (data[p] & 0xff); // URL
        }
        if ((flags & 0x20) != 0) {
            p += 2; // OCR_ES_Id
        }
        if (p >= end || data[p] != 0x04) {
            return -1;
        }
        p = skipSize(data, p + 1, end);
        return p < end ? data[p] & 0xff : -1;
    }

    /** Past a descriptor's size field: 7 bits a byte, the top bit set on all but the last (at most 4 bytes). */
    private static int skipSize(byte[] data, int p, int end) {
        for (int i = 0; i < 4 && p < end; i++) {
            if ((data[p++] & 0x80) == 0) {
                break;
            }
        }
        return p;
    }

    /** Child boxes of a type in {@code [from, to)}: each as {@code {bodyStart, end}}. */
    private static List<int[]> children(byte[] data, int from, int to, String type) {
        List<int[]> out = new ArrayList<>();
        int at = from;
        while (at + 8 <= to) {
            long size = Integer.toUnsignedLong(ByteBuffer.wrap(data, at, 4).getInt());
            if (size < 8 || at + size > to) {
                break;
            }
            if (ascii(data, at + 4, 4).equals(type)) {
                out.add(new int[] {at + 8, (int) (at + size)});
            }
            at += (int) size;
        }
        return out;
    }

    private static int[] first(byte[] data, int from, int to, String type) {
        List<int[]> found = children(data, from, to, type);
        return found.isEmpty() ? null : found.getFirst();
    }

    // --------------------------------------------------------------------------------------------- bytes

    /** A codec name read from the file, quoted, as it can be printed on one line: other bytes as {@code \xNN}. */
    public static String quoted(String name) {
        StringBuilder b = new StringBuilder("'");
        for (char c : name.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.append("'").toString();
    }

    private static String ascii(byte[] data, int from, int length) {
        return new String(data, from, Math.max(0, Math.min(length, data.length - from)), StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] data, int at, String text) {
        return data.length >= at + text.length() && ascii(data, at, text.length()).equals(text);
    }

    private static boolean contains(byte[] data, String text) {
        return indexOf(data, text, 0) >= 0;
    }

    private static int indexOf(byte[] data, String text, int from) {
        byte[] needle = text.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = Math.max(from, 0); i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
