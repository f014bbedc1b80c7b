package io.tenantctl.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What restore needs from the catalog beyond plain org lookups: the one-transaction pointer flip that also records
 * the replaced database in {@code retired_databases}, and the checks that keep a restore from touching a database
 * that is someone's (or something's) data.
 */
public final class RestoreRepository {

    private final Catalog catalog;

    public RestoreRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A database an org no longer points at, kept for later cleanup. */
    public record Retired(String poolId, String databaseName, String orgId, Instant retiredAt, String reason) {
    }

    /**
     * In one transaction: points the org at {@code (poolId, databaseName)} with {@code schemaHash} and {@code status}
     * (only if it is still at {@code expectedVersion}) and, when the database changed, records the old one as retired.
     * False, with nothing written, when the org changed meanwhile.
     */
    public boolean flip(String orgId, long expectedVersion, String poolId, String poolUri, String databaseName, String schemaHash,
                        OrgStatus status, String reason) {
        return catalog.inTransaction(c -> {
            Optional<String> from = Sql.one(c, "select pool_id from orgs where org_id = ?", rs -> rs.getString(1), orgId);
            if (from.isPresent() && !from.get().equals(poolId)) { // onto another pool: a place there, checked as placement does
                Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, OrgRepository.PLACEMENT_LOCK);
                // a place this restore took when it started (takePlace) is counted among the pool's orgs: only its status then
                requireTarget(c, poolId, !placeTaken(c, orgId, poolId));
            }
            requireUri(c, poolId, poolUri);
            // the backup's manifest, even none: the database is what the backup held, and the next rollout must see that
            return flipPointer(c, orgId, expectedVersion, poolId, databaseName, true, schemaHash, status, reason);
        });
    }

    /** A restore run that holds a place on the pool its args name ({@link #takePlace}), while it runs. */
    private static final String HOLDS_A_PLACE = "r.verb = 'restore' and r.status = 'running' and r.args ->> 'place_taken' = 'true'";

    /**
     * The count of the places restores hold on the pool {@code pool} (an SQL expression, or "?" twice): those of orgs still on
     * another pool. The org's flip onto the pool makes its row count there instead; the run's end (failed, cancelled, or
     * closed by the recovery of a dead restore) gives the place back.
     */
    static String restoringInto(String pool) {
        return "select count(*) from runs r join orgs o on o.org_id = r.args ->> 'org' where " + HOLDS_A_PLACE
                + " and r.args ->> 'pool' = " + pool + " and o.pool_id <> " + pool + " and o.status <> 'deleted'";
    }

    /**
     * The places the restore runs {@code runIds} hold ({@link #takePlace}), pool → count, by {@link #restoringInto}'s rule:
     * what closing those runs (the recovery of dead restores) gives back.
     */
    public java.util.Map<String, Integer> placesHeld(java.util.Collection<String> runIds) {
        if (runIds.isEmpty()) {
            return java.util.Map.of();
        }
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        catalog.inConnection(c -> Sql.query(c, "select r.args ->> 'pool' from runs r join orgs o on o.org_id = r.args ->> 'org' where "
                + HOLDS_A_PLACE + " and r.run_id = any(?) and o.pool_id <> r.args ->> 'pool' and o.status <> 'deleted'",
                rs -> rs.getString(1), c.createArrayOf("text", runIds.toArray()))).forEach(pool -> out.merge(pool, 1, Integer::sum));
        return out;
    }

    private static boolean placeTaken(java.sql.Connection c, String orgId, String poolId) throws SQLException {
        return Sql.one(c, "select 1 from runs r where " + HOLDS_A_PLACE + " and r.args ->> 'org' = ? and r.args ->> 'pool' = ?",
                rs -> 1, orgId, poolId).isPresent();
    }

    /**
     * A restore (run {@code runId}, still running) of org {@code orgId} into a fresh database on another pool {@code poolId}
     * takes its place there before it copies, as provision's placement takes a new org's: under the placement lock, by
     * the same rule ({@link Placement#choose}: an active pool with fewer orgs than its capacity), recorded on its run, so
     * that no provision, move or other restore takes it during the copy. Empty when taken (or the org is on that pool
     * already); otherwise the pool as found, which has no place to give.
     */
    public Optional<Pool> takePlace(String runId, String orgId, String poolId) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, OrgRepository.PLACEMENT_LOCK);
            Pool pool = PoolRepository.find(c, poolId).orElseThrow(() -> PoolRepository.unknown(poolId));
            if (Sql.one(c, "select 1 from orgs where org_id = ? and pool_id = ?", rs -> 1, orgId, poolId).isPresent()) {
                return Optional.<Pool>empty();
            }
            if (Placement.choose(List.of(pool)).isEmpty()) {
                return Optional.of(pool);
            }
            Sql.update(c, "update runs set args = args || jsonb_build_object('place_taken', true) where run_id = ?", runId);
            return Optional.<Pool>empty();
        });
    }

    /**
     * On the caller's transaction: {@code poolId} still takes orgs — active (not drained or disabled since the copy
     * started) and, with {@code needsRoom}, not full (a provision may have taken the place meanwhile). Otherwise a
     * failure, nothing written.
     */
    static void requireTarget(java.sql.Connection c, String poolId, boolean needsRoom) throws SQLException {
        Optional<String> why = Sql.one(c, "select coalesce(case when status <> 'active' then 'is ' || status || ' now' "
                + "when ? and org_count >= capacity then 'is full now (' || org_count || '/' || capacity || ' orgs)' end, '') from ("
                + PoolRepository.SELECT + " where p.pool_id = ?) pool", rs -> rs.getString(1), needsRoom, poolId).filter(w -> !w.isEmpty());
        if (why.isPresent()) {
            throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, "pool " + poolId + " " + why.get()
                    + " (changed while the copy was written): nothing was flipped, the org stays where it was");
        }
    }

    /**
     * On the caller's transaction, until it ends: {@code poolId} still has the URI {@code uri} a copy was just written
     * through (its row share-locked, so 'pools set-uri' waits for the flip). Otherwise a failure, nothing written: the
     * pointer must not send applications to a server that never got the copy.
     */
    static void requireUri(java.sql.Connection c, String poolId, String uri) throws SQLException {
        Optional<String> now = Sql.one(c, "select uri from pools where pool_id = ? for share", rs -> rs.getString(1), poolId);
        if (now.isPresent() && !now.get().equals(uri)) {
            throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, "pool " + poolId
                    + "'s URI was changed ('pools set-uri') while the copy was written through the one it had: nothing was flipped");
        }
    }

    /**
     * The pointer flip restore and rebalance share, on the caller's transaction: the org (only at {@code expectedVersion})
     * points at {@code (poolId, databaseName)}, its schema hash set to {@code schemaHash} (even null) if {@code setSchemaHash}; a database it
     * left is recorded as retired with {@code reason}; one it points at again is no longer retired.
     */
    static boolean flipPointer(java.sql.Connection c, String orgId, long expectedVersion, String poolId, String databaseName,
                               boolean setSchemaHash, String schemaHash, OrgStatus status, String reason) throws SQLException {
        Optional<String[]> old = Sql.one(c, "select pool_id, database_name from orgs where org_id = ? and version = ? for update",
                rs -> new String[]{rs.getString(1), rs.getString(2)}, orgId, expectedVersion);
        if (old.isEmpty()) {
            return false;
        }
        Sql.update(c, "update orgs set pool_id = ?, database_name = ?, schema_hash = case when ? then ? else schema_hash end, status = ?, "
                + "version = version + 1, updated_at = now() where org_id = ? and version = ?", poolId, databaseName, setSchemaHash, schemaHash,
                status.db(), orgId, expectedVersion);
        String[] o = old.get();
        if (!o[0].equals(poolId) || !o[1].equals(databaseName)) {
            Sql.update(c, "insert into retired_databases (pool_id, database_name, org_id, reason) values (?, ?, ?, ?) "
                    + "on conflict (pool_id, database_name) do update set org_id = excluded.org_id, retired_at = now(), reason = excluded.reason",
                    o[0], o[1], orgId, reason);
        }
        // a database that was retired and is now in use again (restored into, reverted to) is no longer retired
        Sql.update(c, "delete from retired_databases where pool_id = ? and database_name = ?", poolId, databaseName);
        return true;
    }

    /** Retired databases, of one org or all (null), newest first. */
    public List<Retired> retired(String orgId) {
        return catalog.inConnection(c -> Sql.query(c, "select * from retired_databases where (cast(? as text) is null or org_id = ?) "
                + "order by retired_at desc, database_name", RestoreRepository::map, orgId, orgId));
    }

    /** Retired databases retired before {@code before}, oldest first: what gc may drop. */
    public List<Retired> retiredBefore(Instant before) {
        return catalog.inConnection(c -> Sql.query(c, "select * from retired_databases where retired_at < ? order by retired_at, database_name",
                RestoreRepository::map, before));
    }

    /** How many retired databases were retired at or after {@code since}: still within gc's --older-than, not due yet. */
    public long countRetiredSince(Instant since) {
        return catalog.inConnection(c -> Sql.one(c, "select count(*) from retired_databases where retired_at >= ?", rs -> rs.getLong(1),
                since)).orElse(0L);
    }

    /** Forgets a retired database once it was dropped. */
    public void forgetRetired(String poolId, String databaseName) {
        catalog.inConnection(c -> Sql.update(c, "delete from retired_databases where pool_id = ? and database_name = ?", poolId, databaseName));
    }

    /**
     * True when the newest restore that named {@code toOrg} is a --to-org restore of {@code fromOrg}'s backup into it that
     * did not finish (failed, interrupted, or still marked running): that restore made the org and may be taken up again.
     */
    public boolean restoredAsNewOrg(String toOrg, String fromOrg) {
        return catalog.inConnection(c -> Sql.one(c, "select args->>'mode' = 'new_org' and args->>'org' = ? "
                + "and status in ('failed', 'interrupted', 'running') from runs where verb = 'restore' "
                + "and (args->>'to_org' = ? or args->>'org' = ?) order by started_at desc limit 1",
                rs -> rs.getBoolean(1), fromOrg, toOrg, toOrg)).orElse(false);
    }

    /**
     * The org whose pointer names {@code (poolId, databaseName)}, if any: such a database is never dropped. A
     * {@code deleted} org's pointer no longer protects its database (purge retired it on purpose); a {@code deleting}
     * one's still does.
     */
    public Optional<String> pointedAtBy(String poolId, String databaseName) {
        return catalog.inConnection(c -> Sql.one(c, "select org_id from orgs where pool_id = ? and database_name = ? and status <> 'deleted'",
                rs -> rs.getString(1), poolId, databaseName));
    }

    /** The reason {@link #retireDeletedOrg} records; gc and purge tell a deleted org's database by it. */
    public static final String DELETED_ORG_REASON = "deleted org ";

    /**
     * Purge's hand-over, in one transaction: a {@code deleting} org (still at {@code expectedVersion}) becomes
     * {@code deleted} and its database is recorded in {@code retired_databases} (reason "deleted org ID"), from where
     * the shared drop routine removes it. False, with nothing written, when the org changed meanwhile.
     */
    public boolean retireDeletedOrg(String orgId, long expectedVersion) {
        return catalog.inTransaction(c -> {
            Optional<String[]> row = Sql.one(c, "select pool_id, database_name from orgs where org_id = ? and version = ? "
                    + "and status = 'deleting' for update", rs -> new String[]{rs.getString(1), rs.getString(2)}, orgId, expectedVersion);
            if (row.isEmpty()) {
                return false;
            }
            Sql.update(c, "update orgs set status = 'deleted', version = version + 1, updated_at = now() where org_id = ?", orgId);
            Sql.update(c, "insert into retired_databases (pool_id, database_name, org_id, reason) values (?, ?, ?, ?) "
                    + "on conflict (pool_id, database_name) do update set org_id = excluded.org_id, retired_at = now(), reason = excluded.reason",
                    row.get()[0], row.get()[1], orgId, DELETED_ORG_REASON + orgId);
            return true;
        });
    }

    /** Whether {@code databaseName} on {@code poolId} is recorded as retired (kept data: never overwrite it). */
    public boolean isRetired(String poolId, String databaseName) {
        return catalog.inConnection(c -> Sql.one(c, "select 1 from retired_databases where pool_id = ? and database_name = ?",
                rs -> 1, poolId, databaseName)).isPresent();
    }

    /**
     * Whether a restore run recorded {@code databaseName} on {@code poolId} as a database it writes: the target of one that
     * did not succeed, or any one's trial (scratch) database. Only such a leftover is a restore's to drop; a database of
     * that name that no restore recorded is someone's data.
     */
    public boolean leftByARestore(String poolId, String databaseName) {
        return catalog.inConnection(c -> Sql.one(c, "select 1 from runs where verb = 'restore' and args ->> 'pool' = ? and "
                + "(args ->> 'scratch' = ? or (args ->> 'database' = ? and status <> 'succeeded')) limit 1",
                rs -> 1, poolId, databaseName, databaseName)).isPresent();
    }

    /** A database a restore run recorded as one it writes: its target, or an in-place restore's trial (scratch) database. */
    public record Written(String poolId, String databaseName, String orgId, String runId, boolean trial) {
    }

    /** Every database restore runs recorded writing, by "pool/database"; the newest run's where several named one. */
    public java.util.Map<String, Written> writtenByRestores() {
        java.util.Map<String, Written> out = new java.util.HashMap<>();
        catalog.inConnection(c -> Sql.query(c, """
                select r.args ->> 'pool', r.args ->> 'database', r.args ->> 'scratch', i.org_id, r.run_id
                from runs r join run_items i on i.run_id = r.run_id
                where r.verb = 'restore' and r.args ->> 'pool' is not null order by r.started_at
                """, rs -> {
            String pool = rs.getString(1);
            for (String db : new String[]{rs.getString(2), rs.getString(3)}) {
                if (db != null) {
                    out.put(pool + "/" + db, new Written(pool, db, rs.getString(4), rs.getString(5), db.equals(rs.getString(3))));
                }
            }
            return 1;
        }));
        return out;
    }

    /** The org whose database is named {@code databaseName}, if any (names are unique across pools). */
    public Optional<String> owner(String databaseName) {
        return catalog.inConnection(c -> Sql.one(c, "select org_id from orgs where database_name = ?", rs -> rs.getString(1), databaseName));
    }

    /** The status an org had before the newest restore run that recorded one (for re-running an interrupted restore). */
    public Optional<String> statusBeforeRestore(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, """
                select r.args ->> 'previous_status' from runs r join run_items i on i.run_id = r.run_id
                where r.verb = 'restore' and i.org_id = ? and r.args ->> 'previous_status' is not null
                order by r.started_at desc limit 1
                """,
                rs -> rs.getString(1), orgId)).filter(s -> s != null && !s.isEmpty());
    }

    /**
     * The backups restores still need, each with why: the one a restore run in progress reads (into its own org, or
     * --to-org another), and the one the newest restore of an org left {@code restoring} was reading (re-running that
     * restore needs it). Retention must not delete them.
     */
    public java.util.Map<String, String> backupsInUse(int staleSeconds) {
        java.util.Map<String, String> inUse = new java.util.TreeMap<>();
        // a run recorded running whose heartbeat is older than staleSeconds: its worker is gone (abandoned), not in progress
        catalog.inConnection(c -> Sql.query(c, """
                select r.args ->> 'backup', 'restore run ' || r.run_id || case when r.heartbeat_at < now() - make_interval(secs => ?)
                       then ' reads it: abandoned, its worker gone (''tenantctl runs show ' || r.run_id || ''' names the restore that '
                            || 'takes it up again)' else ' (in progress) reads it' end from runs r
                where r.verb = 'restore' and r.status = 'running' and r.args ->> 'backup' is not null
                union all
                select * from (select distinct on (i.org_id) r.args ->> 'backup', 'org ' || i.org_id || ' is restoring from it: re-running '
                       || 'restore run ' || r.run_id || ' needs it'
                  from runs r join run_items i on i.run_id = r.run_id join orgs o on o.org_id = i.org_id
                  where r.verb = 'restore' and o.status = 'restoring' and r.args ->> 'backup' is not null
                  order by i.org_id, r.started_at desc) unfinished
                """, rs -> new String[]{rs.getString(1), rs.getString(2)}, staleSeconds)).forEach(r -> inUse.putIfAbsent(r[0], r[1]));
        return inUse;
    }

    /** Removes an org row that a restore --to-org created and that never held data; only while it is unfinished. */
    public boolean deleteUnfinishedOrg(String orgId) {
        return catalog.inConnection(c -> Sql.update(c,
                "delete from orgs where org_id = ? and status in ('provisioning', 'restoring', 'failed')", orgId)) == 1;
    }

    private static Retired map(ResultSet rs) throws SQLException {
        return new Retired(rs.getString("pool_id"), rs.getString("database_name"), rs.getString("org_id"), Sql.instant(rs, "retired_at"),
                rs.getString("reason"));
    }
}
