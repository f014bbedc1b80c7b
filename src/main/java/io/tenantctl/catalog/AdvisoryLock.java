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
    private boolean labelled;

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

    /** Another session holding the lock: its backend pid, its label (application_name) and since when it was idle or busy. */
    public record Holder(int pid, String label, java.time.Instant since) {
    }

    /**
     * Names this session (its {@code application_name}, cut to 63 characters by the server) so that a process refused
     * the lock can tell who holds it; the connection is dropped, not pooled, once the lock is let go.
     */
    public synchronized void label(String text) {
        try (var ps = connection.prepareStatement("select set_config('application_name', ?, false)")) {
            ps.setString(1, text);
            ps.execute();
            labelled = true;
        } catch (SQLException e) {
            throw catalog.failure(e);
        }
    }

    /** The other session that holds the lock now, if any. */
    public synchronized java.util.Optional<Holder> holder() {
        try (var ps = connection.prepareStatement("select a.pid, a.application_name, a.state_change from pg_locks l join pg_stat_activity a "
                + "on a.pid = l.pid where l.locktype = 'advisory' and l.database = (select oid from pg_database where datname = current_database()) and l.granted and l.objsubid = 1 and l.classid::bigint = ? "
                + "and l.objid::bigint = ? and l.pid <> pg_backend_pid()")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffff_ffffL);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(new Holder(rs.getInt(1), rs.getString(2),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant())) : java.util.Optional.empty();
            }
        } catch (SQLException e) {
            throw catalog.failure(e);
        }
    }

    /**
     * Ends the session of {@code holder} (one whose process is known to be gone or stopped: its work was taken over) and
     * takes the lock it held; false if that session still held it after a few seconds, or another took it first.
     */
    public synchronized boolean takeFrom(Holder holder) {
        try (var ps = connection.prepareStatement("select pg_terminate_backend(?)");
             var wait = connection.prepareStatement("select pg_sleep(0.05)")) {
            ps.setInt(1, holder.pid());
            ps.execute();
            for (int i = 0; i < 100 && !tryTake(); i++) { // the session ends a moment after it is told to
                wait.execute();
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
            catalog.giveBack(connection, labelled);
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
        catalog.giveBack(connection, !released || labelled);
    }
}
