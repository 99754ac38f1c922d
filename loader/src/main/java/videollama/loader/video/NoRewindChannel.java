package videollama.loader.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jcodec.common.io.SeekableByteChannel;

/**
 * A channel for JCodec's Matroska parser that refuses to be moved back to, or before, the place where its last read
 * began. JCodec's MKVParser places an element by its type rather than by the sizes around it; when it places a
 * binary element inside a parent that ended before the element begins, it moves back to the parent's end and reads
 * the same elements again, forever (a fuzz finding of 85 bytes whose sizes all fit, so {@link EbmlCheck} passes it).
 * An undamaged file is read forwards: the only moves back, after a block's first 100 bytes are read, land inside
 * what was just read. With this rule every read begins after the one before, so the parse ends within the file.
 * Lifted with {@link #unbounded} once the file is parsed: reading frames moves freely.
 */
final class NoRewindChannel implements SeekableByteChannel {
    private final SeekableByteChannel channel;
    private long lastReadAt = -1;
    private boolean bounded = true;

    NoRewindChannel(SeekableByteChannel channel) {
        this.channel = channel;
    }

    /** Lifts the rule: the parse is over. */
    void unbounded() {
        bounded = false;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        lastReadAt = channel.position();
        return channel.read(dst);
    }

    @Override
    public SeekableByteChannel setPosition(long newPosition) throws IOException {
        if (bounded && newPosition <= lastReadAt) {
            throw new IOException("an element lies outside the parent JCodec reads it into: its parser would go back"
                    + " from offset " + lastReadAt + " to " + newPosition + " and read the same elements again");
        }
        channel.setPosition(newPosition);
        return this;
    }

    @Override
    public long position() throws IOException {
        return channel.position();
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        channel.truncate(size);
        return this;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
