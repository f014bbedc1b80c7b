package io.tenantctl.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * A byte buffer in front of an {@link OutputStream} that takes bytes ({@link #writeBytes}) and, as a {@link Writer},
 * chars, which it encodes as UTF-8 itself (a lone surrogate becomes '?', as the JDK's encoder does). No lock per
 * call: the driver's JsonWriter writes strings one char at a time, and a {@link java.io.BufferedWriter} takes a lock
 * for each. Not thread-safe: one collection file is written by one thread.
 *
 * <p>The stream behind it is opened lazily, by {@code open}, when the buffer first fills or when the sink is
 * closed, with a flag saying whether more than one buffer was written: a compressor can then use a worker thread
 * for large files only.
 */
final class Utf8Sink extends Writer {

    /** Opens the stream the bytes go to; {@code large} is true when the content is more than one buffer. */
    interface Opener {
        OutputStream open(boolean large) throws IOException;
    }

    /** What a sink's buffer starts at: most collections are small, and a LibreChat org has 47 of them. */
    static final int INITIAL = 8 * 1024;

    private final Opener opener;
    private final int limit;
    private byte[] buf;
    private OutputStream out;
    private int n;
    private char pendingHigh; // a high surrogate waiting for its low half
    private boolean closed;

    /** A sink whose buffer holds up to {@code size} bytes: more content than that makes it open its stream as large. */
    Utf8Sink(Opener opener, int size) {
        this(opener, INITIAL, size);
    }

    /**
     * As {@link #Utf8Sink(Opener, int)}, the buffer starting at {@code initial} bytes and doubling up to {@code size}
     * as content comes: a full-size buffer for every collection file cost more than writing a small one (a 256 KB
     * allocation, zeroed, per file).
     */
    Utf8Sink(Opener opener, int initial, int size) {
        this.opener = opener;
        this.limit = Math.max(4, size); // room for the longest UTF-8 sequence
        this.buf = new byte[Math.max(4, Math.min(initial, limit))];
    }

    /** Appends bytes as they are. */
    void writeBytes(byte[] b, int off, int len) throws IOException {
        flushPending();
        if (len > buf.length - n && !grow(len)) {
            drain();
            if (len >= buf.length) {
                out.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, n, len);
        n += len;
    }

    /** Appends one byte. */
    void writeByte(int b) throws IOException {
        flushPending();
        room(1);
        buf[n++] = (byte) b;
    }

    @Override
    public void write(int c) throws IOException {
        char ch = (char) c;
        if (pendingHigh != 0) {
            char high = pendingHigh;
            pendingHigh = 0;
            if (Character.isLowSurrogate(ch)) {
                codePoint(Character.toCodePoint(high, ch));
                return;
            }
            room(1);
            buf[n++] = '?';
        }
        if (ch < 0x80) {
            room(1);
            buf[n++] = (byte) ch;
        } else if (ch < 0x800) {
            room(2);
            buf[n++] = (byte) (0xc0 | (ch >> 6));
            buf[n++] = (byte) (0x80 | (ch & 0x3f));
        } else if (Character.isHighSurrogate(ch)) {
            pendingHigh = ch;
        } else if (Character.isLowSurrogate(ch)) {
            room(1);
            buf[n++] = '?';
        } else {
            room(3);
            buf[n++] = (byte) (0xe0 | (ch >> 12));
            buf[n++] = (byte) (0x80 | ((ch >> 6) & 0x3f));
            buf[n++] = (byte) (0x80 | (ch & 0x3f));
        }
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        for (int i = off, end = off + len; i < end; i++) {
            write(cbuf[i]);
        }
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        for (int i = off, end = off + len; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80 && pendingHigh == 0 && n < buf.length) {
                buf[n++] = (byte) c;
            } else {
                write(c);
            }
        }
    }

    private void codePoint(int cp) throws IOException {
        room(4);
        buf[n++] = (byte) (0xf0 | (cp >> 18));
        buf[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        buf[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        buf[n++] = (byte) (0x80 | (cp & 0x3f));
    }

    private void flushPending() throws IOException {
        if (pendingHigh != 0) {
            pendingHigh = 0;
            room(1);
            buf[n++] = '?';
        }
    }

    private void room(int k) throws IOException {
        if (k > buf.length - n && !grow(k)) {
            drain();
        }
    }

    /** Makes room for {@code k} more bytes by growing the buffer, up to its limit; false when it cannot hold them. */
    private boolean grow(int k) {
        if (buf.length < limit) {
            buf = java.util.Arrays.copyOf(buf, (int) Math.min(limit, Math.max(2L * buf.length, (long) n + k)));
        }
        return k <= buf.length - n;
    }

    private void drain() throws IOException {
        if (out == null) {
            out = opener.open(true);
        }
        if (n > 0) {
            out.write(buf, 0, n);
            n = 0;
        }
    }

    /** Hands buffered bytes to the stream (opening it) but does not flush the stream: a compressor keeps its block. */
    @Override
    public void flush() throws IOException {
        flushPending();
        drain();
    }

    /** Drops what is buffered and releases the stream behind, if it was opened (its errors are ignored). */
    void discard() {
        closed = true;
        n = 0;
        pendingHigh = 0;
        if (out != null) {
            try {
                out.close();
            } catch (IOException | RuntimeException ignored) {
                // the output is being thrown away
            }
        }
    }

    /** Writes what is buffered and closes the stream behind (opening it first if nothing filled a buffer). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        flushPending();
        if (out == null) {
            out = opener.open(false);
        }
        try {
            drain();
        } finally {
            out.close();
        }
    }
}
