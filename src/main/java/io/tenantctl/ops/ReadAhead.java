package io.tenantctl.ops;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Drains an iterator on its own thread into a small bounded queue, so that reading overlaps with the caller's work:
 * a backup encodes one batch while the server prepares the next; a restore parses the next batch while the server
 * inserts this one. At most {@code depth} chunks of {@code chunk} items (for documents, at most 4 MB a chunk) are held,
 * so memory stays bounded whatever the collection's or its documents' size. A failure of the source is rethrown by {@link #hasNext()}.
 */
final class ReadAhead<T> implements Iterator<T>, AutoCloseable {

    private static final Object END = new Object();

    /** A chunk closes at this many bytes too (for documents), so what is held does not grow with document size. */
    static final long CHUNK_BYTES = 4L << 20;

    private final Iterator<T> source;
    private final java.util.function.ToLongFunction<? super T> weight;
    private final AutoCloseable closer;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean closed;
    private Iterator<T> current;
    private boolean ended;

    /** Reads {@code source} ahead; {@code closer} releases it (a cursor, a file) when this is closed. */
    ReadAhead(Iterator<T> source, AutoCloseable closer, String name, int chunk, int depth) {
        this(source, closer, name, chunk, depth, null);
    }

    /** Reads documents ahead: a chunk is {@code chunk} documents or {@link #CHUNK_BYTES}, whichever comes first. */
    static ReadAhead<org.bson.RawBsonDocument> documents(Iterator<org.bson.RawBsonDocument> source, AutoCloseable closer, String name,
                                                        int chunk, int depth) {
        return new ReadAhead<>(source, closer, name, chunk, depth, d -> d.getByteBuffer().remaining());
    }

    /**
     * As {@link #documents(Iterator, AutoCloseable, String, int, int)} for a driver cursor, except that a cursor that came
     * whole in its first batch (the server closed it: a small collection) is read as it is, with no thread of its own.
     */
    static ReadAhead<org.bson.RawBsonDocument> documents(com.mongodb.client.MongoCursor<org.bson.RawBsonDocument> cursor, String name,
                                                        int chunk, int depth) {
        return cursor.getServerCursor() == null ? new ReadAhead<>(cursor, cursor) : documents(cursor, cursor, name, chunk, depth);
    }

    /** Reads {@code source} as it is, on the caller's thread: it is already in memory. */
    ReadAhead(Iterator<T> source, AutoCloseable closer) {
        this.source = source;
        this.weight = null;
        this.closer = closer;
        this.queue = null;
        this.thread = null;
        this.current = source;
        this.ended = true;
    }

    private ReadAhead(Iterator<T> source, AutoCloseable closer, String name, int chunk, int depth,
                      java.util.function.ToLongFunction<? super T> weight) {
        this.source = source;
        this.weight = weight;
        this.closer = closer;
        this.current = java.util.Collections.emptyIterator();
        this.queue = new ArrayBlockingQueue<>(depth);
        this.thread = new Thread(() -> pump(chunk), "read-ahead-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void pump(int chunk) {
        try {
            List<T> buf = new ArrayList<>();
            long bytes = 0;
            while (!closed && source.hasNext()) {
                T item = source.next();
                buf.add(item);
                bytes += weight == null ? 0 : weight.applyAsLong(item);
                if (buf.size() == chunk || bytes >= CHUNK_BYTES) {
                    put(buf);
                    buf = new ArrayList<>();
                    bytes = 0;
                }
            }
            if (!buf.isEmpty()) {
                put(buf);
            }
            put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            hand(e);
        } catch (Throwable e) { // an Error too (out of memory on a huge document): the consumer must not wait for ever
            hand(new IllegalStateException((e instanceof OutOfMemoryError ? "out of memory" : e.toString()) + " while reading ahead on "
                    + Thread.currentThread().getName() + (e instanceof OutOfMemoryError ? " ("
                    + io.tenantctl.TenantctlException.MORE_HEAP + ")" : ""), e));
        }
    }

    private void hand(RuntimeException e) {
        try {
            put(e);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    private void put(Object o) throws InterruptedException {
        while (!closed && !queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
            // the consumer is slow or gone; re-check closed
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean hasNext() {
        while (!current.hasNext()) {
            if (ended) {
                return false;
            }
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading", e);
            }
            if (o == END) {
                ended = true;
                return false;
            }
            if (o instanceof RuntimeException e) {
                ended = true;
                throw e;
            }
            current = ((List<T>) o).iterator();
        }
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            closer.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
