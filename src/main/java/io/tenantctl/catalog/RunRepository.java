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

    private final Catalog catalog;

    RunRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    public record Run(String runId, String verb, String args, Instant startedAt, Instant finishedAt, String status, String actor,
                      String summary) {
    }

    public record Item(String orgId, String status, int attempts, Long millis, String error) {
    }

    /** An item to record: its pool, its place in the claim order, and its initial status (and error, if final). */
    public record NewItem(String orgId, String poolId, int seq, String status, String error) {
    }

    /** An item a worker has claimed. */
    public record Claimed(String orgId, String poolId) {
    }

    /** Creates a run and one pending item per org; returns the run id. */
    public String start(String verb, String argsJson, String actor, List<String> orgIds) {
        List<NewItem> items = new java.util.ArrayList<>();
        for (String orgId : orgIds) {
            items.add(new NewItem(orgId, null, items.size(), "pending", null));
        }
        return start(verb, argsJson, actor, items, null);
    }

    /** Creates a run with the given items; returns the run id. */
    public String start(String verb, String argsJson, String actor, List<NewItem> items, String summaryJson) {
        String runId = ID_TIME.format(Instant.now()) + "-" + Integer.toHexString(0x10000 | RANDOM.nextInt(0x10000)).substring(1);
        catalog.inTransaction(c -> {
            Sql.update(c, "insert into runs (run_id, verb, args, status, actor, summary) values (?, ?, cast(? as jsonb), 'running', ?, cast(? as jsonb))",
                    runId, verb, argsJson, actor, summaryJson);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into run_items (run_id, org_id, pool_id, seq, status, error) values (?, ?, ?, ?, ?, ?)")) {
                for (NewItem item : items) {
                    ps.setString(1, runId);
                    ps.setString(2, item.orgId());
                    ps.setString(3, item.poolId());
                    ps.setInt(4, item.seq());
                    ps.setString(5, item.status());
                    ps.setString(6, item.error());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        return runId;
    }

    /**
     * Claims up to {@code limit} pending items (or running ones whose lease expired: their worker died) in seq
     * order, skipping rows other workers are claiming at this moment, so no org is handed out twice.
     */
    public List<Claimed> claim(String runId, String worker, int limit, int leaseSeconds) {
        return catalog.inConnection(c -> Sql.query(c, """
                        with c as (
                            select org_id from run_items
                            where run_id = ? and (status = 'pending' or (status = 'running' and lease_until < now()))
                            order by seq
                            limit ?
                            for update skip locked)
                        update run_items r set status = 'running', claimed_by = ?, lease_until = now() + make_interval(secs => ?)
                        from c where r.run_id = ? and r.org_id = c.org_id
                        returning r.org_id, r.pool_id, r.seq
                        """, rs -> new Claimed(rs.getString(1), rs.getString(2)), runId, limit, worker, leaseSeconds, runId))
                .stream().toList();
    }

    /** Extends the leases of every item {@code worker} is still working on. */
    public void renew(String runId, String worker, int leaseSeconds) {
        catalog.inConnection(c -> Sql.update(c,
                "update run_items set lease_until = now() + make_interval(secs => ?) where run_id = ? and claimed_by = ? and status = 'running'",
                leaseSeconds, runId, worker));
    }

    /** Hands back claimed items that were never started (the worker was interrupted or the run aborted). */
    public void release(String runId, String worker, List<String> orgIds) {
        if (orgIds.isEmpty()) {
            return;
        }
        catalog.inConnection(c -> Sql.update(c,
                "update run_items set status = 'pending', claimed_by = null, lease_until = null "
                        + "where run_id = ? and claimed_by = ? and status = 'running' and org_id = any(?)",
                runId, worker, c.createArrayOf("text", orgIds.toArray())));
    }

    /** Turns held items (waiting for a canary) into pending ones. */
    public void releaseHeld(String runId) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'pending' where run_id = ? and status = 'held'", runId));
    }

    /** Makes a run workable again: failed, held and abandoned items back to pending, the run back to running. */
    public void reopen(String runId) {
        catalog.inTransaction(c -> {
            Sql.update(c, "update run_items set status = 'pending', claimed_by = null, lease_until = null where run_id = ? "
                    + "and (status in ('failed', 'held') or (status = 'running' and (lease_until is null or lease_until < now())))", runId);
            return Sql.update(c, "update runs set status = 'running', finished_at = null where run_id = ?", runId);
        });
    }

    /** Item count by status. */
    public java.util.Map<String, Integer> counts(String runId) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        catalog.inConnection(c -> Sql.query(c, "select status, count(*) from run_items where run_id = ? group by status",
                rs -> out.put(rs.getString(1), rs.getInt(2)), runId));
        return out;
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

    /** The newest still-running run of {@code verb}, if any. */
    public Optional<Run> running(String verb) {
        return catalog.inConnection(c -> Sql.one(c,
                "select * from runs where verb = ? and status = 'running' order by started_at desc limit 1", RunRepository::mapRun, verb));
    }

    public void itemStarted(String runId, String orgId) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'running' where run_id = ? and org_id = ?", runId, orgId));
    }

    public void itemFinished(String runId, String orgId, String status, int attempts, long millis, String error) {
        itemFinished(runId, orgId, status, attempts, millis, error, null);
    }

    public void itemFinished(String runId, String orgId, String status, int attempts, long millis, String error, String detailJson) {
        catalog.inConnection(c -> Sql.update(c,
                "update run_items set status = ?, attempts = ?, millis = ?, error = ?, detail = cast(? as jsonb), lease_until = null "
                        + "where run_id = ? and org_id = ?",
                status, attempts, millis, error, detailJson, runId, orgId));
    }

    /** Ends the run unless it was already ended (an abort by another worker wins). */
    public void finish(String runId, String status) {
        catalog.inConnection(c -> Sql.update(c,
                "update runs set status = ?, finished_at = now() where run_id = ? and status = 'running'", status, runId));
    }

    public List<Run> list(int limit) {
        return catalog.inConnection(c -> Sql.query(c,
                "select * from runs order by started_at desc, run_id desc limit ?", RunRepository::mapRun, limit));
    }

    public Optional<Run> find(String runId) {
        return catalog.inConnection(c -> Sql.one(c, "select * from runs where run_id = ?", RunRepository::mapRun, runId));
    }

    public Run get(String runId) {
        return find(runId).orElseThrow(() -> TenantctlException.usage("no run '" + runId + "': see 'tenantctl runs list'"));
    }

    public List<Item> items(String runId) {
        return catalog.inConnection(c -> Sql.query(c,
                "select org_id, status, attempts, millis, error from run_items where run_id = ? order by org_id",
                rs -> new Item(rs.getString(1), rs.getString(2), rs.getInt(3), (Long) rs.getObject(4), rs.getString(5)), runId));
    }

    private static Run mapRun(ResultSet rs) throws SQLException {
        return new Run(rs.getString("run_id"), rs.getString("verb"), rs.getString("args"), Sql.instant(rs, "started_at"),
                Sql.instant(rs, "finished_at"), rs.getString("status"), rs.getString("actor"), rs.getString("summary"));
    }
}
