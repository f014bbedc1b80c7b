package io.tenantctl.backup;

import java.io.IOException;
import java.io.Writer;

/**
 * A char buffer in front of a {@link Writer} that takes no lock per call. The driver's JsonWriter writes string
 * contents one char at a time; through a {@link java.io.BufferedWriter} each of those calls takes a lock, which
 * made writing a backup several times slower than reading the data from the server. Not thread-safe: one
 * collection file is written by one thread.
 */
final class UnsyncWriter extends Writer {

    private final Writer out;
    private final char[] buf;
    private int n;

    UnsyncWriter(Writer out, int size) {
        this.out = out;
        this.buf = new char[size];
    }

    @Override
    public void write(int c) throws IOException {
        if (n == buf.length) {
            drain();
        }
        buf[n++] = (char) c;
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        if (len >= buf.length) {
            drain();
            out.write(cbuf, off, len);
            return;
        }
        if (len > buf.length - n) {
            drain();
        }
        System.arraycopy(cbuf, off, buf, n, len);
        n += len;
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        while (len > 0) {
            if (n == buf.length) {
                drain();
            }
            int k = Math.min(len, buf.length - n);
            s.getChars(off, off + k, buf, n);
            n += k;
            off += k;
            len -= k;
        }
    }

    private void drain() throws IOException {
        if (n > 0) {
            out.write(buf, 0, n);
            n = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        drain();
        out.close();
    }
}
