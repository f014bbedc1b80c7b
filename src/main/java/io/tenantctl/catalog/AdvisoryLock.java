package io.tenantctl.catalog;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A session-level advisory lock on one catalog connection, kept for as long as this handle is open. {@link #tryTake}
 * asks once and never blocks: a caller that waits for the lock polls it and can stop between tries (Ctrl-C), which a
 * blocking {@code pg_advisory_lock} would not let it do. Closing releases the lock, if taken, and the connection; a
 * holder that dies releases it with its session.
 */
public final class AdvisoryLock implements AutoCloseable {

    private final Catalog catalog;
    private final Connection connection;
    private final long key;
    private boolean taken;
    private boolean closed;

    AdvisoryLock(Catalog catalog, Connection connection, long key) {
        this.catalog = catalog;
        this.connection = connection;
        this.key = key;
    }

    /** Takes the lock if no other session holds it; true once taken (asking again is harmless: it is not taken twice). */
    public synchronized boolean tryTake() {
        if (closed) {
            throw new IllegalStateException("advisory lock " + key + " is closed");
        }
        if (taken) {
            return true;
        }
        try (var ps = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (var rs = ps.executeQuery()) {
                rs.next();
                taken = rs.getBoolean(1);
            }
            return taken;
        } catch (SQLException e) {
            throw catalog.failure(e);
        }
    }

    /** Releases the lock (if taken) and gives the connection back. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!taken) {
            catalog.giveBack(connection, false);
            return;
        }
        boolean released = false;
        try (var ps = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            ps.setLong(1, key);
            ps.execute();
            released = true;
        } catch (SQLException ignored) {
            // the connection is dropped below: its session ends, and the lock with it
        }
        catalog.giveBack(connection, !released);
    }
}
