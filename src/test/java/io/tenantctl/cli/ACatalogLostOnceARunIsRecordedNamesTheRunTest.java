package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a review of the run engine: the catalog lost once a fan-out run was recorded (its row and items written) but
 * outside its work — before this worker's first claim, while a --detach left it for workers, while a --join took it up,
 * or as a --detach's report was read — said only "error: catalog unreachable at …", exit 3: the run that now exists,
 * and the command that goes on with it, were not named (nor run_id in -o json's error), so once the catalog was back the
 * operator did not know there was a run to resume, join or cancel. Each now names the run and its next step, exit 3.
 * The catalog is lost to one statement at a chosen moment: the session that sends it waits on a lock the test holds
 * (a trigger's advisory lock, or a table's), and the test ends that session; the catalog answers again at once.
 */
class ACatalogLostOnceARunIsRecordedNamesTheRunTest {

    private static final long HELD = 727_311; // the advisory lock the recording of a new run's --per-pool waits on

    @TempDir
    Path dir;
    private TestPools pools;
    private String url;
    private Cli cli;
    private String schema;

    @BeforeEach
    void fleet() {
        pools = new TestPools(1);
        url = CliFixture.initialisedCatalog();
        cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        schema = CliFixture.smallSchema(dir).toString();
        // a new run's --per-pool is recorded once its row and items are: the statement right after the run exists
        CliFixture.sql(url, "create function held_per_pool() returns trigger language plpgsql as $$ begin perform pg_advisory_lock(" + HELD
                + "); perform pg_advisory_unlock(" + HELD + "); return new; end $$");
        CliFixture.sql(url, "create trigger held_per_pool before update of per_pool on runs for each row execute function held_per_pool()");
    }

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void lostBeforeTheWorkersFirstClaimStopsTheRunNamingItsResume() throws Exception {
        Cli.Result r = lostWhileWaiting("advisory", "provision", "acme", "globex", "--schema", schema, "-o", "json");

        JsonNode error = lostCatalogsError(r);
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(r.toString()).startsWith("provision run " + runId + " stopped: catalog unreachable")
                .contains("once that is mended, 'tenantctl provision --resume " + runId + "' goes on from where it stopped");

        JsonNode resumed = strictJson(ok(cli, "provision", "--resume", runId, "-o", "json"));
        assertThat(resumed.get("status").asText()).as(resumed.toPrettyString()).isEqualTo("succeeded");
        assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrder("acme", "globex");
    }

    @Test
    void lostAsADetachLeavesTheRunForWorkersNamesItsJoin() throws Exception {
        Cli.Result r = lostWhileWaiting("advisory", "provision", "acme", "--schema", schema, "--detach", "-o", "json");

        JsonNode error = lostCatalogsError(r);
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(r.toString()).startsWith("catalog unreachable")
                .contains("provision run " + runId + " was recorded for workers to join: once the catalog answers, start them with "
                        + "'tenantctl provision --join " + runId + "'");

        ok(cli, "provision", "--join", runId);
        assertThat(CliFixture.orgIds(cli, "active")).containsExactly("acme");
    }

    @Test
    void lostAsAWorkerJoinsNamesTheJoinThatGoesOn() throws Exception {
        String runId = CliFixture.provisionDetached(cli, dir, "acme");

        // a joiner reads the run's manifest as it makes its work, before its first claim
        Cli.Result r = lostWhileWaiting("manifests", "provision", "--join", runId, "-o", "json");

        JsonNode error = lostCatalogsError(r);
        assertThat(error.get("run_id").asText()).as(r.toString()).isEqualTo(runId);
        assertThat(error.get("message").asText()).as(r.toString()).startsWith("catalog unreachable")
                .contains("run " + runId + " is kept as the catalog has it: once the catalog answers, 'tenantctl provision --join " + runId
                        + "' goes on with it");

        ok(cli, "provision", "--join", runId);
        assertThat(CliFixture.orgIds(cli, "active")).containsExactly("acme");
    }

    @Test
    void lostAsADetachsReportIsReadNamesTheRun() throws Exception {
        Cli.Result r;
        try (Connection holder = DriverManager.getConnection(url); Connection watcher = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("select pg_advisory_lock(" + HELD + ")");
            }
            CompletableFuture<Cli.Result> run = cli.start("provision", "acme", "--schema", schema, "--detach", "-o", "json");
            waitFor(watcher, run, "advisory", false); // the run recorded: its orgs are read again only for its report
            try (Statement s = holder.createStatement()) {
                s.execute("lock table orgs in access exclusive mode");
                s.execute("select pg_advisory_unlock(" + HELD + ")");
            }
            waitFor(watcher, run, "orgs", true);
            r = run.get(60, TimeUnit.SECONDS);
            holder.rollback();
        }

        JsonNode error = lostCatalogsError(r);
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(r.toString()).startsWith("catalog unreachable")
                .endsWith("; run " + runId + " was recorded: once the catalog answers, 'tenantctl runs show " + runId + "' says what it did");
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").path("next_step").asText())
                .isEqualTo("tenantctl provision --join " + runId);
    }

    /** The error -o json printed for a lost catalog: exit 3, one line on stderr, the same as its message, no stack trace. */
    private static JsonNode lostCatalogsError(Cli.Result r) {
        assertThat(r.exitCode()).as("a lost catalog is a connectivity failure: " + r).isEqualTo(3);
        JsonNode error = strictJson(r).get("error");
        assertThat(error).as(r.toString()).isNotNull();
        assertThat(error.get("run_id")).as("the run the error is of: " + r).isNotNull();
        assertThat(r.err().lines().toList()).as("one line on stderr: " + r).containsExactly("error: " + error.get("message").asText());
        return error;
    }

    /**
     * {@code args} run, the catalog session that waits on what the test holds ({@code on}: "advisory", the trigger's lock on
     * a new run's --per-pool; else a table, locked) ended as it waits.
     */
    private Cli.Result lostWhileWaiting(String on, String... args) throws Exception {
        try (Connection holder = DriverManager.getConnection(url); Connection watcher = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute(on.equals("advisory") ? "select pg_advisory_xact_lock(" + HELD + ")" : "lock table " + on + " in access exclusive mode");
            }
            CompletableFuture<Cli.Result> run = cli.start(args);
            waitFor(watcher, run, on, true);
            Cli.Result r = run.get(60, TimeUnit.SECONDS);
            holder.rollback();
            return r;
        }
    }

    /** Until a catalog session waits on {@code on} (the advisory lock, or a table's lock), then ends it ({@code end}). */
    private static void waitFor(Connection watcher, CompletableFuture<Cli.Result> run, String on, boolean end) throws Exception {
        String waiting = "from pg_locks where not granted and " + (on.equals("advisory") ? "locktype = 'advisory' and objid = " + HELD
                : "relation = '" + on + "'::regclass");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !run.isDone()) {
            try (Statement s = watcher.createStatement(); ResultSet rs = s.executeQuery(
                    (end ? "select pg_terminate_backend(pid) " : "select pid ") + waiting)) {
                if (rs.next()) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("nothing waited on " + on + ": " + (run.isDone() ? run.get() : "still running"));
    }
}
