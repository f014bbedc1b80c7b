package io.tenantctl.sandbox;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Adds a fixed delay to every wire command, so a sandbox pool costs a network round trip the way a real pool
 * does (benchmarks use it; with 0 ms it is a plain pass-through); or calls a hook before each command, where a test
 * of a child process holds a command for as long as it needs ({@link #hooked}).
 */
public final class LatencyBackend implements MongoBackend {

    /** Told the database and command name before a command runs; may block. */
    @FunctionalInterface
    public interface Hook {
        void before(String database, String command);
    }

    private final MongoBackend delegate;
    private final long delayNanos;
    private final Hook hook;

    LatencyBackend(MongoBackend delegate, long delayMillis) {
        this(delegate, delayMillis, null);
    }

    private LatencyBackend(MongoBackend delegate, long delayMillis, Hook hook) {
        this.delegate = delegate;
        this.delayNanos = delayMillis * 1_000_000L;
        this.hook = hook;
    }

    /** {@code delegate} with {@code hook} told before every command (served to another process over the wire). */
    public static MongoBackend hooked(MongoBackend delegate, Hook hook) {
        return new LatencyBackend(delegate, 0, hook);
    }

    private void delay() {
        if (delayNanos > 0) {
            long end = System.nanoTime() + delayNanos;
            for (long left = delayNanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }

    @Override
    public void handleClose(Channel channel) {
        delegate.handleClose(channel);
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        delay();
        if (hook != null) {
            hook.before(database, command);
        }
        return delegate.handleCommand(channel, database, command, query);
    }

    @Override
    public QueryResult handleQuery(MongoQuery query) {
        delay();
        return delegate.handleQuery(query);
    }

    @Override
    public Document handleMessage(MongoMessage message) {
        delay();
        if (hook != null && !message.getDocument().keySet().isEmpty()) {
            hook.before(message.getDatabaseName(), message.getDocument().keySet().iterator().next());
        }
        return delegate.handleMessage(message);
    }

    @Override
    public void dropDatabase(String database) {
        delegate.dropDatabase(database);
    }

    @Override
    public Collection<Document> getCurrentOperations(MongoQuery query) {
        return delegate.getCurrentOperations(query);
    }

    @Override
    public Document getServerStatus() {
        return delegate.getServerStatus();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void closeCursors(List<Long> cursorIds) {
        delegate.closeCursors(cursorIds);
    }

    @Override
    public Clock getClock() {
        return delegate.getClock();
    }

    @Override
    public void enableOplog() {
        delegate.enableOplog();
    }

    @Override
    public void disableOplog() {
        delegate.disableOplog();
    }

    @Override
    public MongoDatabase resolveDatabase(String database) {
        return delegate.resolveDatabase(database);
    }

    @Override
    public MongoBackend version(MongoVersion version) {
        delegate.version(version);
        return this;
    }
}
