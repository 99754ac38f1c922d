package videollama.loader.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import videollama.loader.LoaderException;

/**
 * The element tree of a Matroska file checked against the file before JCodec parses it (EBML, RFC 8794 section 4).
 * Hand-written because JCodec trusts sizes: it casts an element's 8-byte size to {@code int} and allocates a binary
 * element's claimed size before reading it, so a size past the end of its parent costs up to 2 GB of memory, a
 * negative buffer limit or minutes of scanning. Here every element must fit its parent; master elements, those JCodec
 * reads as lists of elements, are walked into, up to a nesting depth no real file reaches. Two leniencies FFmpeg has
 * too: a top-level Segment may claim more than the file holds (a recording whose size was never written back) and a
 * Segment or Cluster may have an unknown size (4.4 "all value bits 1", live recordings); their elements must still
 * fit.
 * The check reads element headers only.
 */
final class EbmlCheck {
    /** The master element IDs of Matroska (JCodec's {@code MKVType} reads these as lists of elements). */
    private static final Set<Long> MASTERS = Set.of(0x1A45DFA3L, 0x18538067L, 0x114D9B74L, 0x4DBBL, 0x1549A966L,
            0x6924L, 0x1F43B675L, 0x5854L, 0xA0L, 0x75A1L, 0xA6L, 0x8EL, 0xE8L, 0x1654AE6BL, 0xAEL, 0x6624L, 0xE0L,
            0xE1L, 0xE2L, 0xE3L, 0xE4L, 0xE9L, 0x6D80L, 0x6240L, 0x5034L, 0x5035L, 0x1C53BB6BL, 0xBBL, 0xB7L, 0xDBL,
            0x1941A469L, 0x61A7L, 0x1043A770L, 0x45B9L, 0xB6L, 0x8FL, 0x80L, 0x6944L, 0x6911L, 0x1254C367L, 0x7373L,
            0x63C0L, 0x67C8L);
    private static final long SEGMENT = 0x18538067L;
    private static final long CLUSTER = 0x1F43B675L;
    /** Deeper than Matroska's nesting (chapters and tags nest, a few levels in real files). */
    private static final int MAX_DEPTH = 32;

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer head = ByteBuffer.allocate(12); // an ID (at most 4 bytes) and a size (at most 8)

    private EbmlCheck(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
    }

    /**
     * Checks {@code file}'s elements.
     *
     * @throws LoaderException naming the file and the element's offset: truncated, an element that does not fit its
     *                         parent, an invalid ID or size, an unknown size, or nesting too deep
     */
    static void check(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            EbmlCheck check = new EbmlCheck(file, channel);
            check.elements(0, check.fileSize, 0);
        }
    }

    private void elements(long from, long end, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw corrupt("elements nested more than " + MAX_DEPTH + " deep at offset " + from);
        }
        for (long offset = from; offset < end; ) {
            head.clear();
            head.limit((int) Math.min(head.capacity(), end - offset));
            channel.read(head, offset);
            head.flip();
            String cutShort = "truncated: the element at offset " + offset + " is cut short";
            int idBytes = head.limit() < 2 ? -1 : vintLength(head.get(0), 4);
            if (idBytes == 0) {
                throw corrupt("no valid element ID at offset " + offset);
            }
            if (idBytes < 0 || head.limit() <= idBytes) {
                throw corrupt(cutShort);
            }
            int sizeBytes = vintLength(head.get(idBytes), 8);
            if (sizeBytes == 0) {
                throw corrupt("no valid element size at offset " + offset);
            }
            if (head.limit() < idBytes + sizeBytes) {
                throw corrupt(cutShort);
            }
            long id = 0;
            for (int i = 0; i < idBytes; i++) {
                id = id << 8 | head.get(i) & 0xff;
            }
            long size = head.get(idBytes) & (0xff >> sizeBytes);
            boolean unknown = size == (0xff >> sizeBytes);
            for (int i = 1; i < sizeBytes; i++) {
                int b = head.get(idBytes + i) & 0xff;
                size = size << 8 | b;
                unknown &= b == 0xff;
            }
            String where = "element 0x" + Long.toHexString(id).toUpperCase() + " at offset " + offset;
            long data = offset + idBytes + sizeBytes;
            if (unknown) {
                if (id != SEGMENT && id != CLUSTER) {
                    throw corrupt(where + " has an unknown size (only a Segment or a Cluster may)");
                }
                // a live recording's Segment or Cluster: it ends where its parent does, or where an element
                // that is not its child begins; either way its elements must fit the parent, checked as siblings
                offset = data;
                continue;
            }
            if (size > end - data) {
                if (id == SEGMENT && depth == 0) {
                    size = end - data; // a Segment whose size was never written back: up to the end, as FFmpeg reads it
                } else {
                    throw corrupt((data + size > fileSize ? "truncated: " : "") + where + " claims " + size
                            + " bytes, " + (depth == 0 ? "the file has " : "its parent has ") + (end - data) + " left");
                }
            }
            if (MASTERS.contains(id)) {
                elements(data, data + size, depth + 1);
            }
            offset = data + size;
        }
    }

    /** The length of a variable-size integer from its first byte (4.1: where its first set bit is); 0 above {@code max}. */
    private static int vintLength(byte first, int max) {
        int length = Integer.numberOfLeadingZeros(first & 0xff) - 23;
        return length > max ? 0 : length;
    }

    private LoaderException corrupt(String what) {
        return new LoaderException(file + ": corrupt Matroska file: " + what);
    }
}
