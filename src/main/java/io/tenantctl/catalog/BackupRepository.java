package io.tenantctl.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The backups table: one row per backup attempt, from 'running' to 'complete', 'failed' or 'pruned'. */
public final class BackupRepository {

    public static final String RUNNING = "running";
    public static final String COMPLETE = "complete";
    public static final String FAILED = "failed";
    public static final String PRUNED = "pruned";

    private final Catalog catalog;

    public BackupRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * A backup row. {@code sha256} is the SHA-256 of the backup's manifest.json (which itself holds every file's
     * sha256), so it identifies the backup's exact content. {@code startedAt} is the worker's clock; {@code recordedAt}
     * the catalog's, when it recorded the start: what "newest" means (a worker's clock may be wrong). {@code workerAlive}:
     * a running backup's run item is still leased by a live worker (false when its worker stopped beating, or it has no run).
     * {@code runResumable}: its run is recorded and neither succeeded nor cancelled (its --resume goes on with it).
     */
    public record Backup(String backupId, String orgId, String location, String poolId, String databaseName, Instant startedAt,
                         Instant finishedAt, String status, Long docs, Long bytes, String sha256, String schemaHash, String runId,
                         String error, Instant recordedAt, boolean workerAlive, boolean runResumable) {
    }

    /** The row plus whether a live worker still holds its run item (the item leased, the lease not expired). */
    private static final String SELECT = """
            select b.*, exists (select 1 from run_items i where i.run_id = b.run_id and i.org_id = b.org_id
                                and i.status = 'running' and i.lease_until >= now()) as worker_alive,
                   exists (select 1 from runs r where r.run_id = b.run_id and r.status not in ('succeeded', 'cancelled')) as run_resumable
            from backups b""";

    /**
     * Records a backup as running, unless its id is taken (nothing written: try another) or the org has a complete
     * backup from run {@code runId} already, not found damaged since (nothing written: that one is the run's).
     */
    public Started start(String backupId, String orgId, String location, String poolId, String databaseName, Instant startedAt,
                         String schemaHash, String runId) {
        // one round trip, as the plain insert was: a worker of the run that died after the org's backup was complete, and
        // before its run item said so, left it done; the worker that takes the item over finds it here instead of taking
        // a second one (not one found damaged since)
        return catalog.inConnection(c -> Sql.one(c, START,
                rs -> new Started(rs.getBoolean(2), rs.getString(1), rs.getBoolean(3)), orgId, runId, DAMAGED + "%",
                backupId, orgId, location, poolId, databaseName, startedAt, schemaHash, runId).orElseThrow());
    }

    /** {@link #start}'s statement (its first three parameters: the org, the run, {@link #DAMAGED} and %). */
    static final String START = """
            with done as (select backup_id, status from backups where org_id = ? and run_id = ? and (status = 'complete'
                          and coalesce(error, '') not like ? or status = 'running') order by recorded_at desc limit 1),
                 ins as (insert into backups (backup_id, org_id, location, pool_id, database_name, started_at, status, schema_hash, run_id)
                         select ?, ?, ?, ?, ?, cast(? as timestamptz), 'running', ?, ? where not exists (select 1 from done)
                         on conflict (backup_id) do nothing returning backup_id)
            select (select backup_id from done), exists (select 1 from ins), (select status = 'running' from done)""";

    /**
     * What {@link #start} did: recorded the backup as running; or not, the id being taken (try another); or not, the org
     * having a complete backup from this run already ({@code doneInRun}, its id) — or one still running ({@code
     * stranded}: its worker, now gone, may have finished it in the store while the catalog was out of reach).
     */
    public record Started(boolean recorded, String doneInRun, boolean stranded) {
    }

    /**
     * Records that the manifest was written, if {@code leaseHolder} still holds the org's lease (one statement, no gap):
     * a worker stopped past its lease (kill -STOP), whose org another operation took over meanwhile (a takeover of its run
     * backed the org up and thawed it, the application wrote to it), records no second backup of the org in the run,
     * labelled frozen though the org was writable during its copy. Otherwise throws {@link LostOrg}: the caller marks the
     * backup failed, its files left to 'backups prune' as any failed backup's.
     */
    public void complete(String backupId, String leaseHolder, Instant finishedAt, long docs, long bytes, String manifestSha256) {
        int n = catalog.inConnection(c -> Sql.update(c, "update backups b set status = 'complete', finished_at = ?, docs = ?, bytes = ?, "
                + "sha256 = ?, error = null where backup_id = ? and exists (select 1 from org_leases l where l.org_id = b.org_id "
                + "and l.holder = ? and l.lease_until >= now())", finishedAt, docs, bytes, manifestSha256, backupId, leaseHolder));
        if (n != 1) {
            throw new LostOrg("it lost org " + find(backupId).map(Backup::orgId).orElse("?") + " to another operation (its lease "
                    + "expired while this worker was stopped, and another took the org over): not recorded complete");
        }
    }

    /** A backup whose worker no longer held its org's lease when it would have recorded it complete (its manifest is written). */
    public static final class LostOrg extends io.tenantctl.TenantctlException {
        LostOrg(String message) {
            super(Category.FAILED, message);
        }
    }

    /** Records complete a backup {@link #start} found still running in the run (its manifest read from the store); else nothing. */
    public void recordStranded(Started earlier, String leaseHolder, Instant finishedAt, long docs, long bytes, String manifestSha256) {
        if (earlier.stranded()) {
            complete(earlier.doneInRun(), leaseHolder, finishedAt, docs, bytes, manifestSha256);
        }
    }

    /** A backup {@link #start} found that is not whole in the store: failed if it was still running, else marked damaged. */
    public void setAside(Started earlier, Instant now, String why) {
        if (earlier.stranded()) {
            fail(earlier.doneInRun(), now, "its worker stopped before it was whole: " + why);
        } else {
            markDamaged(earlier.doneInRun(), why);
        }
    }

    /** Records that the backup was abandoned, and why. */
    public void fail(String backupId, Instant finishedAt, String error) {
        catalog.inConnection(c -> Sql.update(c, "update backups set status = 'failed', finished_at = ?, error = ? where backup_id = ?",
                finishedAt, error, backupId));
    }

    /** How a complete backup's error begins once reading it found it damaged ({@link #markDamaged}). */
    public static final String DAMAGED = "damaged: ";

    /** Why a complete backup was found damaged, when its {@code error} is such a mark ({@link #markDamaged}). */
    public static Optional<String> damage(String error) {
        return error != null && error.startsWith(DAMAGED) ? Optional.of(error.substring(DAMAGED.length())) : Optional.empty();
    }

    /**
     * Records that reading a complete backup back (a restore, verify --deep) found its content damaged: the row stays
     * complete (restore still takes it as the newest and refuses it, never an older one quietly), prune no longer counts
     * it as the newest restorable one, and the next deep verify reads it again.
     */
    public void markDamaged(String backupId, String why) {
        catalog.inConnection(c -> Sql.update(c, "update backups set error = ?, verified_at = null where backup_id = ? and status = 'complete'",
                DAMAGED + why, backupId));
    }

    /** Records that a backup was read back whole (a restore, verify --deep): a damage an earlier read found is mended. */
    public void readBackWhole(String backupId) {
        catalog.inConnection(c -> Sql.update(c, "update backups set error = null where backup_id = ? and status = 'complete' and error like ?",
                backupId, DAMAGED + "%"));
    }

    /** Records that retention deleted the backup's files (the row stays, for the audit trail). */
    public void markPruned(String backupId) {
        catalog.inConnection(c -> Sql.update(c, "update backups set status = 'pruned' where backup_id = ?", backupId));
    }

    /** How the error of a backup row {@link #forget} marked begins. */
    public static final String FORGOTTEN = "forgotten: ";

    /**
     * Records that a backup recorded complete is gone from the store for good (its files deleted by a hand or a lifecycle
     * rule): pruned, as retention would leave it, with why after {@link #FORGOTTEN}; the row stays for the audit trail.
     */
    public void forget(String backupId, String why) {
        catalog.inConnection(c -> Sql.update(c, "update backups set status = 'pruned', error = ? where backup_id = ? and status = 'complete'",
                FORGOTTEN + why, backupId));
    }

    public Optional<Backup> find(String backupId) {
        return catalog.inConnection(c -> Sql.one(c, SELECT + " where backup_id = ?", BackupRepository::map, backupId));
    }

    /** Rows that are not pruned, of one org (or all when null), newest first. */
    public List<Backup> list(String orgId) {
        return catalog.inConnection(c -> Sql.query(c, LIST, BackupRepository::map, orgId, orgId));
    }

    /** {@link #list}'s statement (the org twice). */
    static final String LIST = SELECT + " where status <> 'pruned' and (cast(? as text) is null or org_id = ?) "
            + "order by org_id, recorded_at desc, backup_id desc";

    /**
     * Every row that is not pruned, by org then newest first, handed to {@code each} as read (a fleet's backups can be
     * tens of thousands of rows: none is held). {@code each} must not use the catalog.
     */
    public void forEachRow(java.util.function.Consumer<Backup> each) {
        catalog.inTransaction(c -> {
            // bytewise org order, as Java compares strings (whatever the database's collation, which may skip hyphens):
            // Backups.forEach merges it with the store's sorted listing
            Sql.stream(c, SELECT + " where status <> 'pruned' order by org_id collate \"C\", recorded_at desc, backup_id desc",
                    BackupRepository::map, each, 1000);
            return null;
        });
    }

    /** The org's newest complete backup, if any. */
    public Optional<Backup> newestComplete(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, NEWEST_COMPLETE, BackupRepository::map, orgId));
    }

    /** {@link #newestComplete}'s statement (the org). */
    static final String NEWEST_COMPLETE = SELECT + " where org_id = ? and status = 'complete' order by recorded_at desc, backup_id desc limit 1";

    /**
     * The org's newest backup that was complete when it was recorded at or before {@code at} (pruned since included): a
     * deleted org's final backup, when {@code at} is its delete.
     */
    public Optional<Backup> newestCompletedBy(String orgId, Instant at) {
        return catalog.inConnection(c -> Sql.one(c, SELECT + " where org_id = ? and status in ('complete', 'pruned') and recorded_at <= ? "
                + "order by recorded_at desc, backup_id desc limit 1", BackupRepository::map, orgId, at));
    }

    /**
     * {@link #completeUnder}'s statement, its one parameter {@link #likePrefix}: a prefix match, which the planner turns into
     * a range on backups_complete_location_idx (text_pattern_ops: byte order, whatever the database's collation).
     */
    static final String COMPLETE_UNDER = "select count(*), count(distinct org_id) from backups where status = 'complete' "
            + "and location like ? escape '\\'";

    /** How many complete backups, of how many orgs, were recorded written under {@code location} (a store's root, ending in '/'). */
    public Written completeUnder(String location) {
        return catalog.inConnection(c -> Sql.one(c, COMPLETE_UNDER, rs -> new Written(rs.getLong(1), rs.getLong(2)),
                likePrefix(location)).orElseThrow());
    }

    /** The LIKE pattern of the strings starting with {@code prefix}: its backslashes, '%' and '_' matched as themselves. */
    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** {@link #completeUnder}'s answer. */
    public record Written(long backups, long orgs) {
    }

    private static Backup map(ResultSet rs) throws SQLException {
        return new Backup(rs.getString("backup_id"), rs.getString("org_id"), rs.getString("location"), rs.getString("pool_id"),
                rs.getString("database_name"), Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at"), rs.getString("status"),
                (Long) rs.getObject("docs"), (Long) rs.getObject("bytes"), rs.getString("sha256"), rs.getString("schema_hash"),
                rs.getString("run_id"), rs.getString("error"), Sql.instant(rs, "recorded_at"), rs.getBoolean("worker_alive"),
                rs.getBoolean("run_resumable"));
    }
}
