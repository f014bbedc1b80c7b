package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/** Run history: one {@code runs} row per fan-out verb invocation, one {@code run_items} row per org. */
public final class RunRepository {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** First key of the advisory lock that serialises the claimers of one run (the second is the run id's hash). */
    private static final int CLAIM_LOCK_CLASS = 0x746e_7401;

    private final Catalog catalog;

    RunRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A run; {@code perPool} is its --per-pool over every worker (null for a run recorded before catalog version 8). */
    public record Run(String runId, String verb, String args, Instant startedAt, Instant finishedAt, String status, String actor,
                      String summary, String reason, Integer perPool) {
        public RunStatus runStatus() {
            return RunStatus.of(status);
        }
    }

    public record Item(String orgId, String status, int attempts, Long millis, String error, String poolId, String detail) {
        public ItemStatus itemStatus() {
            return ItemStatus.of(status);
        }
    }

    /** Whether anyone is working on a run: items under a live lease, and whether any item was ever claimed. */
    public record Activity(int liveLeases, boolean everClaimed, Instant lastHeartbeat, boolean heartbeatStale) {
    }

    /**
     * How {@link #activity} judges a worker: a heartbeat older than {@code staleSeconds} is stale, and a claim or heartbeat
     * of a worker {@code knownDead} says of (its id: a process of this host that is gone) counts for nothing.
     */
    public record Liveness(int staleSeconds, java.util.function.Predicate<String> knownDead) {
    }

    /** An item to record: its pool, its place in the claim order, and its initial status (and error and detail, if final). */
    public record NewItem(String orgId, String poolId, int seq, ItemStatus status, String error, String detail) {
        public NewItem(String orgId, String poolId, int seq, ItemStatus status, String error) {
            this(orgId, poolId, seq, status, error, null);
        }

        /** An org for a run to work on: the run's engine makes it pending (or held behind a canary) and numbers it. */
        public static NewItem toDo(String orgId, String poolId) {
            return new NewItem(orgId, poolId, 0, null, null);
        }

        /** An org a run ends before starting it ({@code status}: failed, skipped or unchanged), saying why. */
        public static NewItem ended(String orgId, String poolId, ItemStatus status, String error) {
            return new NewItem(orgId, poolId, 0, status, error);
        }

        /** As {@link #ended(String, String, ItemStatus, String)}, with what the item's detail records of why (JSON). */
        public static NewItem ended(String orgId, String poolId, ItemStatus status, String error, String detail) {
            return new NewItem(orgId, poolId, 0, status, error, detail);
        }
    }

    /** An item a worker has claimed ({@link #RUN_ENDED}: none, because the run is no longer running). */
    public record Claimed(String orgId, String poolId) {
        public static final Claimed RUN_ENDED = new Claimed(null, null);
    }

    /** Creates a run and one pending item per org; returns the run id. */
    public String start(String verb, String argsJson, String actor, List<String> orgIds) {
        List<NewItem> items = new java.util.ArrayList<>();
        for (String orgId : orgIds) {
            items.add(new NewItem(orgId, null, items.size(), ItemStatus.PENDING, null));
        }
        return start(verb, argsJson, actor, items, null);
    }

    /** How many items of a new run are sent to the catalog in one batch, and how many orgs are read at once to make them. */
    private static final int ITEMS_PER_BATCH = 1000;

    /**
     * A new run's items as they are selected, handed to its recording one at a time on the connection that records it:
     * those of a list, or orgs read a page at a time, each page made its items ({@link #ofLiveOrgs}, {@link #ofListings}).
     */
    public static final class Items {
        private final Source source;

        private Items(Source source) {
            this.source = source;
        }

        /** The items of {@code items}, in their order. */
        public static Items of(List<NewItem> items) {
            return new Items((c, each) -> {
                for (NewItem i : items) {
                    each.accept(i);
                }
            });
        }

        /**
         * The items of {@code pages} pages, in order, each made by {@code page} (its number, from 0) while the run is
         * recorded, before the next is (it may use the catalog, on connections of its own): a long list's items are never
         * all held.
         */
        public static Items ofPages(int pages, java.util.function.IntFunction<List<NewItem>> page) {
            return new Items((c, each) -> {
                for (int n = 0; n < pages; n++) {
                    for (NewItem i : page.apply(n)) {
                        each.accept(i);
                    }
                }
            });
        }

        /**
         * Each org not deleted, by id, made an item by {@code item} (null: not in the run), read a page at a time while the
         * run is recorded: a fleet's orgs are never all held, nor its items. {@code item} is told whether the org was verified
         * clean since its last change under verify's rules version {@code rules} ({@link FindingRepository#unchangedSinceClean})
         * when {@code unchanged} asks for it (else false); it must not use the catalog.
         */
        public static Items ofLiveOrgs(java.util.function.BiFunction<Org, Boolean, NewItem> item, boolean unchanged, int rules) {
            return new Items((c, each) -> {
                for (String after = ""; after != null; ) {
                    List<Org> page = OrgRepository.livePage(c, after, ITEMS_PER_BATCH);
                    after = page.size() < ITEMS_PER_BATCH ? null : page.get(page.size() - 1).orgId();
                    java.util.Set<String> same = !unchanged ? java.util.Set.of()
                            : FindingRepository.unchangedSinceClean(c, page.stream().map(Org::orgId).toList(), rules);
                    for (Org o : page) {
                        NewItem i = item.apply(o, same.contains(o.orgId()));
                        if (i != null) {
                            each.accept(i);
                        }
                    }
                }
            });
        }

        /**
         * The orgs of each of {@code listings} in turn, read a page at a time while the run is recorded, each page made its
         * items by {@code items} (which may use the catalog, on connections of its own) before the next is read: a fleet's
         * orgs are never all held, nor its items.
         */
        public static Items ofListings(List<OrgRepository.Listing> listings, java.util.function.Function<List<Org>, List<NewItem>> items) {
            return new Items((c, each) -> {
                for (OrgRepository.Listing listing : listings) {
                    for (String after = ""; after != null; ) {
                        List<Org> page = listing.page(c, after, ITEMS_PER_BATCH);
                        after = page.size() < ITEMS_PER_BATCH ? null : page.get(page.size() - 1).orgId();
                        for (NewItem i : items.apply(page)) {
                            each.accept(i);
                        }
                    }
                }
            });
        }

        /**
         * These items, recorded once the recording's transaction holds the advisory lock {@code key} and {@code check} has
         * passed (or thrown, and nothing is recorded): the check and the run's recording one step among recordings under the
         * same key, so that two started at the same instant cannot both pass a check the other's run would have failed. The
         * lock goes with the transaction: held while the items are recorded, never while the run is worked on.
         */
        public Items checkedUnder(long key, Runnable check) {
            return new Items((c, each) -> {
                Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, key);
                check.run(); // it reads on connections of its own: what a recording before this one committed, it sees
                source.forEach(c, each);
            });
        }

        /**
         * The items handed to {@code page} {@code size} at a time, in their order, each page as soon as it is read (on one
         * connection, held until the last is handed over): a dry run plans each before the next is read, so that a fleet's
         * items are never all held.
         */
        public void forEachPage(Catalog catalog, int size, java.util.function.Consumer<List<NewItem>> page) {
            catalog.inConnection(c -> {
                List<NewItem> buffer = new java.util.ArrayList<>();
                source.forEach(c, i -> {
                    buffer.add(i);
                    if (buffer.size() == size) {
                        page.accept(List.copyOf(buffer));
                        buffer.clear();
                    }
                });
                if (!buffer.isEmpty()) {
                    page.accept(List.copyOf(buffer));
                }
                return null;
            });
        }

        private interface Source {
            void forEach(java.sql.Connection c, Sink each) throws SQLException;
        }

        private interface Sink {
            void accept(NewItem item) throws SQLException;
        }
    }

    /** Creates a run with the given items, each with its seq and status; returns the run id. */
    public String start(String verb, String argsJson, String actor, List<NewItem> items, String summaryJson) {
        return start(verb, argsJson, actor, items, summaryJson, null);
    }

    /**
     * As {@link #start(String, String, String, List, String)}, with {@code worker} (or null) beating for it from its
     * creation: a run its creator works on has a live worker from the moment it exists, so a creator killed before its
     * first claim leaves it abandoned (resumed or cancelled as runs list says), not waiting for workers like a --detach's.
     */
    public String start(String verb, String argsJson, String actor, List<NewItem> items, String summaryJson, String worker) {
        return catalog.inTransaction(c -> {
            String runId = insertRun(c, verb, argsJson, actor, summaryJson, worker);
            insertItems(c, runId, Items.of(items), false);
            return runId;
        });
    }

    /**
     * Records a run of {@code items} as they come, with {@code worker} (or null) beating for it from its creation: those to
     * do ({@link NewItem#toDo}) claimed in turn across the pools (each pool's first, the pools in the order they first come,
     * then each one's second, …: the first claims, a canary, spread over every pool) — with a canary ({@code canary} &gt; 0,
     * fewer orgs than the run has), only the first {@code canary} at once, the rest held until they pass — followed by those
     * it ends before starting ({@link NewItem#ended}), in their order. Sent a batch at a time and put in that order by the
     * catalog: memory does not grow with the run. Its args and summary are asked for once its items are recorded.
     */
    public String start(String verb, java.util.function.Supplier<String> argsJson, String actor, Items items, int canary,
                        java.util.function.Supplier<String> summaryJson, String worker) {
        return start(verb, argsJson, actor, items, canary, summaryJson, worker, null);
    }

    /**
     * As {@link #start(String, java.util.function.Supplier, String, Items, int, java.util.function.Supplier, String)}, with
     * the run's {@code perPool} (or null), which its workers keep unless they pass their own: recorded with the run, never
     * a statement after it (a catalog lost between the two left a --detach'ed run whose joiners took their own limit).
     */
    public String start(String verb, java.util.function.Supplier<String> argsJson, String actor, Items items, int canary,
                        java.util.function.Supplier<String> summaryJson, String worker, Integer perPool) {
        return catalog.inTransaction(c -> {
            String runId = insertRun(c, verb, "{}", actor, null, worker);
            int toDo = insertItems(c, runId, items, true);
            // what the run records of its selection (how many orgs, of which kind) is known once its items are
            Sql.update(c, "update runs set args = cast(? as jsonb), summary = cast(? as jsonb), per_pool = cast(? as integer) where run_id = ?", argsJson.get(),
                    summaryJson.get(), perPool, runId);
            boolean holds = canary > 0 && toDo > canary;
            Sql.update(c, "with work as (select org_id, row_number() over (partition by pool_id order by seq) as turn, "
                    + "min(seq) over (partition by pool_id) as pool_first from run_items where run_id = ? and status = 'pending'), "
                    + "numbered as (select org_id, row_number() over (order by turn, pool_first) - 1 as n, true as to_do from work "
                    + "union all select org_id, cast(? as bigint) + row_number() over (order by seq) - 1, false from run_items "
                    + "where run_id = ? and status <> 'pending') "
                    + "update run_items r set seq = numbered.n, status = case when numbered.to_do and ? and numbered.n >= ? then 'held' "
                    + "else r.status end from numbered where r.run_id = ? and r.org_id = numbered.org_id "
                    + "and (r.seq <> numbered.n or (numbered.to_do and ? and numbered.n >= ?))",
                    runId, toDo, runId, holds, canary, runId, holds, canary);
            return runId;
        });
    }

    private static String insertRun(java.sql.Connection c, String verb, String argsJson, String actor, String summaryJson, String worker)
            throws SQLException {
        // the second and four hex digits: two runs started in one second may draw the same id; draw again then
        String runId;
        do {
            runId = ID_TIME.format(Instant.now()) + "-" + Integer.toHexString(0x10000 | RANDOM.nextInt(0x10000)).substring(1);
        } while (Sql.update(c, "insert into runs (run_id, verb, args, status, actor, summary, heartbeat_at, heartbeat_by) values (?, ?, "
                + "cast(? as jsonb), 'running', ?, cast(? as jsonb), case when cast(? as text) is null then null else now() end, ?) on conflict (run_id) "
                + "do nothing", runId, verb, argsJson, actor, summaryJson, worker, worker) == 0);
        return runId;
    }

    /**
     * Inserts {@code items} as they come, a batch at a time (the driver holds a batch's rows until it is sent): as given, or
     * ({@code arriving}) numbered in the order they come, those to do pending; returns how many are to do.
     */
    private static int insertItems(java.sql.Connection c, String runId, Items items, boolean arriving) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into run_items (run_id, org_id, pool_id, seq, status, error, detail) values (?, ?, ?, ?, ?, ?, cast(? as jsonb))")) {
            int[] sent = {0, 0};
            items.source.forEach(c, item -> {
                ps.setString(1, runId);
                ps.setString(2, item.orgId());
                ps.setString(3, item.poolId());
                ps.setInt(4, arriving ? sent[0] : item.seq());
                ps.setString(5, (item.status() == null ? ItemStatus.PENDING : item.status()).db());
                ps.setString(6, item.error());
                ps.setString(7, item.detail());
                ps.addBatch();
                sent[1] += item.status() == null ? 1 : 0;
                if (++sent[0] % ITEMS_PER_BATCH == 0) {
                    ps.executeBatch();
                }
            });
            ps.executeBatch();
            return sent[1];
        }
    }

    /** Extends the leases of every item {@code worker} is still working on, and notes that the run has a live worker. */
    public void renew(String runId, String worker, int leaseSeconds) {
        catalog.inTransaction(c -> {
            Sql.update(c, "update runs set heartbeat_at = now(), heartbeat_by = ? where run_id = ?", worker, runId);
            return Sql.update(c, "update run_items set lease_until = now() + make_interval(secs => ?) where run_id = ? and claimed_by = ? "
                    + "and status = 'running'", leaseSeconds, runId, worker);
        });
    }

    /**
     * Hands back claimed items that were never started (the worker was interrupted or the run aborted): the attempt their
     * claim counted is taken back.
     */
    public void release(String runId, String worker, List<String> orgIds) {
        if (orgIds.isEmpty()) {
            return;
        }
        catalog.inConnection(c -> Sql.update(c,
                "update run_items set status = 'pending', claimed_by = null, lease_until = null, " + UNCOUNT
                        + " where run_id = ? and claimed_by = ? and status = 'running' and org_id = any(?)",
                runId, worker, c.createArrayOf("text", orgIds.toArray())));
    }

    /**
     * In {@code c}'s transaction, ends {@code orgId}'s part in every run of {@code verb} that may still go on (not
     * succeeded nor cancelled): its item still to do, failed or running is skipped, saying {@code why} (then its last
     * error), so that no --resume or --join of those runs takes it up again. The caller holds the org's lease, so a
     * running item's worker is not at work on the org: one that claimed it and has yet to take the lease finds it skipped
     * once it has (the run engine looks), and does nothing.
     */
    static int skipUnfinished(java.sql.Connection c, String verb, String orgId, String why) throws SQLException {
        return Sql.update(c, "update run_items i set status = 'skipped', error = ? || coalesce('; its last error: ' || i.error, ''), "
                + "claimed_by = null, lease_until = null, not_before = null, busy_since = null from runs r where r.run_id = i.run_id "
                + "and r.verb = ? and r.status not in ('succeeded', 'cancelled') and i.org_id = ? "
                + "and i.status in ('pending', 'held', 'failed', 'running')", why, verb, orgId);
    }

    /** Turns held items (waiting for a canary) into pending ones. */
    public void releaseHeld(String runId) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'pending' where run_id = ? and status = 'held'", runId));
    }

    /**
     * Makes a run workable again: failed and abandoned items back to pending, the run back to running. Held items (behind
     * a canary) stay held: the engine releases them once the canary's orgs, retried now, pass. An item given back carries
     * no error, time or detail: the earlier attempt's failure (or stop) and what it left (an abandoned backup's id) are
     * history, and a run that has not reached an org says nothing on it.
     */
    public void reopen(String runId) {
        catalog.inTransaction(c -> {
            Sql.update(c, "update run_items set status = 'pending', claimed_by = null, lease_until = null, not_before = null, "
                    + "busy_since = null, error = null, millis = null, detail = null where run_id = ? "
                    + "and (status = 'failed' or (status = 'running' and (lease_until is null or lease_until < now())))", runId);
            return Sql.update(c, "update runs set status = 'running', finished_at = null, reason = null where run_id = ?", runId);
        });
    }

    /** An interrupted run is running again (--join): its pending items are claimed; failed ones stay failed. */
    public void continueInterrupted(String runId) {
        catalog.inConnection(c -> Sql.update(c, "update runs set status = 'running', finished_at = null where run_id = ? "
                + "and status = 'interrupted'", runId));
    }

    /** Item count by status. */
    public java.util.Map<String, Integer> counts(String runId) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        catalog.inConnection(c -> Sql.query(c, "select status, count(*) from run_items where run_id = ? group by status",
                rs -> out.put(rs.getString(1), rs.getInt(2)), runId));
        return out;
    }

    /**
     * The wall times of the run's items done (succeeded, failed or unchanged, timed): p50, p95 (nearest-rank, as
     * percentile_disc takes them), max, how many and their sum, worked out by the catalog: a fleet's times are not read back.
     */
    public long[] doneMillis(String runId) {
        return catalog.inConnection(c -> Sql.one(c, "select coalesce(percentile_disc(0.5) within group (order by millis), 0), "
                + "coalesce(percentile_disc(0.95) within group (order by millis), 0), coalesce(max(millis), 0), count(*), "
                + "coalesce(sum(millis), 0) from run_items "
                + "where run_id = ? and millis is not null and status in (" + ItemStatus.TIMED_SQL + ")",
                rs -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)}, runId).orElseThrow());
    }

    /**
     * As {@link #doneMillis}, over the run's items of one {@code status} (one without a time as 0 ms), worked out by the
     * catalog: p50, p95, max, how many and their sum.
     */
    public long[] millisOf(String runId, String status) {
        return catalog.inConnection(c -> Sql.one(c, "select coalesce(percentile_disc(0.5) within group (order by coalesce(millis, 0)), 0), "
                + "coalesce(percentile_disc(0.95) within group (order by coalesce(millis, 0)), 0), coalesce(max(millis), 0), count(*), "
                + "coalesce(sum(millis), 0) from run_items where run_id = ? and status = ?",
                rs -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)}, runId, status).orElseThrow());
    }

    /** Item count by pool ("" for an item with none) and status, worked out by the catalog. */
    public java.util.Map<String, java.util.Map<String, Integer>> countsByPool(String runId) {
        java.util.Map<String, java.util.Map<String, Integer>> out = new java.util.TreeMap<>();
        catalog.inConnection(c -> Sql.query(c, "select coalesce(pool_id, ''), status, count(*) from run_items where run_id = ? "
                + "group by 1, 2", rs -> out.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2), rs.getInt(3)), runId));
        return out;
    }

    /**
     * As {@link #doneMillis}, by pool ("" for an item with none): a pool none of whose items was timed is left out.
     */
    public java.util.Map<String, long[]> doneMillisByPool(String runId) {
        java.util.Map<String, long[]> out = new java.util.TreeMap<>();
        catalog.inConnection(c -> Sql.query(c, "select coalesce(pool_id, ''), percentile_disc(0.5) within group (order by millis), "
                + "percentile_disc(0.95) within group (order by millis), max(millis), count(*), sum(millis) from run_items "
                + "where run_id = ? and millis is not null and status in (" + ItemStatus.TIMED_SQL + ") group by 1",
                rs -> out.put(rs.getString(1), new long[]{rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)}), runId));
        return out;
    }

    /** Attempts beyond the first, summed over the run's items. */
    public long retries(String runId) {
        return catalog.inConnection(c -> Sql.one(c, "select coalesce(sum(greatest(attempts - 1, 0)), 0) from run_items where run_id = ?",
                rs -> rs.getLong(1), runId).orElseThrow());
    }

    /** The run's {@code n} slowest items (a time above 0), slowest first, those of one time by org id; their detail not read. */
    public List<Item> slowest(String runId, int n) {
        return catalog.inConnection(c -> Sql.query(c, "select org_id, status, attempts, millis, error, pool_id, null from run_items "
                + "where run_id = ? and millis > 0 order by millis desc, org_id limit ?", RunRepository::mapItem, runId, n));
    }

    /** Of {@code runIds}, those with an item cancelled: one never started, or left by a dead worker, when the run was cancelled. */
    public java.util.Set<String> withCancelledItems(java.util.Collection<String> runIds) {
        java.util.Set<String> out = new java.util.HashSet<>();
        if (!runIds.isEmpty()) {
            catalog.inConnection(c -> Sql.query(c, "select distinct run_id from run_items where run_id = any(?) and status = 'cancelled'",
                    rs -> out.add(rs.getString(1)), c.createArrayOf("text", runIds.toArray())));
        }
        return out;
    }

    /**
     * Whether every org a backup run has left undone (pending, held or running, or failed — an org in flight when it was
     * interrupted is failed, and --resume retries it; at least one) has a complete backup, not found damaged, begun after
     * the run began: going on with the run would back them up again.
     */
    public boolean backedUpSince(String runId) {
        return catalog.inConnection(c -> Sql.one(c, "select count(*) > 0 and bool_and(exists (select 1 from backups b where "
                + "b.org_id = i.org_id and b.status = 'complete' and (b.error is null or b.error not like ?) and b.started_at > r.started_at)) "
                + "from run_items i join runs r on r.run_id = i.run_id where i.run_id = ? and i.status in ('pending', 'held', 'running', 'failed')",
                rs -> rs.getBoolean(1), BackupRepository.DAMAGED + "%", runId)).orElse(false);
    }

    /**
     * Whether run {@code runId} has failed items and every one's detail holds one of {@code marks} (a JSON array of
     * objects, each a containment a detail may hold: e.g. what refused it).
     */
    public boolean everyFailedItemHolds(String runId, String marks) {
        return catalog.inConnection(c -> Sql.one(c, "select count(*) > 0 and coalesce(bool_and(exists (select 1 from jsonb_array_elements(cast(? as jsonb)) m "
                + "where i.detail @> m.value)), false) from run_items i where i.run_id = ? and i.status = 'failed'",
                rs -> rs.getBoolean(1), marks, runId)).orElse(false);
    }

    /** The run's open items (pending, held or running) by pool ("" for items without one). */
    public java.util.Map<String, Integer> openByPool(String runId) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        catalog.inConnection(c -> Sql.query(c, "select coalesce(pool_id, ''), count(*) from run_items where run_id = ? "
                + "and status in ('pending', 'held', 'running') group by 1", rs -> out.put(rs.getString(1), rs.getInt(2)), runId));
        return out;
    }

    /** How many items of the run have {@code status}: one walk of the claim index over just those items. */
    public int count(String runId, String status) {
        return catalog.inConnection(c -> Sql.one(c, "select count(*) from run_items where run_id = ? and status = ?",
                rs -> rs.getInt(1), runId, status).orElse(0));
    }

    public String status(String runId) {
        return get(runId).status();
    }

    /** Marks the run aborted (only while it is still running); true when this call did it. */
    public boolean abort(String runId) {
        return catalog.inConnection(c -> Sql.update(c,
                "update runs set status = 'aborted', finished_at = now() where run_id = ? and status = 'running'", runId)) == 1;
    }

    public void summarize(String runId, String summaryJson) {
        catalog.inConnection(c -> Sql.update(c, "update runs set summary = cast(? as jsonb) where run_id = ?", summaryJson, runId));
    }

    /** Every run of {@code verb} started after run {@code runId}, oldest first. */
    public List<Run> allStartedAfter(String runId, String verb) {
        return catalog.inConnection(c -> Sql.query(c, "select * from runs where verb = ? and run_id <> ? and started_at > "
                + "(select started_at from runs where run_id = ?) order by started_at", RunRepository::mapRun, verb, runId, runId));
    }

    /** The newest run of {@code verb} that has an item for {@code orgId}, if any (the run that resumes that org's work). */
    public Optional<Run> newestWith(String verb, String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select r.* from runs r join run_items i on i.run_id = r.run_id "
                + "where r.verb = ? and i.org_id = ? order by r.started_at desc limit 1", RunRepository::mapRun, verb, orgId));
    }

    /**
     * The newest {@code limit} runs of {@code verb} whose item for {@code orgId} applied the run's manifest to it
     * (succeeded or unchanged), newest first: not one that lists it still to do or failed on it.
     */
    public List<Run> appliedOn(String verb, String orgId, int limit) {
        return catalog.inConnection(c -> Sql.query(c, "select r.* from runs r join run_items i on i.run_id = r.run_id "
                + "where r.verb = ? and i.org_id = ? and i.status in ('succeeded', 'unchanged') order by r.started_at desc limit ?",
                RunRepository::mapRun, verb, orgId, limit));
    }

    /** The newest run of {@code verb} that worked on {@code orgId} and did not finish it: its item failed, or is still running. */
    public Optional<Run> newestUnfinishedOn(String verb, String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select r.* from runs r join run_items i on i.run_id = r.run_id "
                + "where r.verb = ? and i.org_id = ? and i.status in ('failed', 'running') order by r.started_at desc limit 1",
                RunRepository::mapRun, verb, orgId));
    }

    /**
     * The runs of {@code verb} still marked running that have an item for {@code orgId}, newest first, however many
     * runs of any verb were started since.
     */
    public List<String> runningWith(String verb, String orgId) {
        return catalog.inConnection(c -> Sql.query(c, "select r.run_id from runs r join run_items i on i.run_id = r.run_id "
                + "where r.verb = ? and r.status = 'running' and i.org_id = ? order by r.started_at desc, r.run_id desc",
                rs -> rs.getString(1), verb, orgId));
    }

    /**
     * Every run still marked running, of any verb, newest first, however many runs were started since (those its workers
     * left are among them: a run's status stays running until someone ends it).
     */
    public List<Run> allRunning() {
        return catalog.inConnection(c -> Sql.query(c, "select * from runs where status = 'running' order by started_at desc, run_id desc",
                RunRepository::mapRun));
    }

    /** The newest run of {@code verb}, whatever its status, if any. */
    public Optional<Run> newest(String verb) {
        return catalog.inConnection(c -> Sql.one(c, "select * from runs where verb = ? order by started_at desc, run_id desc limit 1",
                RunRepository::mapRun, verb));
    }

    /** The newest still-running run of {@code verb}, if any. */
    public Optional<Run> running(String verb) {
        return catalog.inConnection(c -> Sql.one(c,
                "select * from runs where verb = ? and status = 'running' order by started_at desc limit 1", RunRepository::mapRun, verb));
    }

    /** Orgs still to be done (pending or running) by an unfinished (running or interrupted) run of {@code verb}: org → run. */
    public java.util.Map<String, String> queued(String verb) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        catalog.inConnection(c -> Sql.query(c, "select i.org_id, i.run_id from run_items i join runs r on r.run_id = i.run_id "
                + "where r.verb = ? and r.status in ('running', 'interrupted') and i.status in ('pending', 'running')",
                rs -> java.util.Map.entry(rs.getString(1), rs.getString(2)), verb)).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * The unfinished (running or interrupted) run of {@code verb} that has {@code orgId} still pending: not started by
     * any worker (one started and killed is for resume to roll back, and the org may be tried again).
     */
    public Optional<String> pendingIn(String verb, String orgId) {
        return Optional.ofNullable(pending(verb, List.of(orgId), "'running', 'interrupted'").get(orgId));
    }

    /**
     * Of {@code orgIds}, those a run of {@code verb} still marked running has pending (no worker has started them), in the
     * order given: org → run (the newest such run). Looked up a page of ids at a time, however long the list.
     */
    public java.util.Map<String, String> pendingInRunning(String verb, List<String> orgIds) {
        return pending(verb, orgIds, "'running'");
    }

    /** Of {@code orgIds}, those a run of {@code verb} whose status is one of {@code runStatuses} (SQL) has pending: org → the newest such run. */
    private java.util.Map<String, String> pending(String verb, List<String> orgIds, String runStatuses) {
        java.util.Map<String, String> found = new java.util.HashMap<>();
        catalog.inConnection(c -> {
            for (int from = 0; from < orgIds.size(); from += 1000) {
                Sql.query(c, "select distinct on (i.org_id) i.org_id, i.run_id from run_items i join runs r on r.run_id = i.run_id "
                        + "where r.verb = ? and r.status in (" + runStatuses + ") and i.status = 'pending' and i.org_id = any(?) "
                        + "order by i.org_id, r.started_at desc", rs -> java.util.Map.entry(rs.getString(1), rs.getString(2)), verb,
                        c.createArrayOf("text", orgIds.subList(from, Math.min(orgIds.size(), from + 1000)).toArray()))
                        .forEach(e -> found.put(e.getKey(), e.getValue()));
            }
            return null;
        });
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        orgIds.stream().filter(found::containsKey).forEach(id -> out.put(id, found.get(id)));
        return out;
    }

    /**
     * {@code work} done while no other session of any worker does the same for run {@code runId}: under a
     * transaction-scoped advisory lock on the run, held until {@code work} returns (what it read and recorded, the next
     * session reads in turn). For a choice among the run's workers that must see the ones made before it.
     */
    public <T> T oneAtATime(String runId, java.util.function.Supplier<T> work) {
        return catalog.inTransaction(c -> {
            try (var ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
                ps.setLong(1, 0x72756e5fL << 32 | (runId.hashCode() & 0xffff_ffffL)); // "run_", the run's id
                ps.execute();
            }
            return work.get();
        });
    }

    /** An item's detail recorded ahead of its outcome (what its worker promised it), for the run's other workers to read. */
    public void noteDetail(String runId, String orgId, String detailJson) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set detail = cast(? as jsonb) where run_id = ? and org_id = ?",
                detailJson, runId, orgId));
    }

    /** Items' details replaced (by org id) in one statement: what a run learned of its orgs once they ended. */
    public void replaceDetails(String runId, java.util.Map<String, String> detailByOrg) {
        if (detailByOrg.isEmpty()) {
            return;
        }
        catalog.inConnection(c -> Sql.update(c, "update run_items i set detail = cast(d.detail as jsonb) from unnest(?::text[], ?::text[]) "
                + "as d (org_id, detail) where i.run_id = ? and i.org_id = d.org_id", c.createArrayOf("text", detailByOrg.keySet().toArray()),
                c.createArrayOf("text", detailByOrg.values().toArray()), runId));
    }

    public void itemStarted(String runId, String orgId) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'running' where run_id = ? and org_id = ?", runId, orgId));
    }

    public void itemFinished(String runId, String orgId, String status, int attempts, long millis, String error) {
        itemFinished(runId, orgId, status, attempts, millis, error, null);
    }

    /** An item's outcome; {@code attempts} never lowers the count its claims made (a killed worker's attempt stays counted). */
    public void itemFinished(String runId, String orgId, String status, int attempts, long millis, String error, String detailJson) {
        catalog.inConnection(c -> Sql.update(c,
                "update run_items set status = ?, attempts = greatest(attempts, ?), millis = ?, error = ?, detail = cast(? as jsonb), lease_until = null "
                        + "where run_id = ? and org_id = ?",
                status, attempts, millis, error, detailJson, runId, orgId));
    }

    /**
     * Records the outcome of an item {@code worker} claimed, if it still holds the claim: a worker that outlived its lease,
     * whose item another worker took over, records nothing over the taker's outcome. False when it no longer held it.
     * {@code attempts} are this claim's (retries within it): added to the count, in which the claim counted one already.
     */
    public boolean claimedItemFinished(String runId, String orgId, String worker, String status, int attempts, long millis, String error,
                                       String detailJson) {
        return claimedItemFinished(runId, orgId, worker, status, attempts, millis, error, detailJson, null);
    }

    /** As above; {@code poolId}, when not null, is the pool the org's work was done on (it moved since the item was recorded). */
    public boolean claimedItemFinished(String runId, String orgId, String worker, String status, int attempts, long millis, String error,
                                       String detailJson, String poolId) {
        return catalog.inConnection(c -> Sql.update(c,
                "update run_items set status = ?, attempts = attempts + greatest(? - 1, 0), millis = ?, error = ?, detail = cast(? as jsonb), lease_until = null, "
                        + "pool_id = coalesce(?, pool_id) where run_id = ? and org_id = ? and claimed_by = ? and status = 'running'",
                status, attempts, millis, error, detailJson, poolId, runId, orgId, worker)) == 1;
    }

    /**
     * An item {@code worker} claimed whose work its Ctrl-C stopped and rolled back: not done, so pending again for any
     * worker of the run (cancelled, as the run's other unstarted items, if the run was cancelled meanwhile), with
     * {@code error} saying why it is not done; its attempt stays counted. Never failed: the org is not to blame, and
     * --max-failures and the canary count failed items only. Returns the status recorded (pending or cancelled), empty
     * when the worker no longer held it.
     */
    public Optional<ItemStatus> claimedItemInterrupted(String runId, String orgId, String worker, long millis, String error,
                                                       String detailJson) {
        return catalog.inConnection(c -> Sql.one(c, """
                update run_items set status = case when exists (select 1 from runs where run_id = ? and status = 'cancelled')
                        then 'cancelled' else 'pending' end,
                    millis = ?, error = ?, detail = cast(? as jsonb), claimed_by = null, lease_until = null, not_before = null
                where run_id = ? and org_id = ? and claimed_by = ? and status = 'running'
                returning status""", rs -> ItemStatus.of(rs.getString(1)), runId, millis, error, detailJson, runId, orgId, worker));
    }

    /**
     * The item a worker that died left running, ended as {@code status} with {@code error} by whoever put right what it
     * left (a dead move rolled back), with its {@code detailJson}: nobody else will record it. False when the item was
     * not running.
     */
    public boolean deadWorkersItemEnded(String runId, String orgId, String claimedBy, String status, String error, String detailJson) {
        return catalog.inConnection(c -> Sql.update(c, "update run_items set status = ?, attempts = greatest(attempts, 1), error = ?, "
                + "detail = cast(? as jsonb), claimed_by = null, lease_until = null where run_id = ? and org_id = ? and status = 'running' "
                + "and claimed_by is not distinct from ?", status, error, detailJson, runId, orgId, claimedBy)) == 1;
    }

    /** Who holds a running item's claim, and whether that claim's lease has run out. */
    public record RunningClaim(String claimedBy, boolean expired) {
    }

    /** The claim on {@code orgId}'s item in {@code runId}, if the item is running. */
    public Optional<RunningClaim> runningClaim(String runId, String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select claimed_by, coalesce(lease_until < now(), true) from run_items "
                + "where run_id = ? and org_id = ? and status = 'running'", rs -> new RunningClaim(rs.getString(1), rs.getBoolean(2)), runId, orgId));
    }

    /**
     * Ends a run still marked running once nothing is left in it (no item pending, held or running): failed when an item
     * failed or its verb left work {@code undone} (why, added to the run's reason; null when none), else succeeded. A run
     * with work left stays as it is (abandoned, for --resume or runs cancel).
     */
    public boolean finishIfNothingLeft(String runId, String undone) {
        return catalog.inConnection(c -> Sql.update(c, "update runs set status = case when cast(? as text) is not null or exists "
                + "(select 1 from run_items where run_id = ? and status = 'failed') then 'failed' else 'succeeded' end, finished_at = now(), "
                + "reason = case when cast(? as text) is null then reason else coalesce(reason || '; ', '') || ? end where run_id = ? "
                + "and status = 'running' and not exists (select 1 from run_items where run_id = ? and status in ('pending', 'held', "
                + "'running'))", undone, runId, undone, undone, runId, runId)) == 1;
    }

    /** Ends the run unless it was already ended (an abort by another worker wins). */
    public void finish(String runId, String status) {
        finish(runId, status, null);
    }

    /** As {@link #finish(String, String)}, {@code why} (when not null) added to the run's reason. */
    public void finish(String runId, String status, String why) {
        catalog.inConnection(c -> Sql.update(c, "update runs set status = ?, finished_at = now(), "
                + "reason = case when cast(? as text) is null then reason else coalesce(reason || '; ', '') || ? end "
                + "where run_id = ? and status = 'running'", status, why, why, runId));
    }

    public List<Run> list(int limit) {
        return catalog.inConnection(c -> Sql.query(c,
                "select * from runs order by started_at desc, run_id desc limit ?", RunRepository::mapRun, limit));
    }

    /** The newest {@code limit} runs of {@code verb}. */
    public List<Run> list(int limit, String verb) {
        return catalog.inConnection(c -> Sql.query(c,
                "select * from runs where verb = ? order by started_at desc, run_id desc limit ?", RunRepository::mapRun, verb, limit));
    }

    public Optional<Run> find(String runId) {
        return catalog.inConnection(c -> Sql.one(c, "select * from runs where run_id = ?", RunRepository::mapRun, runId));
    }

    public Run get(String runId) {
        return find(runId).orElseThrow(() -> TenantctlException.usage("no run '" + runId + "': see 'tenantctl runs list'"));
    }

    /** The error run {@code runId} recorded for {@code orgId}'s item, if it has one. */
    public Optional<String> itemError(String runId, String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select error from run_items where run_id = ? and org_id = ? and error is not null",
                rs -> rs.getString(1), runId, orgId));
    }

    /** The detail run {@code runId} recorded for {@code orgId}'s item, if it has one. */
    public Optional<String> itemDetail(String runId, String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select detail from run_items where run_id = ? and org_id = ? and detail is not null",
                rs -> rs.getString(1), runId, orgId));
    }

    /** The status of {@code orgId}'s item in run {@code runId}, if the run has one for it. */
    public Optional<ItemStatus> itemStatus(String runId, String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select status from run_items where run_id = ? and org_id = ?",
                rs -> ItemStatus.of(rs.getString(1)), runId, orgId));
    }

    /** The org of a run of one org (a restore's), if it has an item: one row read, not the run's items. */
    public Optional<String> onlyOrg(String runId) {
        return catalog.inConnection(c -> Sql.one(c, "select org_id from run_items where run_id = ? order by org_id limit 1",
                rs -> rs.getString(1), runId));
    }

    public List<Item> items(String runId) {
        return catalog.inConnection(c -> Sql.query(c, ITEMS, RunRepository::mapItem, runId));
    }

    /**
     * As {@link #items}, each handed to {@code each} as it is read, 1,000 rows a round trip (a run of 50,000 orgs is not
     * held by the driver as well as by the caller). {@code each} must not use the catalog.
     */
    public void forEachItem(String runId, java.util.function.Consumer<Item> each) {
        forEachItem(runId, true, each);
    }

    /**
     * As {@link #forEachItem(String, java.util.function.Consumer)}; without {@code withDetail} each item's detail is
     * null and not read from the catalog at all (a fleet's details are megabytes).
     */
    public void forEachItem(String runId, boolean withDetail, java.util.function.Consumer<Item> each) {
        catalog.inTransaction(c -> {
            Sql.stream(c, withDetail ? ITEMS : ITEMS_WITHOUT_DETAIL, RunRepository::mapItem, each, 1000, runId);
            return null;
        });
    }

    /**
     * As {@link #forEachItem}, {@code page} items at a time by org id (the run's key), each page read on a connection given
     * back before {@code each} is handed it: {@code each} may use the catalog — a write of its own between pages needs no
     * second connection, which a catalog with one connection left for tenantctl refuses.
     */
    public void forEachItemPage(String runId, int page, java.util.function.Consumer<List<Item>> each) {
        forEachItemPage(runId, page, true, each);
    }

    /** As {@link #forEachItemPage(String, int, java.util.function.Consumer)}; without {@code withDetail}, no item's detail read. */
    public void forEachItemPage(String runId, int page, boolean withDetail, java.util.function.Consumer<List<Item>> each) {
        for (String after = ""; after != null; ) {
            String from = after;
            List<Item> items = catalog.inConnection(c -> Sql.query(c, withDetail ? ITEMS_AFTER : ITEMS_AFTER_WITHOUT_DETAIL, RunRepository::mapItem,
                    runId, from, page));
            after = items.size() < page ? null : items.get(items.size() - 1).orgId();
            each.accept(items);
        }
    }

    private static final String ITEMS = "select org_id, status, attempts, millis, error, pool_id, detail from run_items where run_id = ? order by org_id";

    private static final String ITEMS_WITHOUT_DETAIL = "select org_id, status, attempts, millis, error, pool_id, null from run_items "
            + "where run_id = ? order by org_id";

    private static final String ITEMS_AFTER = "select org_id, status, attempts, millis, error, pool_id, detail from run_items "
            + "where run_id = ? and org_id > ? order by org_id limit ?";

    private static final String ITEMS_AFTER_WITHOUT_DETAIL = "select org_id, status, attempts, millis, error, pool_id, null from run_items "
            + "where run_id = ? and org_id > ? order by org_id limit ?";

    private static Item mapItem(ResultSet rs) throws SQLException {
        return new Item(rs.getString(1), rs.getString(2), rs.getInt(3), (Long) rs.getObject(4), rs.getString(5), rs.getString(6), rs.getString(7));
    }

    /** Takes back the attempt a claim counted, for an item handed back without being started. */
    private static final String UNCOUNT = "attempts = greatest(attempts - 1, 0)";

    /** A pending item that may be claimed now: not put back by {@link #putBack} for later. */
    private static final String PENDING_CLAIMABLE = "status = 'pending' and (not_before is null or not_before <= now())";

    /**
     * Claims one item for {@code worker}: the lowest seq running under an expired lease (its worker died), else the
     * lowest seq pending (and not put back for later), on a pool with fewer than {@code perPool} items under a live lease in this
     * run — counted over every worker, so N workers never put more than {@code perPool} orgs of a run on one pool.
     * Claimers of one run are serialised by a transaction-scoped advisory lock; rows go FOR UPDATE SKIP LOCKED.
     */
    public Optional<Claimed> claimOne(String runId, String worker, int perPool, int leaseSeconds) {
        return claimOne(runId, worker, perPool, leaseSeconds, -1, null);
    }

    /**
     * As {@link #claimOne(String, String, int, int)}, with a failure budget ({@code maxFailed} &ge; 0): once more items
     * have failed than it allows, the claim aborts the run ({@code abortReason}) instead of handing out another org.
     * Checked under the claim lock, so no worker of the run starts an org after the failure that spent the budget was
     * recorded (checked by the worker after its own org only, N workers each started more in the meantime).
     */
    public Optional<Claimed> claimOne(String runId, String worker, int perPool, int leaseSeconds, int maxFailed, String abortReason) {
        return claimOne(runId, worker, perPool, leaseSeconds, maxFailed, abortReason, "");
    }

    /**
     * As {@link #claimOne(String, String, int, int, int, String)}; an abort's reason has {@code ifOrgsLeft} added when some
     * of the run's orgs were not started (pending or held).
     */
    public Optional<Claimed> claimOne(String runId, String worker, int perPool, int leaseSeconds, int maxFailed, String abortReason,
                                      String ifOrgsLeft) {
        // One round trip, so that the run's claim lock is held only while the server runs it, never across the network
        // (four round trips held it 3.6 ms a claim on a busy 2-core machine, and every worker of the run queued behind
        // it). Three statements, one implicit transaction: the lock, taken first and held to the end; then the failure
        // budget (the run aborted, and no org handed out, once more items failed than it allows); then, on a snapshot
        // taken after both, the run's status, the pools at their --per-pool limit (items leased and live) and the claim.
        // The item taken is the first claimable one of a pool below its limit, by one index walk, by the same statement:
        // an item whose worker's lease ran out (its worker died; only looked for when there is one), else the next
        // pending one. Never every candidate row: that made each claim cost as much as the run has items, and a run of N
        // orgs N² (5 ms an org at 10,000). A claimed item is in progress: what an earlier attempt said on it (a failure
        // --resume retries, a stopped or dead worker's "not finished: …", its time and detail: the backup a Ctrl-C abandoned)
        // no longer holds, and goes until this one's outcome. Nothing decides from an earlier attempt's detail.
        String take = """
                update run_items set status = 'running', claimed_by = ?, not_before = null, lease_until = now() + make_interval(secs => ?),
                    attempts = attempts + 1, error = null, millis = null, detail = null
                where run_id = ? and org_id = (select org_id from run_items
                    where run_id = ? and %s and coalesce(pool_id, '') <> all((select at_limit from st)::text[])
                    order by seq limit 1
                    for update skip locked)
                returning org_id, pool_id""";
        String sql = """
                select pg_advisory_xact_lock(?, hashtext(?));
                update runs set status = 'aborted', finished_at = now(), reason = ? || %s
                where run_id = ? and status = 'running' and ? >= 0
                  and (select count(*) from run_items where run_id = ? and status = 'failed') > ?;
                with st as (
                    select r.status = 'running' as running,
                           array(select coalesce(i.pool_id, '') from run_items i
                                 where i.run_id = r.run_id and i.status = 'running' and i.lease_until >= now()
                                 group by 1 having count(*) >= ?) as at_limit,
                           exists(select 1 from run_items i where i.run_id = r.run_id and i.status = 'running'
                                  and i.lease_until < now()) as expired
                    from runs r where r.run_id = ?),
                expired as (%s),
                pending as (%s)
                select st.running, c.org_id, c.pool_id
                from st left join (select * from expired union all select * from pending) c on true
                """.formatted(IF_ORGS_LEFT, take.formatted("(select running and expired from st) and status = 'running' and lease_until < now()"),
                take.formatted("(select running from st) and not exists (select 1 from expired) and " + PENDING_CLAIMABLE));
        Object[] params = {CLAIM_LOCK_CLASS, runId,
                abortReason, runId, ItemStatus.PENDING.db(), ItemStatus.HELD.db(), ifOrgsLeft, runId, maxFailed, runId, maxFailed,
                perPool, runId,
                worker, leaseSeconds, runId, runId,
                worker, leaseSeconds, runId, runId};
        return catalog.inConnection(c -> Sql.last(c, sql, rs -> !rs.getBoolean(1) ? Optional.of(Claimed.RUN_ENDED)
                        : rs.getString(2) == null ? Optional.<Claimed>empty() : Optional.of(new Claimed(rs.getString(2), rs.getString(3))), params)
                .orElse(Optional.of(Claimed.RUN_ENDED))); // no row: no run by that id (any more)
    }

    /**
     * Hands a claimed item back to be claimed again no sooner than {@code delaySeconds} from now (its org is held by
     * another operation); returns how many seconds it has been waiting for its org in all, or empty when {@code worker}
     * no longer held the item's claim (it was ended meanwhile: cancelled by 'runs cancel', skipped by 'orgs forget', both
     * under the org's lease; or taken over): its status, then, is not this worker's to change.
     */
    public java.util.OptionalLong putBack(String runId, String orgId, String worker, int delaySeconds) {
        return putBack(runId, orgId, worker, delaySeconds, true);
    }

    /**
     * As {@link #putBack(String, String, String, int)}; with {@code waiting} false the wait is not for another operation
     * (its own run's turn) and does not start the item's busy clock (one an earlier wait for its org started keeps going).
     */
    public java.util.OptionalLong putBack(String runId, String orgId, String worker, int delaySeconds, boolean waiting) {
        return catalog.inConnection(c -> Sql.one(c, """
                update run_items set status = 'pending', claimed_by = null, lease_until = null, %s,
                    not_before = now() + make_interval(secs => ?), busy_since = case when ? then coalesce(busy_since, now()) else busy_since end
                where run_id = ? and org_id = ? and claimed_by = ? and status = 'running'
                returning coalesce(extract(epoch from now() - busy_since), 0)""".formatted(UNCOUNT), rs -> rs.getLong(1), delaySeconds,
                waiting, runId, orgId, worker).map(java.util.OptionalLong::of).orElse(java.util.OptionalLong.empty()));
    }

    /**
     * Fails, with {@code error}, an item its worker handed back ({@link #putBack}) having waited past --busy-timeout for
     * its org, only while it is still as handed back (pending, unclaimed): one ended in between ('runs cancel' cancelled
     * it, 'orgs forget' skipped it, both under the lease of whoever holds the org, so nothing stops them) or claimed again
     * keeps what that wrote. False when it was not failed so.
     */
    public boolean busyItemFailed(String runId, String orgId, long millis, String error) {
        return catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'failed', millis = ?, error = ?, detail = null, "
                + "lease_until = null where run_id = ? and org_id = ? and status = 'pending' and claimed_by is null",
                millis, error, runId, orgId)) == 1;
    }

    /**
     * Items under a live lease, and whether any item was ever claimed: what tells a live run from an abandoned one. A run
     * that never beat (a restore recorded by a tenantctl from before restores beat their run) but has started items with no
     * lease of their own (a restore's) is judged by their orgs' leases instead, as {@link #cancel} judges such items: started,
     * and its worker gone (stale) once no holder that may be alive has a live lease on any of those orgs.
     */
    public Activity activity(String runId, Liveness liveness) {
        return catalog.inConnection(c -> {
            int live = (int) liveClaims(c, runId).values().stream().filter(w -> w == null || !liveness.knownDead().test(w)).count();
            Activity activity = Sql.one(c, "select heartbeat_at is not null, heartbeat_at, coalesce(heartbeat_at < now() - make_interval(secs => ?), "
                    + "false), heartbeat_by from runs where run_id = ?", rs -> new Activity(live, rs.getBoolean(1), Sql.instant(rs,
                    "heartbeat_at"), rs.getBoolean(3) || rs.getString(4) != null && liveness.knownDead().test(rs.getString(4))),
                    liveness.staleSeconds(), runId).orElse(new Activity(0, false, null, false));
            if (activity.everClaimed()) {
                return activity;
            }
            // each started item without a lease of its own, with the holder of its org's live lease (null: none)
            List<String> orgHolders = Sql.query(c, "select l.holder from run_items i left join org_leases l on l.org_id = i.org_id "
                    + "and l.lease_until >= now() where i.run_id = ? and i.status = 'running' and i.lease_until is null",
                    rs -> rs.getString(1), runId);
            if (orgHolders.isEmpty()) {
                return activity;
            }
            boolean gone = orgHolders.stream().allMatch(h -> h == null || liveness.knownDead().test(h));
            return new Activity(live, true, null, gone);
        });
    }

    /** Running items whose lease is still live, with their worker: a resume on the same host may take over dead ones. */
    public java.util.Map<String, String> liveClaims(String runId) {
        return catalog.inConnection(c -> liveClaims(c, runId));
    }

    private static java.util.Map<String, String> liveClaims(java.sql.Connection c, String runId) throws java.sql.SQLException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        Sql.query(c, "select org_id, claimed_by from run_items where run_id = ? and status = 'running' and lease_until >= now()",
                rs -> out.put(rs.getString(1), rs.getString(2)), runId);
        return out;
    }

    /**
     * Ends this worker's hold on a run at once, as if its heartbeat had stopped a lease ago: its claimed items and the org
     * leases it holds expire now, so whoever resumes the run or next touches one of those orgs takes over (and recovers
     * an org by its recorded state) without waiting. One transaction; for a worker that stops without finishing its items
     * (on a failure not its orgs', the store full or not answering: {@code error} says why on its items; null leaves them
     * as they were), and the run's heartbeat, if it was the last to beat, is stale now ({@code staleSeconds} ago), so that
     * the run reads abandoned at once — from any host — rather than running for a lease's length with nobody on it.
     * Unless another worker is seen at work on the run (an item it holds under a live lease, or one put back in the last
     * {@code staleSeconds} to wait for its org or its turn: a worker waiting claims nothing): then the heartbeat stands,
     * naming no worker, so that neither its age nor this worker's exit makes the run read abandoned with a worker on it
     * (and, a migrate-all's, have the next rollout end that worker's lock session); the other's next beat names it.
     */
    public void expireHolder(String runId, String worker, String error, int staleSeconds) {
        catalog.inTransaction(c -> {
            Sql.update(c, "update run_items set lease_until = now() - interval '1 second', error = coalesce(?, error) where run_id = ? "
                    + "and claimed_by = ? and status = 'running'", error, runId, worker);
            boolean others = Sql.one(c, "select exists (select 1 from run_items where run_id = ? and (status = 'running' "
                    + "and lease_until >= now() and claimed_by is distinct from ? or status = 'pending' "
                    + "and not_before >= now() - make_interval(secs => ?)))", rs -> rs.getBoolean(1), runId, worker, staleSeconds).orElse(false);
            if (others) {
                Sql.update(c, "update runs set heartbeat_by = null where run_id = ? and heartbeat_by = ?", runId, worker);
            } else {
                Sql.update(c, "update runs set heartbeat_at = now() - make_interval(secs => ?) - interval '1 second' where run_id = ? "
                        + "and heartbeat_by = ?", staleSeconds, runId, worker);
            }
            return Sql.update(c, "update org_leases set lease_until = now() - interval '1 second' where holder = ?", worker);
        });
    }

    /**
     * The run's items recorded running that nobody works on: their claim's lease ran out, or their worker is one
     * {@code knownDead} says is gone. Not an item with no lease of its own (a restore's: its org's lease tells).
     */
    public java.util.Set<String> abandonedItems(String runId, java.util.function.Predicate<String> knownDead) {
        return catalog.inConnection(c -> {
            java.util.Set<String> out = new java.util.HashSet<>();
            Sql.query(c, "select org_id, claimed_by, lease_until < now() from run_items where run_id = ? and status = 'running' "
                    + "and lease_until is not null", rs -> {
                if (rs.getBoolean(3) || rs.getString(2) != null && knownDead.test(rs.getString(2))) {
                    out.add(rs.getString(1));
                }
                return null;
            }, runId);
            return out;
        });
    }

    /** Hands items back to pending at once (their worker is known dead). */
    public void unclaim(String runId, java.util.Collection<String> orgIds) {
        if (orgIds.isEmpty()) {
            return;
        }
        catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'pending', claimed_by = null, lease_until = null "
                + "where run_id = ? and status = 'running' and org_id = any(?)", runId, c.createArrayOf("text", orgIds.toArray())));
    }

    /**
     * Lets go of an org this worker claimed but did not start, its run having ended meanwhile: cancelled with the
     * run's other not-started orgs when the run was cancelled, else pending again (an aborted run's --resume takes it).
     */
    public void releaseUnstarted(String runId, String orgId) {
        catalog.inTransaction(c -> {
            Optional<String> reason = Sql.one(c, "select coalesce(reason, '') from runs where run_id = ? and status = 'cancelled'",
                    rs -> rs.getString(1), runId);
            if (reason.isPresent()) {
                return Sql.update(c, "update run_items set status = 'cancelled', error = ?, claimed_by = null, lease_until = null, " + UNCOUNT
                        + " where run_id = ? and org_id = ? and status = 'running'", "not started: " + reason.get(), runId, orgId);
            }
            return Sql.update(c, "update run_items set status = 'pending', claimed_by = null, lease_until = null, " + UNCOUNT + " "
                    + "where run_id = ? and org_id = ? and status = 'running'", runId, orgId);
        });
    }

    /**
     * What {@link #cancel} did, as its transaction did it: how many orgs it cancelled not started (pending, held, or claimed
     * by a live worker yet to take the org's lease), and how many as left by a worker that stopped (begun, maybe); which
     * ones, a page at a time, {@link #forEachEndedPage}. {@code transaction}: the cancel's transaction id, which the items
     * it ended keep ({@code xmin}) as long as nothing writes them again — a cancelled item is final — so that a fleet's
     * 50,000 are never held in memory, nor one a worker ended meanwhile taken for the cancel's.
     */
    public record Cancelled(int notStarted, int workerStopped, String transaction) {
    }

    /** An org {@link #cancel} ended: {@code notStarted}, or left by a worker that stopped. */
    public record Ended(String orgId, boolean notStarted) {
    }

    /** The orgs {@code cancel} ended, in org order, a page of at most {@code page} at a time, each page read as it is handed over. */
    public void forEachEndedPage(String runId, Cancelled cancel, int page, java.util.function.Consumer<List<Ended>> each) {
        for (String after = ""; after != null; ) {
            String from = after;
            List<Ended> ended = catalog.inConnection(c -> Sql.query(c, "select org_id, error like 'not started: %' from run_items "
                    + "where run_id = ? and status = 'cancelled' and xmin::text = ? and org_id > ? order by org_id limit ?",
                    rs -> new Ended(rs.getString(1), rs.getBoolean(2)), runId, cancel.transaction(), from, page));
            after = ended.size() < page ? null : ended.get(ended.size() - 1).orgId();
            if (!ended.isEmpty()) {
                each.accept(ended);
            }
        }
    }

    /**
     * Ends a run for good: status cancelled (from running, interrupted or aborted), its held and pending items
     * cancelled, and so are items whose worker's lease ran out. Items in flight finish and are recorded: with
     * {@code orgLeased} (the run's workers take an org's lease before they work on it), in flight is an item whose worker
     * holds its org's lease, live; one a live worker claimed and has yet to take the lease for (checking its pool, waiting
     * for its --rate slot) is not started, and cancelled too — that worker finds it so once it has the lease, and does
     * nothing — and one whose worker's lease on the org ran out (it died) is cancelled as its worker stopped, that lease
     * left as it is, for the next taker of the org to recover what it left by its recorded state.
     * {@code holder} takes the org's lease for this, within the marking's transaction (never seen by anyone), so that
     * no worker takes it between the look and the mark. Empty when the run had already ended otherwise; else the orgs it
     * cancelled, as it cancelled them (read again afterwards, a worker's own ending of an org in flight would be among them).
     */
    public Optional<Cancelled> cancel(String runId, String reason, boolean orgLeased, String holder) {
        return catalog.inTransaction(c -> {
            // a run that had ended otherwise (aborted, failed, interrupted) keeps when it stopped and why: the cancel is added
            int n = Sql.update(c, "update runs set status = 'cancelled', finished_at = coalesce(finished_at, now()), "
                    + "reason = coalesce(reason || '; then ', '') || ? where run_id = ? "
                    + "and status in ('running', 'interrupted', 'aborted', 'failed')", reason, runId);
            if (n != 1) {
                return Optional.<Cancelled>empty();
            }
            // the items it ends keep its transaction's id, by which they are read back a page at a time (forEachEndedPage)
            String transaction = Sql.one(c, "select (txid_current() % 4294967296)::text", rs -> rs.getString(1)).orElseThrow();
            int unstarted = Sql.update(c, "update run_items set status = 'cancelled', "
                    + "error = ?, not_before = null where run_id = ? and status in ('pending', 'held')", "not started: " + reason, runId);
            // claimed by a worker that is gone (its lease ran out): nobody will finish it, so it is not in flight
            // (an item with no lease of its own, a restore's, by its org's lease: none live, nobody is on the org)
            String stopped = "not finished: its worker stopped (lease expired), then the run was cancelled: " + reason;
            int gone = Sql.update(c, "update run_items i set status = 'cancelled', error = ?, "
                    + "claimed_by = null, lease_until = null where i.run_id = ? and i.status = 'running' and (i.lease_until < now() "
                    + "or i.lease_until is null and not exists (select 1 from org_leases l where l.org_id = i.org_id and l.lease_until > now()))",
                    stopped, runId);
            if (orgLeased) {
                List<java.util.Map.Entry<String, String>> claims = Sql.query(c, "select org_id, claimed_by from run_items where run_id = ? "
                        + "and status = 'running' and lease_until >= now() order by org_id", rs -> java.util.Map.entry(rs.getString(1),
                        rs.getString(2)), runId);
                for (java.util.Map.Entry<String, String> claim : claims) {
                    Lease lease = leaseHolder(c, claim.getKey(), holder, runId);
                    if (!claim.getValue().equals(lease.holder())) {
                        unstarted += Sql.update(c, "update run_items set status = 'cancelled', error = ?, claimed_by = null, lease_until = null, not_before = null, "
                                + UNCOUNT + " where run_id = ? and org_id = ? and status = 'running' and claimed_by = ?", "not started: "
                                + reason, runId, claim.getKey(), claim.getValue());
                    } else if (lease.expired()) {
                        // its worker took the org's lease and died on it: nobody will finish it, so it is not in flight either;
                        // the lease is left as it is, for whoever next takes the org to recover what it left (a freeze, a move)
                        gone += Sql.update(c, "update run_items set status = 'cancelled', error = ?, claimed_by = null, lease_until = null "
                                + "where run_id = ? and org_id = ? and status = 'running' and claimed_by = ?", stopped, runId, claim.getKey(),
                                claim.getValue());
                    }
                    Sql.update(c, "delete from org_leases where org_id = ? and holder = ?", claim.getKey(), holder);
                }
            }
            return Optional.of(new Cancelled(unstarted, gone, transaction));
        });
    }

    /**
     * Ends a run the operation that started it gave up on (a delete whose final backup failed): cancelled, {@code reason}
     * added to its own, its items nobody works on (pending, held, or running with no live claim) cancelled too, each keeping
     * the error it had. False when it had ended otherwise (succeeded, cancelled).
     */
    public boolean givenUp(String runId, String reason) {
        return catalog.inTransaction(c -> {
            int n = Sql.update(c, "update runs set status = 'cancelled', finished_at = coalesce(finished_at, now()), reason = coalesce(reason "
                    + "|| '; then ', '') || ? where run_id = ? and status in ('running', 'interrupted', 'aborted', 'failed')", reason, runId);
            if (n == 1) {
                Sql.update(c, "update run_items set status = 'cancelled', error = coalesce(error || '; then ', 'not finished: ') || ?, claimed_by = null, "
                        + "lease_until = null, not_before = null where run_id = ? and (status in ('pending', 'held') or status = 'running' "
                        + "and (lease_until is null or lease_until < now()))", reason, runId);
            }
            return n == 1;
        });
    }

    /** An org's lease as {@link #leaseHolder} finds it: who holds it, and whether it ran out. */
    private record Lease(String holder, boolean expired) {
    }

    /**
     * In {@code c}'s transaction, who holds {@code orgId}'s lease and whether it ran out, with the lease row kept from
     * changing until the transaction ends; for a free org, {@code holder} (for {@code runId}), its lease taken in the transaction.
     */
    private static Lease leaseHolder(java.sql.Connection c, String orgId, String holder, String runId) throws SQLException {
        while (true) { // a lease let go between the two looks: the org is free again, take it
            if (!Sql.query(c, "insert into org_leases (org_id, holder, operation, run_id, lease_until) values (?, ?, 'cancel', ?, now()) "
                    + "on conflict (org_id) do nothing returning org_id", rs -> rs.getString(1), orgId, holder, runId).isEmpty()) {
                return new Lease(holder, false);
            }
            Optional<Lease> held = Sql.one(c, "select holder, lease_until < now() from org_leases where org_id = ? for update",
                    rs -> new Lease(rs.getString(1), rs.getBoolean(2)), orgId);
            if (held.isPresent()) {
                return held.get();
            }
        }
    }

    /** The pool an item's org was placed on after the run began (it had none: no room then). */
    public void setItemPool(String runId, String orgId, String poolId) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set pool_id = ? where run_id = ? and org_id = ?", poolId, runId, orgId));
    }

    /** Marks the run aborted with a reason every worker and the summary show (only while it is running). */
    public boolean abort(String runId, String reason) {
        return abort(runId, reason, "");
    }

    /** As {@link #abort(String, String)}, {@code ifOrgsLeft} added to the reason when some orgs were not started (pending or held). */
    public boolean abort(String runId, String reason, String ifOrgsLeft) {
        return catalog.inConnection(c -> Sql.update(c,
                "update runs set status = 'aborted', finished_at = now(), reason = ? || " + IF_ORGS_LEFT + " where run_id = ? and status = 'running'",
                reason, runId, ItemStatus.PENDING.db(), ItemStatus.HELD.db(), ifOrgsLeft, runId)) == 1;
    }

    /** SQL: its fourth parameter when the run (first parameter) has items of the second's or third's status, else ''. */
    private static final String IF_ORGS_LEFT = "case when exists (select 1 from run_items where run_id = ? and status in (?, ?)) then ? else '' end";

    private static Run mapRun(ResultSet rs) throws SQLException {
        return new Run(rs.getString("run_id"), rs.getString("verb"), rs.getString("args"), Sql.instant(rs, "started_at"),
                Sql.instant(rs, "finished_at"), rs.getString("status"), rs.getString("actor"), rs.getString("summary"),
                rs.getString("reason"), (Integer) rs.getObject("per_pool"));
    }

    /** Per pool and verb: how many succeeded items, and the median and 95th percentile of their wall time (ms). */
    public record PoolTiming(String poolId, String verb, long items, long p50Ms, long p95Ms) {
    }

    /** {@link PoolTiming}s of the succeeded items of runs of {@code verbs}, over the whole run history. */
    public List<PoolTiming> timingsByPool(List<String> verbs) {
        return catalog.inConnection(c -> Sql.query(c, """
                select i.pool_id, r.verb, count(*) as n,
                       percentile_cont(0.5) within group (order by i.millis) as p50,
                       percentile_cont(0.95) within group (order by i.millis) as p95
                from run_items i join runs r on r.run_id = i.run_id
                where r.verb = any(?) and i.status = 'succeeded' and i.millis is not null and i.pool_id is not null
                group by i.pool_id, r.verb order by i.pool_id, r.verb
                """, rs -> new PoolTiming(rs.getString(1), rs.getString(2), rs.getLong(3), Math.round(rs.getDouble(4)),
                Math.round(rs.getDouble(5))), c.createArrayOf("text", verbs.toArray())));
    }
}
