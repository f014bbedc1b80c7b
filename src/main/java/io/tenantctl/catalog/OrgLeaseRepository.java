package io.tenantctl.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The org_leases table: one operation per org at a time. A lease is held by one worker (host, pid and a nonce), for one
 * operation, renewed by that worker's heartbeat; {@code state} records what the holder has done so that whoever finds
 * the lease expired can finish or undo it.
 */
public final class OrgLeaseRepository {

    private final Catalog catalog;

    OrgLeaseRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A lease as stored. */
    public record Lease(String orgId, String holder, String host, Long pid, String operation, String runId, String state,
                        Instant acquiredAt, Instant leaseUntil, boolean expired, long heldSeconds) {
    }

    /**
     * What trying to take an org's lease found: {@code taken} with, when the previous holder's lease had expired, that
     * lease (to recover from); or not taken, with the live lease of whoever holds it.
     */
    public record Acquired(boolean taken, Lease previous) {
    }

    private static final String SELECT = "select org_id, holder, host, pid, operation, run_id, state, acquired_at, lease_until, "
            + "lease_until < now() as expired, "
            + "cast(extract(epoch from now() - acquired_at) as bigint) as held_s from org_leases"; // how long: the catalog's clock

    /**
     * Takes the org's lease for {@code holder} unless another holder's lease on it is live. The same holder taking it
     * again renews it. Returns the expired lease it replaced, if any, for the caller to recover from.
     */
    public Acquired acquire(String orgId, String holder, String host, long pid, String operation, String runId, String stateJson,
                            int seconds) {
        // a free org, the usual case: taken by the insert alone, one round trip with no transaction around it
        if (catalog.inConnection(c -> insertIfFree(c, orgId, holder, host, pid, operation, runId, stateJson, seconds))) {
            return new Acquired(true, null);
        }
        return catalog.inTransaction(c -> {
            // two first takers of a free org race on the insert, not on a select that finds nothing for both (the lease
            // seen above may have been released since)
            if (insertIfFree(c, orgId, holder, host, pid, operation, runId, stateJson, seconds)) {
                return new Acquired(true, null);
            }
            Optional<Lease> current = Sql.one(c, SELECT + " where org_id = ? for update", OrgLeaseRepository::map, orgId);
            if (current.isPresent() && !current.get().expired() && !current.get().holder().equals(holder)) {
                return new Acquired(false, current.get());
            }
            if (current.isPresent()) {
                Sql.update(c, "update org_leases set holder = ?, host = ?, pid = ?, operation = ?, run_id = ?, state = cast(? as jsonb), "
                        + "acquired_at = now(), lease_until = now() + make_interval(secs => ?) where org_id = ?",
                        holder, host, pid, operation, runId, stateJson, seconds, orgId);
            } else {
                Sql.update(c, "insert into org_leases (org_id, holder, host, pid, operation, run_id, state, lease_until) "
                        + "values (?, ?, ?, ?, ?, ?, cast(? as jsonb), now() + make_interval(secs => ?))",
                        orgId, holder, host, pid, operation, runId, stateJson, seconds);
            }
            Lease previous = current.filter(l -> !l.holder().equals(holder)).orElse(null);
            return new Acquired(true, previous);
        });
    }

    /** Inserts the lease unless the org has one (of any holder, live or expired); true when inserted. */
    private static boolean insertIfFree(java.sql.Connection c, String orgId, String holder, String host, long pid, String operation,
                                        String runId, String stateJson, int seconds) throws SQLException {
        return !Sql.query(c, "insert into org_leases (org_id, holder, host, pid, operation, run_id, state, lease_until) "
                + "values (?, ?, ?, ?, ?, ?, cast(? as jsonb), now() + make_interval(secs => ?)) on conflict (org_id) do nothing "
                + "returning org_id", rs -> rs.getString(1), orgId, holder, host, pid, operation, runId, stateJson, seconds).isEmpty();
    }

    /** Records what the holder has done so far (for recovery if it dies). False when it no longer holds the lease. */
    public boolean setState(String orgId, String holder, String stateJson) {
        // a holder that records its run only once it has one (a restore takes the org's lease before it creates its run)
        // names it from then on, as refusals and 'orgs show' say who holds the org
        return catalog.inConnection(c -> Sql.update(c, "update org_leases set state = cast(? as jsonb), "
                + "run_id = coalesce(run_id, cast(? as jsonb) ->> 'run_id') where org_id = ? and holder = ?",
                stateJson, stateJson, orgId, holder)) == 1;
    }

    /** Who holds a live lease on any of {@code orgIds}: a run's few workers, however many orgs. */
    public java.util.Set<String> liveHolders(java.util.Collection<String> orgIds) {
        return catalog.inConnection(c -> new java.util.TreeSet<>(Sql.query(c, "select distinct holder from org_leases where org_id = any(?) "
                + "and lease_until >= now()", rs -> rs.getString(1), c.createArrayOf("text", orgIds.toArray()))));
    }

    /** Extends every lease {@code holder} has. */
    public void renew(String holder, int seconds) {
        catalog.inConnection(c -> Sql.update(c, "update org_leases set lease_until = now() + make_interval(secs => ?) where holder = ?",
                seconds, holder));
    }

    public void release(String orgId, String holder) {
        catalog.inConnection(c -> Sql.update(c, "delete from org_leases where org_id = ? and holder = ?", orgId, holder));
    }

    /** Ends {@code holder}'s lease on the org now (its process is known gone), for the next taker to recover what it left. */
    public void expire(String orgId, String holder) {
        catalog.inConnection(c -> Sql.update(c, "update org_leases set lease_until = now() - interval '1 second' where org_id = ? "
                + "and holder = ?", orgId, holder));
    }

    public Optional<Lease> find(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, SELECT + " where org_id = ?", OrgLeaseRepository::map, orgId));
    }

    /** The org's lease while its holder keeps renewing it (an expired one is nobody's). */
    public Optional<Lease> findLive(String orgId) {
        return find(orgId).filter(l -> !l.expired());
    }

    /** Live leases taken from {@code host}: a process of this host that is gone holds nothing (its pid tells). */
    public List<Lease> liveOn(String host) {
        return catalog.inConnection(c -> Sql.query(c, SELECT + " where lease_until >= now() and host = ? order by org_id",
                OrgLeaseRepository::map, host));
    }

    /** Leases whose holder stopped renewing them. */
    public List<Lease> expired() {
        return catalog.inConnection(c -> Sql.query(c, SELECT + " where lease_until < now() order by org_id", OrgLeaseRepository::map));
    }

    private static Lease map(ResultSet rs) throws SQLException {
        Object pid = rs.getObject("pid");
        return new Lease(rs.getString("org_id"), rs.getString("holder"), rs.getString("host"), pid == null ? null : ((Number) pid).longValue(),
                rs.getString("operation"), rs.getString("run_id"), rs.getString("state"), Sql.instant(rs, "acquired_at"),
                Sql.instant(rs, "lease_until"), rs.getBoolean("expired"), rs.getLong("held_s"));
    }
}
