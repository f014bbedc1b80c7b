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

    public record Run(String runId, String verb, String args, Instant startedAt, Instant finishedAt, String status, String actor) {
    }

    public record Item(String orgId, String status, int attempts, Long millis, String error) {
    }

    /** Creates a run and one pending item per org; returns the run id. */
    public String start(String verb, String argsJson, String actor, List<String> orgIds) {
        String runId = ID_TIME.format(Instant.now()) + "-" + Integer.toHexString(0x10000 | RANDOM.nextInt(0x10000)).substring(1);
        catalog.inTransaction(c -> {
            Sql.update(c, "insert into runs (run_id, verb, args, status, actor) values (?, ?, cast(? as jsonb), 'running', ?)",
                    runId, verb, argsJson, actor);
            try (PreparedStatement ps = c.prepareStatement("insert into run_items (run_id, org_id, status) values (?, ?, 'pending')")) {
                for (String orgId : orgIds) {
                    ps.setString(1, runId);
                    ps.setString(2, orgId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        return runId;
    }

    public void itemStarted(String runId, String orgId) {
        catalog.inConnection(c -> Sql.update(c, "update run_items set status = 'running' where run_id = ? and org_id = ?", runId, orgId));
    }

    public void itemFinished(String runId, String orgId, String status, int attempts, long millis, String error) {
        catalog.inConnection(c -> Sql.update(c,
                "update run_items set status = ?, attempts = ?, millis = ?, error = ? where run_id = ? and org_id = ?",
                status, attempts, millis, error, runId, orgId));
    }

    public void finish(String runId, String status) {
        catalog.inConnection(c -> Sql.update(c, "update runs set status = ?, finished_at = now() where run_id = ?", status, runId));
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
                Sql.instant(rs, "finished_at"), rs.getString("status"), rs.getString("actor"));
    }
}
