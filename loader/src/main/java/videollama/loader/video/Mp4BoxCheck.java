package videollama.loader.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import videollama.loader.LoaderException;

/**
 * The box tree of an MP4/MOV file checked against the file before JCodec parses it (ISO/IEC 14496-12 4.2, 8.6–8.7).
 * Hand-written because JCodec trusts sizes: it reads a {@code moov} of whatever size the header claims into one
 * buffer (2 GB for a header saying so), allocates a table's entries from its count before reading them (2^31
 * {@code stsz} entries), and on a child box smaller than its header keeps scanning its parent four bytes at a time,
 * printing a line each time. Here a box must fit its parent (a top-level box: the file), {@code moov} must be there,
 * every box on the way to the sample tables must be a list of such boxes, every table's count must fit its box, and
 * every sample's size (a constant one times the count) must fit the file. Chunk offsets are left to the reads (a
 * track nobody reads may point past the end; a frame that does is refused when it is read). The metadata boxes ({@code udta},
 * {@code meta}) are walked as leniently as JCodec walks them, for one reason: an {@code ilst} inside, whose items
 * JCodec parses in a loop that never ends unless each item is exactly filled by boxes. The check reads box headers
 * and {@code moov} only.
 */
public final class Mp4BoxCheck {
    /** Boxes JCodec parses as lists of boxes, on the way from {@code moov} to the sample tables. */
    private static final Set<String> CONTAINERS = Set.of("moov", "trak", "mdia", "minf", "stbl", "edts", "dinf",
            "mvex", "tref");
    /**
     * The sample entries JCodec parses as visual ones (its SampleBoxes table, and {@code avc3}): 78 bytes of fields
     * (12.1.3), then child boxes.
     */
    private static final Set<String> VISUAL_ENTRIES = Set.of("avc1", "avc3", "ap4h", "apch", "apcn", "apcs", "apco",
            "cvid", "jpeg", "smc ", "rle ", "rpza", "kpcd", "png ", "mjpa", "mjpb", "SVQ1", "SVQ3", "mp4v", "dvc ",
            "dvcp", "gif ", "h263", "tiff", "2vuY", "yuv2", "v308", "v408", "v216", "v410", "v210", "m2v1", "m1v1",
            "xd5b", "dv5n", "jp2h", "mjp2");
    /**
     * The sample entries JCodec parses as sound ones (its SampleBoxes table): 28 bytes of fields (12.2.3), 16 more in
     * a QuickTime sound description of version 1 and 36 more in version 2 (QTFF "Sound sample descriptions"), then
     * child boxes.
     */
    private static final Set<String> SOUND_ENTRIES = Set.of("ac-3", "cac3", "ima4", "aac ", "celp", "hvxc", "twvq",
            ".mp1", ".mp2", "midi", "apvs", "alac", "aach", "aacl", "aace", "aacf", "aacp", "aacs", "samr", "AUDB",
            "ilbc", "ms\000\021", "ms\000\061", "aes3", "NONE", "raw ", "twos", "sowt", "fl32", "fl64", "in24", "in32",
            "ulaw", "alaw", "dvca", "QDMC", "QDM2", "Qclp", ".mp3", "mp4a", "lpcm");
    /**
     * Bytes of one entry of each table (8.6.1.2, 8.6.1.3, 8.6.2, 8.7.4, 8.7.5; QuickTime's partial sync samples
     * {@code stps}, which JCodec reads as it reads {@code stss}), after version, flags and count.
     */
    private static final Map<String, Integer> TABLE_ENTRY_BYTES = Map.of("stts", 8, "ctts", 8, "stss", 4, "stps", 4,
            "stsc", 12, "stco", 4, "co64", 8);
    /**
     * The other boxes JCodec parses as lists of boxes with its default box table (DefaultBoxes and the NodeBox
     * classes), by the bytes of fields before the list: they are off the way to the sample tables, so they are walked
     * as JCodec walks them ({@link #metadata}), with every box inside that JCodec knows checked as on the way from
     * {@code moov}. Not {@code wave} nor {@code keys}: JCodec parses their children with tables of their own (format
     * and endianness; {@code mdta}), of boxes that allocate nothing from a count.
     */
    private static final Map<String, Integer> OTHER_NODE_FIELDS = Map.of("moof", 0, "traf", 0, "mfra", 0, "skip", 0,
            "ipro", 0, "sinf", 0, "clip", 0, "tapt", 0, "gmhd", 0, "dref", 8);

    private final Path file;
    private final long fileSize;

    private Mp4BoxCheck(Path file, long fileSize) {
        this.file = file;
        this.fileSize = fileSize;
    }

    /**
     * Checks {@code file}'s boxes.
     *
     * @throws LoaderException naming the file, the box and its offset: truncated, a box that does not fit, no
     *                         {@code moov}, or a table count its box cannot hold
     */
    public static void check(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            new Mp4BoxCheck(file, channel.size()).topLevel(channel);
        }
    }

    private void topLevel(FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(16);
        long moov = -1;
        long moovSize = 0;
        int moovHeader = 0;
        for (long offset = 0; offset < fileSize; ) {
            head.clear();
            while (head.hasRemaining() && channel.read(head, offset + head.position()) > 0) {
                // a read may return less than asked
            }
            head.flip();
            BoxHeader box = BoxHeader.read(head.duplicate(), fileSize - offset);
            if (box == null) {
                throw corrupt("truncated: " + (fileSize - offset) + " bytes at offset " + offset
                        + " are too few for a box header");
            }
            if (head.getInt(0) == 0) {
                // A size of 0, "to the end of the file" (4.2), is not what JCodec reads: its MP4Util.getRootAtoms
                // reads each top-level header from 16 bytes with Header.read, which skips 32-bit zero words, takes the
                // next word as the size, adds that to the box's offset and walks on from there (a box of 64-bit size
                // 0 found so: forever). Walk as it walks, ending where it ends.
                skipZeroWords(head);
                BoxHeader shifted = BoxHeader.read(head, head.remaining());
                if (shifted == null || shifted.size < shifted.headerBytes) {
                    break; // JCodec's "Broken atom": its walk ends, nothing after this is parsed
                }
                if (shifted.type.equals("moov") && moov < 0) {
                    // JCodec would parse it from where the zero words start
                    throw corrupt("zero words before the 'moov' box at offset " + offset);
                }
                offset += shifted.size;
                continue;
            }
            String where = "'" + printable(box.type) + "' at offset " + offset;
            if (box.size < box.headerBytes) {
                throw corrupt("box " + where + " has an impossible size of " + box.size + " bytes");
            }
            if (box.size > fileSize - offset) {
                throw corrupt("truncated: box " + where + " claims " + box.size + " bytes, the file ends "
                        + (fileSize - offset) + " bytes after its start");
            }
            if (box.type.equals("moov") && moov < 0) {
                moov = offset;
                moovSize = box.size;
                moovHeader = box.headerBytes;
            }
            offset += box.size;
        }
        if (moov < 0) {
            throw corrupt("no 'moov' box (truncated, or not an MP4)");
        }
        if (moovSize > Integer.MAX_VALUE) {
            throw corrupt("the 'moov' box at offset " + moov + " claims " + moovSize + " bytes, more than an MP4 holds");
        }
        ByteBuffer body = ByteBuffer.allocate((int) (moovSize - moovHeader));
        while (body.hasRemaining() && channel.read(body, moov + moovHeader + body.position()) > 0) {
            // a read may return less than asked
        }
        body.flip();
        if (!children(body, moov + moovHeader).contains("mvhd")) {
            // 8.2.2: exactly one in every 'moov'; JCodec reads the movie's time scale from it for every frame
            throw corrupt("the 'moov' box at offset " + moov + " has no 'mvhd' box");
        }
    }

    /**
     * The boxes filling {@code body} (at file offset {@code at}), each checked, containers walked into; returns their
     * types.
     */
    private Set<String> children(ByteBuffer body, long at) {
        Set<String> types = new HashSet<>();
        while (body.hasRemaining()) {
            skipZeroWords(body);
            if (body.remaining() < 8 && zeros(body)) {
                break;
            }
            long offset = at + body.position();
            BoxHeader box = BoxHeader.read(body.duplicate(), body.remaining());
            String where = box == null ? "at offset " + offset : "'" + printable(box.type) + "' at offset " + offset;
            if (box == null) {
                throw corrupt("box " + where + " is cut short");
            }
            if (box.size < box.headerBytes) {
                throw corrupt("box " + where + " has an impossible size of " + box.size + " bytes");
            }
            if (box.size > body.remaining()) {
                throw corrupt("box " + where + " claims " + box.size + " bytes where its parent has "
                        + body.remaining() + " left");
            }
            ByteBuffer content = body.slice(body.position() + box.headerBytes, (int) box.size - box.headerBytes);
            body.position(body.position() + (int) box.size);
            content(box.type, content, offset + box.headerBytes, where);
            types.add(box.type);
        }
        return types;
    }

    private void content(String type, ByteBuffer content, long at, String where) {
        Integer entryBytes = TABLE_ENTRY_BYTES.get(type);
        if (CONTAINERS.contains(type)) {
            children(content, at);
        } else if (type.equals("udta") || type.equals("meta")) {
            metadata(content, at, type.equals("udta"));
        } else if (OTHER_NODE_FIELDS.containsKey(type)) {
            int fields = Math.min(OTHER_NODE_FIELDS.get(type), content.remaining());
            metadata(content.slice(fields, content.remaining() - fields), at + fields, false);
        } else if (type.equals("ilst")) {
            // JCodec's BoxFactory parses an 'ilst' wherever it meets one, in 'moov' as much as in 'meta'
            itemList(content, at, where);
        } else if (type.equals("stsd") || VISUAL_ENTRIES.contains(type) || SOUND_ENTRIES.contains(type)) {
            // JCodec parses what follows the fields as a list of boxes (NodeBox.parse), where a child of a 64-bit
            // size under 16 has it read the same bytes forever
            int fields = type.equals("stsd") ? 8 : VISUAL_ENTRIES.contains(type) ? 78 : soundEntryFields(content);
            if (content.remaining() < fields) {
                throw corrupt("box " + where + " is too short for its fields");
            }
            Set<String> inside = children(content.slice(fields, content.remaining() - fields), at + fields);
            if (type.startsWith("avc") && !inside.contains("avcC")) {
                // ISO/IEC 14496-15 5.4.2.1: the decoder configuration, which JCodec's H264Utils.parseAVCC dereferences
                throw corrupt("the sample entry " + where + " has no 'avcC' box");
            }
        } else if (entryBytes != null) {
            table(content, 4, entryBytes, where);
            if (type.equals("stsc")) {
                samplesPerChunk(content, where);
            }
        } else if (type.equals("stsz")) {
            sampleSizes(content, where);
        } else if (type.equals("trun")) {
            trackRun(content, where);
        } else if (type.equals("chan")) {
            // QTFF "Audio channel layout": version and flags, layout tag, bitmap, count, then descriptions of 20 bytes
            // (JCodec's ChannelBox allocates them from the count before reading)
            table(content, 12, 20, where);
        } else if (type.equals("stz2")) {
            // 8.7.3.3: version, flags, 3 reserved bytes, field size in bits, count, then the packed sizes
            int fieldBits = content.remaining() >= 8 ? content.get(7) & 0xff : 0;
            if (fieldBits != 4 && fieldBits != 8 && fieldBits != 16) {
                throw corrupt("box " + where + " has a sample size field of " + fieldBits + " bits");
            }
            long count = count(content, 8, where);
            fits(count * fieldBits / 8 + (count * fieldBits % 8 == 0 ? 0 : 1), content.remaining() - 12, count, where);
        }
    }

    /** The bytes of a sound sample entry's fields: by the version at byte 8, as JCodec's AudioSampleEntry reads them. */
    private static int soundEntryFields(ByteBuffer content) {
        int version = content.remaining() < 10 ? 0 : content.getShort(8);
        return version == 1 ? 44 : version == 2 ? 64 : 28;
    }

    /**
     * The children of {@code udta}, {@code meta} or another list of boxes off the way to the sample tables
     * ({@link #OTHER_NODE_FIELDS}) as JCodec's NodeBox reads them: zero words skipped, a child that does not fit
     * skipped past its header; refused only where JCodec would not finish (an {@code ilst}) or would allocate from a
     * count that does not fit (the boxes {@link #content} checks). A {@code meta} inside {@code udta} starts with 4
     * bytes of version and flags (JCodec's UdtaMetaBox skips them).
     */
    private void metadata(ByteBuffer body, long at, boolean inUdta) {
        while (body.remaining() >= 8) {
            skipZeroWords(body);
            long offset = at + body.position();
            if (body.remaining() >= 4 && Integer.toUnsignedLong(body.getInt(body.position())) < 8
                    && body.getInt(body.position()) != 1) {
                body.position(body.position() + 4); // JCodec's Header.read gives up after the size word
                continue;
            }
            BoxHeader box = BoxHeader.read(body.duplicate(), body.remaining());
            if (box == null) {
                return;
            }
            // a 64-bit size under 16, or of 2^63 or more (read() gives Long.MAX_VALUE): JCodec's Header takes the size as
            // a signed long, so its body size is negative, fits what is left, and NodeBox reads backwards, in place
            if (box.size < box.headerBytes || box.headerBytes == 16 && box.size == Long.MAX_VALUE) {
                throw corrupt("box '" + printable(box.type) + "' at offset " + offset + " has an impossible size of "
                        + (box.size == Long.MAX_VALUE ? "2^63 or more" : box.size) + " bytes");
            }
            if (box.size > body.remaining()) {
                body.position(body.position() + box.headerBytes);
                continue;
            }
            ByteBuffer content = body.slice(body.position() + box.headerBytes, (int) box.size - box.headerBytes);
            body.position(body.position() + (int) box.size);
            long contentAt = offset + box.headerBytes;
            switch (box.type) {
                case "meta" -> {
                    int skip = inUdta ? Math.min(4, content.remaining()) : 0;
                    metadata(content.slice(skip, content.remaining() - skip), contentAt + skip, false);
                }
                case "udta" -> metadata(content, contentAt, true);
                case "ilst" -> itemList(content, contentAt, "'ilst' at offset " + offset);
                // JCodec's BoxFactory parses every box type it knows wherever it meets it: a 'trak' renamed 'udta'
                // still has its 'mdia', 'stbl' and tables parsed, and their counts allocated, so they are checked here
                // as they are on the way from 'moov' (nothing else of a metadata box is refused)
                default -> content(box.type, content, contentAt, "'" + printable(box.type) + "' at offset " + offset);
            }
        }
    }

    /**
     * An {@code ilst} (the iTunes metadata list): items of a 32-bit size, a 4-byte key and boxes that fill the rest
     * exactly. JCodec's IListBox reads each item's boxes until none is left, without moving on from a box that is cut
     * short or does not fit, so anything else would hang it.
     */
    private void itemList(ByteBuffer content, long at, String where) {
        while (content.remaining() >= 4) {
            long offset = at + content.position();
            long size = Integer.toUnsignedLong(content.getInt());
            if (size < 8 || size - 4 > content.remaining()) {
                throw corrupt("item at offset " + offset + " of the metadata list " + where + " claims " + size + " bytes where "
                        + (content.remaining() + 4) + " are left");
            }
            ByteBuffer item = content.slice(content.position() + 4, (int) size - 8);
            content.position(content.position() + (int) size - 4);
            while (item.hasRemaining()) {
                skipZeroWords(item);
                if (!item.hasRemaining()) {
                    break;
                }
                BoxHeader box = BoxHeader.read(item.duplicate(), item.remaining());
                if (box == null || box.size < box.headerBytes || box.size > item.remaining()) {
                    throw corrupt("item at offset " + offset + " of the metadata list " + where + " is not a list of whole boxes");
                }
                item.position(item.position() + (int) box.size);
            }
        }
    }

    /** A box type or fourcc as it can be printed on one line: other bytes as {@code \xNN}. */
    static String printable(String type) {
        StringBuilder b = new StringBuilder();
        for (char c : type.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f || c == 0xa9 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.toString();
    }

    /** A full box of a 32-bit count at {@code countAt} followed by that many entries of {@code entryBytes}. */
    private void table(ByteBuffer content, int countAt, int entryBytes, String where) {
        long count = count(content, countAt, where);
        fits(count * entryBytes, content.remaining() - countAt - 4, count, where);
    }

    /**
     * 8.7.4: every run of chunks holds at least one sample. JCodec's MP4DemuxerTrack.seekPointer steps through the
     * runs subtracting each one's samples per chunk from the frame number until it is smaller: a run of 0 never ends,
     * and one of 2^31 or more, a negative int to JCodec, runs until the frame number overflows (2^31 steps).
     */
    private void samplesPerChunk(ByteBuffer content, String where) {
        long count = count(content, 4, where);
        for (long i = 0; i < count; i++) {
            int samples = content.getInt(8 + (int) i * 12 + 4);
            if (samples <= 0) {
                throw corrupt("box " + where + " has a run of chunks of " + Integer.toUnsignedLong(samples)
                        + " samples (entry " + i + ")");
            }
        }
    }

    /**
     * 8.8.8: a track fragment run, wherever it is (JCodec's TrunBox parses one inside {@code moov} too): a count, two
     * optional fields by the flags, then per sample the fields the flags 0x100 to 0x800 select. JCodec allocates
     * each selected field's array from the count before reading, and with none selected loops over the count doing
     * nothing (2^31 steps when not compiled away), so the entries must fit the box, and without entries the count the
     * file: every sample of a run has at least a byte in it.
     */
    private void trackRun(ByteBuffer content, String where) {
        long count = count(content, 4, where);
        int flags = content.getInt(0) & 0xffffff;
        int fields = 8 + ((flags & 0x1) != 0 ? 4 : 0) + ((flags & 0x4) != 0 ? 4 : 0);
        int bytesPerSample = 4 * Integer.bitCount(flags & 0xf00);
        if (bytesPerSample > 0) {
            fits(count * bytesPerSample, content.remaining() - fields, count, where);
        } else if (count > fileSize) {
            throw corrupt("box " + where + " lists a run of " + count + " samples, more than the file's " + fileSize
                    + " bytes");
        }
    }

    /** 8.7.3.2: a constant sample size, or a table of sizes; either way the samples must fit in the file. */
    private void sampleSizes(ByteBuffer content, String where) {
        long count = count(content, 8, where);
        long sampleSize = Integer.toUnsignedLong(content.getInt(4));
        if (sampleSize == 0) {
            fits(count * 4, content.remaining() - 12, count, where);
            for (int i = 0; i < count; i++) { // JCodec allocates each sample's buffer from its size before reading
                long size = Integer.toUnsignedLong(content.getInt(12 + 4 * i));
                if (size > fileSize) {
                    throw corrupt("box " + where + " lists sample " + (i + 1) + " of " + size + " bytes, more than the"
                            + " file's " + fileSize + " bytes");
                }
            }
        } else if (count > 0 && sampleSize > fileSize / count) {
            throw corrupt("box " + where + " lists " + count + " samples of " + sampleSize
                    + " bytes, more than the file's " + fileSize + " bytes");
        }
    }

    /**
     * JCodec's NodeBox skips 32-bit zero words before a child box's header (QuickTime ends some lists with one, QTFF
     * "User data atoms"), so the walk skips them too: read as a box of size 0 ("to the end of its parent"), they
     * would hide from this check the boxes JCodec goes on to parse behind them.
     */
    private static void skipZeroWords(ByteBuffer body) {
        while (body.remaining() >= 4 && body.getInt(body.position()) == 0) {
            body.position(body.position() + 4);
        }
    }

    private static boolean zeros(ByteBuffer rest) {
        for (int i = rest.position(); i < rest.limit(); i++) {
            if (rest.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private long count(ByteBuffer content, int at, String where) {
        if (content.remaining() < at + 4) {
            throw corrupt("box " + where + " is too short for its entry count");
        }
        return Integer.toUnsignedLong(content.getInt(at));
    }

    private void fits(long need, long have, long count, String where) {
        if (need > have) {
            throw corrupt("box " + where + " claims " + count + " entries, " + need + " bytes where it has " + have);
        }
    }

    private LoaderException corrupt(String what) {
        return new LoaderException(file + ": corrupt MP4: " + what);
    }

    /** A box header (4.2): 32-bit size and type, a 64-bit size after them where the first is 1, 0 for "to the end". */
    private record BoxHeader(long size, String type, int headerBytes) {
        /** The header at {@code in}'s position, with {@code left} bytes to the end of the parent; null if cut short. */
        static BoxHeader read(ByteBuffer in, long left) {
            if (in.remaining() < 8 || left < 8) {
                return null;
            }
            long size = Integer.toUnsignedLong(in.getInt());
            byte[] fourcc = new byte[4];
            in.get(fourcc);
            String type = new String(fourcc, StandardCharsets.ISO_8859_1);
            if (size == 1) {
                if (in.remaining() < 8 || left < 16) {
                    return null;
                }
                long large = in.getLong();
                return new BoxHeader(large < 0 ? Long.MAX_VALUE : large, type, 16);
            }
            return new BoxHeader(size == 0 ? left : size, type, 8);
        }
    }
}
