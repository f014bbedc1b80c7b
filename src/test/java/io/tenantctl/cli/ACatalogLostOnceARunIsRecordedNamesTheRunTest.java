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
 * (a table's, taken as the run's recording commits, or a trigger's advisory lock), and the test ends that session; the
 * catalog answers again at once.
 */
class ACatalogLostOnceARunIsRecordedNamesTheRunTest {

    private static final long RECORDED = 727_311; // the advisory lock a new run's items wait on as they are recorded
    private static final long PER_POOL = 727_312; // the advisory lock the recording of a new run's --per-pool waits on

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
        CliFixture.sql(url, "create function held_items() returns trigger language plpgsql as $$ begin perform pg_advisory_lock(" + RECORDED
                + "); perform pg_advisory_unlock(" + RECORDED + "); return null; end $$");
        CliFixture.sql(url, "create trigger held_items after insert on run_items for each statement execute function held_items()");
    }

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void lostBeforeTheWorkersFirstClaimStopsTheRunNamingItsResume() throws Exception {
        // the run recorded, the engine reads it back before its first claim
        Cli.Result r = lostOnceRecorded("runs", "provision", "acme", "globex", "--schema", schema, "-o", "json");

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
        Cli.Result r = lostOnceRecorded("runs", "provision", "acme", "--schema", schema, "--detach", "-o", "json");

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
        // the run recorded and left for workers, its orgs are read again only for its report
        Cli.Result r = lostOnceRecorded("orgs", "provision", "acme", "--schema", schema, "--detach", "-o", "json");

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
     * A --detach'ed run is recorded with the --per-pool it was given, for its joiners: its own statement after the run
     * once, a catalog lost between the two left the run with none, and each joiner took its own (4, not 2).
     */
    @Test
    void aDetachedRunIsNeverLeftWithoutItsPerPool() throws Exception {
        CliFixture.sql(url, "create function held_per_pool() returns trigger language plpgsql as $$ begin perform pg_advisory_lock(" + PER_POOL
                + "); perform pg_advisory_unlock(" + PER_POOL + "); return new; end $$");
        CliFixture.sql(url, "create trigger held_per_pool before update of per_pool on runs for each row execute function held_per_pool()");

        Cli.Result r = lostWhileWaiting("advisory", "provision", "acme", "--schema", schema, "--detach", "--per-pool", "2", "-o", "json");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(CliFixture.count(url, "select count(*) from runs where per_pool is distinct from 2"))
                .as("a run its joiners would work on without the limit it was given: " + r).isZero();
    }

    /**
     * {@code args} run until their run is recorded: as its recording commits, {@code table} is locked, and the next catalog
     * session that waits on it is ended.
     */
    private Cli.Result lostOnceRecorded(String table, String... args) throws Exception {
        try (Connection holder = DriverManager.getConnection(url); Connection locker = DriverManager.getConnection(url);
             Connection watcher = DriverManager.getConnection(url)) {
            try (Statement s = holder.createStatement()) {
                s.execute("select pg_advisory_lock(" + RECORDED + ")");
            }
            CompletableFuture<Cli.Result> run = cli.start(args);
            waitFor(watcher, run, "locktype = 'advisory' and not granted and objid = " + RECORDED, false); // its items being recorded
            locker.setAutoCommit(false);
            long lockerPid;
            try (Statement s = locker.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                lockerPid = rs.getLong(1);
            }
            CompletableFuture<Void> locked = CompletableFuture.runAsync(() -> {
                try (Statement s = locker.createStatement()) {
                    s.execute("lock table " + table + " in access exclusive mode"); // queued behind the recording, if it holds the table
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            waitFor(watcher, run, "pid = " + lockerPid + " and relation = '" + table + "'::regclass", false);
            try (Statement s = holder.createStatement()) {
                s.execute("select pg_advisory_unlock(" + RECORDED + ")");
            }
            locked.get(60, TimeUnit.SECONDS);
            waitFor(watcher, run, "not granted and relation = '" + table + "'::regclass", true);
            locker.rollback();
            return run.get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code args} run, the catalog session that waits on what the test holds ({@code on}: "advisory", the trigger's lock on
     * a new run's --per-pool; else a table, locked) ended as it waits.
     */
    private Cli.Result lostWhileWaiting(String on, String... args) throws Exception {
        try (Connection holder = DriverManager.getConnection(url); Connection watcher = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute(on.equals("advisory") ? "select pg_advisory_xact_lock(" + PER_POOL + ")" : "lock table " + on + " in access exclusive mode");
            }
            CompletableFuture<Cli.Result> run = cli.start(args);
            waitFor(watcher, run, "not granted and " + (on.equals("advisory") ? "locktype = 'advisory' and objid = " + PER_POOL
                    : "relation = '" + on + "'::regclass"), true);
            Cli.Result r = run.get(60, TimeUnit.SECONDS);
            holder.rollback();
            return r;
        }
    }

    /** Until a catalog lock {@code where} says is there (pg_locks), then, {@code end}, the sessions that hold or wait on it ended. */
    private static void waitFor(Connection watcher, CompletableFuture<Cli.Result> run, String where, boolean end) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !run.isDone()) {
            try (Statement s = watcher.createStatement(); ResultSet rs = s.executeQuery(
                    (end ? "select pg_terminate_backend(pid) " : "select pid ") + "from pg_locks where " + where)) {
                if (rs.next()) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("no catalog lock where " + where + ": " + (run.isDone() ? run.get() : "still running"));
    }
}
