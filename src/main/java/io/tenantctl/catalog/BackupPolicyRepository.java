package io.tenantctl.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Per-tier backup policies: how often an org is due (backup --due) and what retention keeps (backups prune). */
public final class BackupPolicyRepository {

    /** For a tier without a policy row: daily, kept 30 days, at least 7. */
    public static final Policy FALLBACK = new Policy(null, 24, 30, 7);

    /**
     * An org is due once its newest backup will pass its tier's frequency within this margin: a backup starts some
     * minutes after its run does (pods, the orgs queued before it), so on an hourly schedule an org whose backup is
     * 3 h 58 min old must be taken now, not at 4 h 58 min. The shipped schedules run hourly.
     */
    public static final int DUE_MARGIN_MINUTES = 60;

    private final Catalog catalog;

    public BackupPolicyRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    public record Policy(String tier, int frequencyHours, int retentionDays, int keepLast) {
    }

    public List<Policy> list() {
        return catalog.inConnection(c -> Sql.query(c, "select * from backup_policies order by frequency_hours desc, tier",
                BackupPolicyRepository::map));
    }

    /** The tier's policy, or {@link #FALLBACK} when the tier has none. */
    public Policy forTier(String tier) {
        Optional<Policy> p = catalog.inConnection(c -> Sql.one(c, "select * from backup_policies where tier = ?",
                BackupPolicyRepository::map, tier));
        return p.orElse(FALLBACK);
    }

    /**
     * Active orgs whose newest complete backup started more than their tier's frequency ago, or that have none;
     * optionally only on one pool. Ordered by id. A backup a read found damaged does not count: it holds nothing
     * restorable. "Ago" by the catalog's clock, in the same statement: a worker whose clock is behind must not find an
     * org's backup younger than it is (nothing would be due for as long as its clock stayed wrong).
     */
    public List<String> due(String poolId) {
        return catalog.inConnection(c -> Sql.query(c, DUE, rs -> rs.getString(1), dueParameters(poolId)));
    }

    /**
     * {@link #due}'s statement, its parameters {@link #dueParameters}. An org's backups within its frequency are looked
     * for org by org (a lateral subquery with a limit: never one join of every backup kept), by backups_org_live_idx
     * from the newest down to the frequency's start: a backup counted was recorded after it (its time is the earlier of
     * recorded_at and started_at), so the index reads only those, however many backups the org keeps.
     */
    static final String DUE = """
            select o.org_id
            from orgs o left join backup_policies p on p.tier = o.tier
                 -- a backup's time: the earlier of the worker's clock and the catalog's (a clock ahead must not hide an org); now(): the catalog's
                 cross join lateral (select now() - make_interval(hours => coalesce(p.frequency_hours, ?)) + make_interval(mins => ?) as since) f
                 left join lateral (select 1 as one from backups b where b.org_id = o.org_id and b.status = 'complete'
                                    and (b.error is null or b.error not like ?)
                                    and b.recorded_at > f.since and least(b.started_at, b.recorded_at) > f.since limit 1) fresh on true
            where (o.status = 'active'
                   -- a suspended org with no backup since it last changed (it was written until it was suspended): one
                   -- backup, by the catalog's clock after that change; then never due again while it stays suspended
                   or o.status = 'read_only' and not exists (select 1 from backups b where b.org_id = o.org_id
                                                              and b.status = 'complete' and (b.error is null or b.error not like ?)
                                                              and b.recorded_at >= o.updated_at))
              and (cast(? as text) is null or o.pool_id = ?)
              and fresh.one is null
            """ + "order by o.org_id";

    /**
     * The orgs {@link #due} names on pool {@code poolId} (or every pool: null), as a listing read a page at a time: each
     * page's ids and their orgs in one statement.
     */
    public static OrgRepository.Listing dueOrgs(String poolId) {
        return (c, after, n) -> OrgRepository.whereIdIn(c, DUE.replace("order by", "and o.org_id > ? order by") + " limit ?",
                java.util.stream.Stream.concat(java.util.Arrays.stream(dueParameters(poolId)), java.util.stream.Stream.of(after, n)).toArray());
    }

    /** {@link #DUE}'s parameters, of one pool or all (null). */
    static Object[] dueParameters(String poolId) {
        return new Object[] {FALLBACK.frequencyHours(), DUE_MARGIN_MINUTES, BackupRepository.DAMAGED + "%",
                BackupRepository.DAMAGED + "%", poolId, poolId};
    }

    private static Policy map(ResultSet rs) throws SQLException {
        return new Policy(rs.getString("tier"), rs.getInt("frequency_hours"), rs.getInt("retention_days"), rs.getInt("keep_last"));
    }
}
