package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pools table, always read together with each pool's live org count: its orgs, plus the orgs moving into it (a move
 * reserves its place on the target before it copies) and those a restore is bringing in from another pool ({@link
 * RestoreRepository#takePlace}, before it copies), so neither placement nor a move nor another restore can overfill it.
 */
public final class PoolRepository {

    static final String SELECT = """
            select p.pool_id, p.uri, p.capacity, p.status, p.priority, p.created_at,
                   (select count(*) from orgs o where o.pool_id = p.pool_id and o.status <> 'deleted')
                   + (select count(*) from moves m where m.to_pool = p.pool_id
                      and m.state in ('planned', 'frozen', 'copying', 'verifying'))
            """ + "       + (" + RestoreRepository.restoringInto("p.pool_id") + ") as org_count\nfrom pools p\n";

    private final Catalog catalog;

    PoolRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * The usage error (exit 2) for a pool name taken: what shows it, and, as a second add is most often meant to point the
     * pool at another server, the command that does.
     */
    public static TenantctlException taken(String poolId) {
        return TenantctlException.usage("pool '" + poolId + "' already exists: 'tenantctl pools show " + poolId + "' shows it; to point it "
                + "at another server, 'tenantctl pools set-uri " + poolId + " --uri URI'");
    }

    public Pool add(String poolId, String uri, int capacity, int priority) {
        return catalog.inTransaction(c -> {
            if (find(c, poolId).isPresent()) {
                throw taken(poolId);
            }
            Sql.update(c, "insert into pools (pool_id, uri, capacity, priority) values (?, ?, ?, ?)", poolId, uri, capacity, priority);
            return find(c, poolId).orElseThrow();
        });
    }

    public List<Pool> list() {
        return catalog.inConnection(c -> list(c));
    }

    /** Every pool by id, in {@link #list()}'s order: a new map of the caller's. */
    public java.util.Map<String, Pool> byId() {
        java.util.Map<String, Pool> out = new java.util.LinkedHashMap<>();
        list().forEach(p -> out.put(p.poolId(), p));
        return out;
    }

    static List<Pool> list(Connection c) throws SQLException {
        return Sql.query(c, SELECT + " order by p.priority, p.pool_id", PoolRepository::map);
    }

    public Optional<Pool> find(String poolId) {
        return catalog.inConnection(c -> find(c, poolId));
    }

    public Pool get(String poolId) {
        return find(poolId).orElseThrow(() -> unknown(poolId));
    }

    static Optional<Pool> find(Connection c, String poolId) throws SQLException {
        return Sql.one(c, SELECT + " where p.pool_id = ?", PoolRepository::map, poolId);
    }

    /** Sets the status; returns the pool as it is now. */
    /** Sets a pool's status; false, and nothing written, when the pool already has it. */
    public boolean setStatus(String poolId, PoolStatus status) {
        return catalog.inTransaction(c -> {
            if (Sql.update(c, "update pools set status = ? where pool_id = ? and status <> ?", status.db(), poolId, status.db()) == 1) {
                return true;
            }
            find(c, poolId).orElseThrow(() -> unknown(poolId));
            return false;
        });
    }

    /**
     * Sets a pool's capacity, under the placement lock (so no placement reads the old one meanwhile); refused below the
     * orgs it holds (moves into it and deleting orgs count). With {@code dryRun}, the same checks and nothing written.
     */
    public Pool setCapacity(String poolId, int capacity, boolean dryRun) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, OrgRepository.PLACEMENT_LOCK);
            Pool p = find(c, poolId).orElseThrow(() -> unknown(poolId));
            if (capacity < p.orgCount()) {
                java.util.Map<String, Integer> by = new java.util.HashMap<>();
                Sql.query(c, "select status, count(*) from orgs where pool_id = ? and status <> 'deleted' group by status",
                        rs -> by.put(rs.getString(1), rs.getInt(2)), poolId);
                int movingIn = Sql.one(c, "select count(*) from moves where to_pool = ? and state in ('planned', 'frozen', 'copying', "
                        + "'verifying')", rs -> rs.getInt(1), poolId).orElse(0);
                int movable = by.getOrDefault("active", 0) + by.getOrDefault("read_only", 0);
                int unfinished = by.getOrDefault("failed", 0) + by.getOrDefault("provisioning", 0);
                int busy = by.getOrDefault("restoring", 0) + by.getOrDefault("moving", 0);
                int deleting = by.getOrDefault("deleting", 0);
                // each kind of place freed its own way: rebalance moves active and read_only orgs only, nor undoes its plan
                List<String> ways = new ArrayList<>();
                int excess = p.orgCount() - capacity;
                if (movable > 0 && excess < movable) { // a few of them moved off will do: the rest of the pool keeps taking orgs
                    ways.add(movable + " active or suspended: move " + excess + " of them off ('tenantctl rebalance move ORG --to POOL' for "
                            + "each; 'tenantctl orgs list --pool " + poolId + "' lists them, 'tenantctl pools list' the pools with room), or "
                            + "all ('tenantctl pools drain " + poolId + "', then 'tenantctl rebalance plan' and 'tenantctl rebalance apply'; "
                            + "'tenantctl pools enable " + poolId + "' takes new orgs again)");
                } else if (movable > 0) {
                    ways.add(movable + " active or suspended: move " + io.tenantctl.Counted.them(movable) + " off ('tenantctl pools drain " + poolId + "', then 'tenantctl rebalance "
                            + "plan' and 'tenantctl rebalance apply')");
                }
                if (unfinished > 0) {
                    // finished, an org is active here and still counts: only clearing its row, or a move once active, frees a place
                    ways.add(unfinished + " failed or provisioning: rebalance never moves " + io.tenantctl.Counted.them(unfinished) + ", and one finished still counts here; clear "
                            + "the failed ones ('tenantctl orgs list --pool " + poolId + " --status failed', then 'tenantctl orgs forget ORG': "
                            + "its catalog row only, no database is dropped), or move one off once it is active ('tenantctl rebalance move "
                            + "ORG --to POOL')");
                }
                if (busy > 0) {
                    ways.add(busy + " restoring or moving: wait for " + io.tenantctl.Counted.them(busy) + " ('tenantctl orgs list --pool " + poolId + "' says which)");
                }
                if (deleting > 0) {
                    ways.add(deleting + " deleting: rebalance never moves " + io.tenantctl.Counted.them(deleting) + ", 'tenantctl orgs purge --older-than 0 "
                            + "--dry-run' shows what drops " + io.tenantctl.Counted.them(deleting));
                }
                if (movingIn > 0) {
                    ways.add(movingIn + " moving in: 'tenantctl rebalance status'");
                }
                int restoringIn = Sql.one(c, RestoreRepository.restoringInto("?"), rs -> rs.getInt(1), poolId, poolId).orElse(0);
                if (restoringIn > 0) {
                    ways.add(restoringIn + " being restored into it from another pool (restore --target-pool): wait for "
                            + io.tenantctl.Counted.them(restoringIn) + " ('tenantctl runs list')");
                }
                throw io.tenantctl.TenantctlException.usage("pool " + poolId + " holds " + io.tenantctl.Counted.of(p.orgCount(), "org") + ": a capacity of " + capacity
                        + " would leave it over capacity; free places first — " + String.join("; ", ways));
            }
            if (!dryRun) {
                Sql.update(c, "update pools set capacity = ? where pool_id = ?", capacity, poolId);
            }
            return new Pool(p.poolId(), p.uri(), capacity, p.status(), p.priority(), p.createdAt(), p.orgCount());
        });
    }

    /** Replaces the stored URI (checked by the caller); returns the pool as it is now. */
    public Pool setUri(String poolId, String uri) {
        return catalog.inTransaction(c -> {
            if (Sql.update(c, "update pools set uri = ? where pool_id = ?", uri, poolId) == 0) {
                throw unknown(poolId);
            }
            return find(c, poolId).orElseThrow();
        });
    }

    /** Sets (or, with null, clears) the pool's admin PostgreSQL URL, checked by the caller; false for an unknown pool. */
    public void setAdminUrl(String poolId, String adminUrl) {
        catalog.inConnection(c -> {
            if (Sql.update(c, "update pools set admin_url = ? where pool_id = ?", adminUrl, poolId) == 0) {
                throw unknown(poolId);
            }
            return null;
        });
    }

    /** pool id -> admin URL as stored (placeholders unresolved), for the pools that have one. */
    public java.util.Map<String, String> adminUrls() {
        return catalog.inConnection(c -> {
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            for (String[] row : Sql.query(c, "select pool_id, admin_url from pools where admin_url is not null",
                    rs -> new String[]{rs.getString(1), rs.getString(2)})) {
                out.put(row[0], row[1]);
            }
            return out;
        });
    }

    static TenantctlException unknown(String poolId) {
        return TenantctlException.usage("no pool named '" + poolId + "': see 'tenantctl pools list'");
    }

    private static Pool map(ResultSet rs) throws SQLException {
        return new Pool(rs.getString("pool_id"), rs.getString("uri"), rs.getInt("capacity"), PoolStatus.of(rs.getString("status")),
                rs.getInt("priority"), Sql.instant(rs, "created_at"), rs.getInt("org_count"));
    }
}
