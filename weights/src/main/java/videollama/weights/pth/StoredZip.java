package videollama.weights.pth;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The entries of a ZIP archive that is mapped as one segment, read from its central directory.
 *
 * <p>{@code torch.save} writes a ZIP whose entries are stored, not compressed, so an entry's bytes can be used
 * where they lie: {@link #data} is a slice of the mapping. The archive is read from the end, as the format
 * intends: the end-of-central-directory record (and, for archives past 4 GB or 65535 entries, its ZIP64
 * counterpart) says where the central directory is; the central directory lists each entry's sizes and where
 * its local header is; the local header, whose name and extra field may differ in length from the central
 * ones (torch pads it to align the data), says where the data starts. Every offset and size is checked
 * against the file before it is used, so a damaged archive gives an error, never a read outside the mapping.
 * (Format: PKWARE APPNOTE.TXT, sections 4.3.7, 4.3.12, 4.3.14-16 and 4.5.3.)
 */
final class StoredZip {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final int ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int LOCAL_HEADER_SIZE = 30;
    private static final int CENTRAL_HEADER_SIZE = 46;
    private static final int END_SIZE = 22;
    private static final int ZIP64_END_SIZE = 56;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_EXTRA_ID = 0x0001;
    /** A 32-bit size or offset with this value, or a 16-bit count with 0xFFFF, is in the ZIP64 records. */
    private static final long MAX_32 = 0xFFFF_FFFFL;
    private static final int MAX_16 = 0xFFFF;
    private static final int FLAG_ENCRYPTED = 1;
    private static final int FLAG_UTF8_NAME = 1 << 11;
    static final int METHOD_STORED = 0;

    /**
     * One central-directory entry.
     *
     * @param method           0 stored, 8 deflated, ...
     * @param crc32            the CRC-32 of the entry's bytes
     * @param localHeaderStart where the entry's local header starts in the file
     */
    record Entry(String name, int flags, int method, int crc32, long compressedSize, long size,
            long localHeaderStart) {
    }

    private final String file;
    private final MemorySegment bytes;
    /** Where the central directory starts: every entry's data must end before it. */
    private final long centralDirectoryStart;
    private final Map<String, Entry> entries;

    private StoredZip(String file, MemorySegment bytes, long centralDirectoryStart, Map<String, Entry> entries) {
        this.file = file;
        this.bytes = bytes;
        this.centralDirectoryStart = centralDirectoryStart;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** True if the bytes start like a ZIP archive (a local header or an empty archive's end record). */
    static boolean looksLikeZip(MemorySegment bytes) {
        return bytes.byteSize() >= 4
                && (u32(bytes, 0) == LOCAL_HEADER || u32(bytes, 0) == END_OF_CENTRAL_DIRECTORY);
    }

    /**
     * Reads the central directory of a whole file's bytes.
     *
     * @param file the file, for messages
     * @throws PthFormatException naming what is wrong, for anything that is not a readable archive
     */
    static StoredZip read(String file, MemorySegment bytes) {
        long size = bytes.byteSize();
        long end = findEndRecord(bytes);
        if (end < 0) {
            throw new PthFormatException("not a ZIP archive, or truncated: no end-of-central-directory record in the"
                    + " last " + Math.min(size, END_SIZE + MAX_16) + " bytes");
        }
        if (u16(bytes, end + 4) != 0 || u16(bytes, end + 6) != 0) {
            throw new PthFormatException("a multi-disk ZIP archive, which is not supported");
        }
        long count = u16(bytes, end + 10);
        long directorySize = u32(bytes, end + 12) & MAX_32;
        long directoryStart = u32(bytes, end + 16) & MAX_32;
        long directoryLimit = end;

        long locator = end - ZIP64_LOCATOR_SIZE;
        if (locator >= 0 && u32(bytes, locator) == ZIP64_LOCATOR) {
            long zip64End = u64(bytes, locator + 8);
            if (zip64End < 0 || zip64End > locator - ZIP64_END_SIZE) {
                throw new PthFormatException("the ZIP64 end record offset " + Long.toUnsignedString(zip64End)
                        + " is outside the archive (" + size + " bytes)");
            }
            if (u32(bytes, zip64End) != ZIP64_END_OF_CENTRAL_DIRECTORY) {
                throw new PthFormatException("no ZIP64 end record at offset " + zip64End);
            }
            if (u32(bytes, zip64End + 16) != 0 || u32(bytes, zip64End + 20) != 0) {
                throw new PthFormatException("a multi-disk ZIP archive, which is not supported");
            }
            count = u64(bytes, zip64End + 32);
            directorySize = u64(bytes, zip64End + 40);
            directoryStart = u64(bytes, zip64End + 48);
            directoryLimit = zip64End;
        } else if (count == MAX_16 || directorySize == MAX_32 || directoryStart == MAX_32) {
            throw new PthFormatException("the end record points to ZIP64 records, but there is no ZIP64 locator");
        }
        if (directoryStart < 0 || directorySize < 0 || directoryStart > directoryLimit
                || directorySize > directoryLimit - directoryStart) {
            throw new PthFormatException("the central directory [" + Long.toUnsignedString(directoryStart) + ", +"
                    + Long.toUnsignedString(directorySize) + "] is outside the archive (it must end by offset "
                    + directoryLimit + ")");
        }
        if (count < 0 || count > directorySize / CENTRAL_HEADER_SIZE) {
            throw new PthFormatException("the end record counts " + Long.toUnsignedString(count)
                    + " entries, more than a central directory of " + directorySize + " bytes can hold");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        long at = directoryStart;
        long directoryEnd = directoryStart + directorySize;
        for (long i = 0; i < count; i++) {
            Entry entry = readCentralHeader(bytes, at, directoryEnd, i);
            if (entries.putIfAbsent(entry.name(), entry) != null) {
                throw new PthFormatException("entry '" + entry.name() + "' appears twice");
            }
            at += CENTRAL_HEADER_SIZE + u16(bytes, at + 28) + u16(bytes, at + 30) + u16(bytes, at + 32);
        }
        return new StoredZip(file, bytes, directoryStart, entries);
    }

    /**
     * The end record is the last 22 bytes plus a comment of up to 65535 bytes: scan back for its signature and
     * take the first candidate whose comment length reaches exactly to the end of the file.
     */
    private static long findEndRecord(MemorySegment bytes) {
        long size = bytes.byteSize();
        long lowest = Math.max(0, size - END_SIZE - MAX_16);
        for (long at = size - END_SIZE; at >= lowest; at--) {
            if (u32(bytes, at) == END_OF_CENTRAL_DIRECTORY && at + END_SIZE + u16(bytes, at + 20) == size) {
                return at;
            }
        }
        return -1;
    }

    private static Entry readCentralHeader(MemorySegment bytes, long at, long directoryEnd, long index) {
        if (at > directoryEnd - CENTRAL_HEADER_SIZE || u32(bytes, at) != CENTRAL_HEADER) {
            throw new PthFormatException("central directory entry " + index + " at offset " + at + " is damaged");
        }
        int flags = u16(bytes, at + 8);
        int method = u16(bytes, at + 10);
        int crc32 = u32(bytes, at + 16);
        long compressedSize = u32(bytes, at + 20) & MAX_32;
        long size = u32(bytes, at + 24) & MAX_32;
        int nameLength = u16(bytes, at + 28);
        int extraLength = u16(bytes, at + 30);
        int commentLength = u16(bytes, at + 32);
        long localHeaderStart = u32(bytes, at + 42) & MAX_32;
        long nameStart = at + CENTRAL_HEADER_SIZE;
        if (nameStart + nameLength + extraLength + commentLength > directoryEnd) {
            throw new PthFormatException("central directory entry " + index + " runs past the central directory");
        }
        String name = name(bytes, nameStart, nameLength, flags);

        // ZIP64 extra field: the 8-byte values of exactly those fields that are 0xFFFFFFFF, in this order.
        boolean needSize = size == MAX_32;
        boolean needCompressed = compressedSize == MAX_32;
        boolean needOffset = localHeaderStart == MAX_32;
        if (needSize || needCompressed || needOffset) {
            long block = findExtraBlock(bytes, nameStart + nameLength, extraLength, ZIP64_EXTRA_ID, name);
            if (block < 0) {
                throw new PthFormatException("entry '" + name
                        + "' has 32-bit fields marked ZIP64 but no ZIP64 extra field");
            }
            long blockEnd = block + 4 + u16(bytes, block + 2);
            long value = block + 4;
            if (needSize) {
                size = extraValue(bytes, value, blockEnd, name);
                value += 8;
            }
            if (needCompressed) {
                compressedSize = extraValue(bytes, value, blockEnd, name);
                value += 8;
            }
            if (needOffset) {
                localHeaderStart = extraValue(bytes, value, blockEnd, name);
            }
        }
        if (size < 0 || compressedSize < 0 || localHeaderStart < 0) {
            throw new PthFormatException("entry '" + name + "' has a size or offset beyond 2^63");
        }
        return new Entry(name, flags, method, crc32, compressedSize, size, localHeaderStart);
    }

    /** The offset of the extra block with this id, or -1; the blocks must tile the extra field exactly. */
    private static long findExtraBlock(MemorySegment bytes, long start, int length, int id, String name) {
        long end = start + length;
        long at = start;
        while (at < end) {
            if (at + 4 > end || at + 4 + u16(bytes, at + 2) > end) {
                throw new PthFormatException("entry '" + name + "' has a damaged extra field");
            }
            if (u16(bytes, at) == id) {
                return at;
            }
            at += 4 + u16(bytes, at + 2);
        }
        return -1;
    }

    private static long extraValue(MemorySegment bytes, long at, long blockEnd, String name) {
        if (at + 8 > blockEnd) {
            throw new PthFormatException("entry '" + name + "' has a ZIP64 extra field too short for its values");
        }
        return u64(bytes, at);
    }

    /** UTF-8 when the entry says so (bit 11), else code page 437, of which ASCII (all torch writes) is a part. */
    private static String name(MemorySegment bytes, long at, int length, int flags) {
        byte[] raw = bytes.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        return new String(raw, (flags & FLAG_UTF8_NAME) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    String file() {
        return file;
    }

    /** The entries by name, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /**
     * The bytes of a stored entry, as a slice of the mapping.
     *
     * @throws PthFormatException for a compressed or encrypted entry, or one whose local header or data does not
     *         lie inside the archive before the central directory
     */
    MemorySegment data(Entry entry) {
        String what = "entry '" + entry.name() + "'";
        if ((entry.flags() & FLAG_ENCRYPTED) != 0) {
            throw new PthFormatException(what + " is encrypted");
        }
        if (entry.method() != METHOD_STORED) {
            throw new PthFormatException(what + " is compressed (method " + entry.method()
                    + "); torch.save stores entries uncompressed, so the file was probably re-zipped:"
                    + " save it again with torch.save");
        }
        if (entry.compressedSize() != entry.size()) {
            throw new PthFormatException(what + " is stored but its compressed size " + entry.compressedSize()
                    + " differs from its size " + entry.size());
        }
        long header = entry.localHeaderStart();
        if (header > centralDirectoryStart - LOCAL_HEADER_SIZE || u32(bytes, header) != LOCAL_HEADER) {
            throw new PthFormatException(what + " has no local header at offset " + header);
        }
        int nameLength = u16(bytes, header + 26);
        int extraLength = u16(bytes, header + 28);
        long dataStart = header + LOCAL_HEADER_SIZE + nameLength + extraLength;
        if (dataStart > centralDirectoryStart || entry.size() > centralDirectoryStart - dataStart) {
            throw new PthFormatException(what + " has " + entry.size() + " bytes of data at offset " + dataStart
                    + ", past the start of the central directory at " + centralDirectoryStart);
        }
        String localName = name(bytes, header + LOCAL_HEADER_SIZE, nameLength, u16(bytes, header + 6));
        if (!localName.equals(entry.name())) {
            throw new PthFormatException(what + " has a local header for a different name");
        }
        return bytes.asSlice(dataStart, entry.size());
    }

    /**
     * The bytes of a stored entry after checking them against the CRC-32 of the central directory: for the
     * pickle, where one changed byte could otherwise rename a tensor without anyone noticing.
     */
    byte[] checkedBytes(Entry entry) {
        byte[] data = data(entry).toArray(ValueLayout.JAVA_BYTE);
        CRC32 crc = new CRC32();
        crc.update(data);
        if ((int) crc.getValue() != entry.crc32()) {
            throw new PthFormatException("entry '" + entry.name() + "' is damaged: its CRC-32 is "
                    + Long.toHexString(crc.getValue()) + ", the archive says " + Integer.toHexString(entry.crc32()));
        }
        return data;
    }

    private static int u16(MemorySegment bytes, long at) {
        return Short.toUnsignedInt(bytes.get(U16, at));
    }

    private static int u32(MemorySegment bytes, long at) {
        return bytes.get(U32, at);
    }

    private static long u64(MemorySegment bytes, long at) {
        return bytes.get(U64, at);
    }
}
