package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The catalog's connection breaks in the middle of a fan-out run (a PostgreSQL failover, a proxy restart): the worker
 * cannot know whether the statement it was sending was committed, so it stops — the orgs in flight finish, the run is
 * kept — and says so in one line naming the run and the command that goes on; that command then finishes the run at
 * once (the worker's claims were let go, not left to expire a lease later), every org made exactly as the manifest says.
 */
class CatalogLostMidRunTest {

    private TestPools pools;
    private FaultProxy catalogProxy;

    @AfterEach
    void stop() {
        if (catalogProxy != null) {
            catalogProxy.close();
        }
        if (pools != null) {
            pools.close();
        }
    }

    /** The catalog {@code url} as seen through a proxy in front of it. */
    private String throughProxy(String url) {
        String jdbc = url.substring("jdbc:".length());
        catalogProxy = FaultProxy.to(jdbc);
        return "jdbc:" + catalogProxy.uriFor(jdbc);
    }

    /**
     * A CLI on the catalog {@code url} through the proxy that, once the {@code nth} org's indexes are being created, lets
     * {@code fault} (cutAll, blackHole) fall on the catalog's next byte, whichever worker thread sends or gets it.
     */
    private Cli faultAfterIndexesOf(String url, int nth, Runnable fault) {
        Set<String> started = ConcurrentHashMap.newKeySet();
        return new Cli(Map.of("TENANTCTL_CATALOG_URL", throughProxy(url), "USER", "test")).decoratePools(real ->
                HookedPools.onCommand(real, (db, cmd) -> {
                    if (HookedPools.is(cmd, "createIndexes") && started.add(db) && started.size() == nth) {
                        catalogProxy.afterBytes(1, fault);
                    }
                }));
    }

    @Test
    void aRunWhoseCatalogConnectionBreaksStopsInOneLineAndItsResumeFinishesIt(@TempDir Path dir) {
        pools = new TestPools(2);
        String url = CliFixture.initialisedCatalog();
        // the 8th org's indexes: the next bytes any worker thread sends to or gets from the catalog are lost, and every
        // open catalog connection is cut (new ones are accepted: the catalog is back at once)
        Cli cli = faultAfterIndexesOf(url, 8, () -> catalogProxy.cutAll());
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 2);
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("lost-", 0, 24);

        Cli.Result cut = cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "-o", "json"), ids));

        assertThat(cut.exitCode()).as("a lost catalog is a connectivity failure: " + cut).isEqualTo(3);
        JsonNode error = strictJson(cut).get("error");
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(cut.toString())
                .startsWith("provision run " + runId + " stopped: catalog unreachable")
                .contains("'tenantctl provision --resume " + runId + "'")
                .doesNotContain("Connection is closed");
        assertThat(cut.err().lines().toList()).as("one line on stderr, no stack trace: " + cut)
                .containsExactly("error: " + error.get("message").asText());

        Cli.Result resumed = ok(cli, "provision", "--resume", runId, "-o", "json");

        JsonNode report = strictJson(resumed);
        assertThat(report.get("status").asText()).isEqualTo("succeeded");
        assertThat(report.get("counts").get("failed")).as(resumed.toString()).isNull();
        assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrderElementsOf(ids);
        CliFixture.assertExactly(url, schema, ids);
    }

    /**
     * The break hits the statement that records an org's own work (provision marking it active), not the run's
     * bookkeeping: recorded as that org's failure, the run went on without it and ended failed, exit 1, the org left
     * failed for a statement that may well have been committed. Its outcome is unknown, so it is the run that stops,
     * and its resume makes the org.
     */
    @Test
    void anOrgWhoseOwnCatalogWriteBreaksIsNotFailedButRedoneByTheResume(@TempDir Path dir) {
        pools = new TestPools(1);
        String url = CliFixture.initialisedCatalog();
        // one org at a time: after the 3rd org's indexes, the next catalog statement is that org's own record
        Cli cli = faultAfterIndexesOf(url, 3, () -> catalogProxy.cutAll());
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("own-", 0, 6);

        Cli.Result cut = cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "--concurrency", "1", "-o", "json"), ids));

        assertThat(cut.exitCode()).as("the run stops, not an org failed: " + cut).isEqualTo(3);
        String runId = strictJson(cut).get("error").get("run_id").asText();
        assertThat(strictJson(cut).get("error").get("message").asText()).startsWith("provision run " + runId + " stopped: catalog unreachable");
        // the org it was on is not running: nobody works on it, and (the catalog back) it says why
        JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(MigrateAllFixture.itemStatuses(shown)).as(shown.toPrettyString()).doesNotContainKey("running").containsEntry("abandoned", 1);
        assertThat(shown.toString()).as(shown.toPrettyString()).contains("not finished: the run stopped: catalog unreachable");
        assertThat(shown.get("status").asText()).isEqualTo("abandoned");

        Cli.Result resumed = ok(cli, "provision", "--resume", runId, "-o", "json");

        assertThat(strictJson(resumed).get("status").asText()).as(resumed.toString()).isEqualTo("succeeded");
        assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrderElementsOf(ids);
        CliFixture.assertExactly(url, schema, ids);
    }

    @Test
    void theRealProcessSaysItInOneLineWithoutTheConnectionPoolsStackTraces(@TempDir Path dir) throws Exception {
        pools = new TestPools(2);
        String url = CliFixture.initialisedCatalog();
        Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", throughProxy(url), "USER", "test");
        Cli cli = new Cli(env);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 2);
        Path schema = CliFixture.smallSchema(dir);
        List<String> healthy = new ArrayList<>(List.of("provision", "--schema", schema.toString()));
        healthy.addAll(CliFixture.ids("a-", 0, 24));
        long before = catalogProxy.bytes();
        ChildJvm.Exit first = ChildJvm.run(dir.resolve("healthy"), env, 120, Main.class.getName(), healthy.toArray(String[]::new));
        assertThat(first.code()).as(first.err()).isZero();
        long bytes = catalogProxy.bytes() - before;

        catalogProxy.afterBytes(bytes / 2, catalogProxy::cutAll); // halfway through the same run: every catalog connection cut
        List<String> same = new ArrayList<>(List.of("provision", "--schema", schema.toString()));
        same.addAll(CliFixture.ids("b-", 0, 24));
        ChildJvm.Exit lost = ChildJvm.run(dir.resolve("lost"), env, 120, Main.class.getName(), same.toArray(String[]::new));

        assertThat(lost.code()).as(lost.err()).isEqualTo(3);
        // besides the progress line a run without a terminal ends with, one line: no connection pool warning, no trace
        List<String> lines = lost.err().lines().filter(l -> !l.matches("provision: \\d+/24 orgs done, \\d+ failed")).toList();
        assertThat(lines).as(lost.err()).hasSize(1);
        assertThat(lines.get(0)).as(lost.err()).startsWith("error: ").contains("catalog unreachable").doesNotContain("unknown error");
    }

    /**
     * The catalog lost while a small run's -o json report is rendered (a failed org's next step read from it as its line is
     * written): a run of up to a page of orgs printed its report straight to stdout as it was built, so half a document
     * was left there, then "unexpected IllegalStateException: cannot render JSON", exit 1 — neither one JSON document nor
     * the real cause. The report is whole before a byte of it is printed: stdout is the error's one document, exit 3. The
     * catalog is lost to the statement that reads the deleted org's backups (its next step): the test holds the backups
     * table locked, which provision's run never reads, and ends the session that waits on it.
     */
    @Test
    void aCatalogLostWhileASmallRunsJsonReportIsRenderedPrintsTheErrorsOneDocument(@TempDir Path dir) throws Exception {
        pools = new TestPools(1);
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        CliFixture.sql(url, "insert into orgs (org_id, pool_id, database_name, status, tier) values ('gone', 'pool-0', 'org_gone', 'deleted', 'free')");
        Path schema = CliFixture.smallSchema(dir);

        Cli.Result r;
        try (Connection holder = DriverManager.getConnection(url); Connection watcher = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (var s = holder.createStatement()) {
                s.execute("lock table backups in access exclusive mode");
            }
            java.util.concurrent.CompletableFuture<Cli.Result> run = cli.start("provision", "gone", "--schema", schema.toString(), "-o", "json");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean ended = false;
            while (!ended && !run.isDone() && System.nanoTime() < deadline) { // until the report's read of the backups waits
                try (var s = watcher.createStatement(); var rs = s.executeQuery("select pg_terminate_backend(l.pid) from pg_locks l "
                        + "where not l.granted and l.relation = 'backups'::regclass")) {
                    ended = rs.next();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            holder.rollback();
            assertThat(ended).as("the report never read the backups: " + r).isTrue();
        }

        assertThat(r.exitCode()).as("a lost catalog is a connectivity failure: " + r).isEqualTo(3);
        JsonNode error = strictJson(r).get("error");
        assertThat(error).as(r.toString()).isNotNull();
        assertThat(error.get("message").asText()).as(r.toString()).startsWith("catalog unreachable").doesNotContain("cannot render JSON");
        assertThat(r.err().lines().toList()).as("one line on stderr: " + r).containsExactly("error: " + error.get("message").asText());
        assertThat(r.err()).as("no stack trace: " + r).doesNotContain("\tat ");
        // the run was recorded, and worked: the error names it, and what says what it did once the catalog is back
        assertThat(error.get("run_id")).as("the run the error is of: " + r).isNotNull();
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(r.toString()).endsWith("; run " + runId + " was recorded: once the catalog "
                + "answers, 'tenantctl runs show " + runId + "' says what it did");
        JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(shown.get("verb").asText()).as(shown.toPrettyString()).isEqualTo("provision");
        assertThat(shown.toString()).as(shown.toPrettyString()).contains("\"gone\"");
    }

    // The catalog under pressure: slow, gone silent, or a lock nobody lets go of.

    /**
     * --concurrency 64 (documented as fine up to 256) against a catalog 40 ms away each way. Every claim loop takes the
     * run's claim lock (pg_advisory_xact_lock) while holding one of the worker's 12 catalog connections, so the 12 are
     * soon all parked on the server waiting for that lock, and the worker's other threads (an org's lease, its outcome)
     * wait more than Hikari's 10 s for a connection: the run stopped with 0 of 64 orgs done, exit 1, category internal,
     * "query failed: tenantctl-catalog - Connection is not available … (SQL state null; run with -v and report it)" —
     * a worker starving itself, told as a tenantctl bug. A slow catalog makes the run slower, it must not stop it.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow") // waits a slow, black-holed or locked catalog out: 30-90 s
    void aWorkerAtConcurrency64OnASlowCatalogFinishesItsRun(@TempDir Path dir) {
        pools = new TestPools(2);
        String url = CliFixture.initialisedCatalog();
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", throughProxy(url), "USER", "test"));
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 200, 1);
        CliFixture.addPool(cli, "pool-1", pools.uri(1), 200, 2);
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("slow-", 0, 64);
        catalogProxy.latency(Duration.ofMillis(40));

        Cli.Result r = cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "--concurrency", "64",
                "--per-pool", "32", "-o", "json"), ids));

        catalogProxy.passThrough();
        assertThat(r.out()).as("not a tenantctl bug: " + r).doesNotContain("\"internal\"").doesNotContain("Connection is not available");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode out = strictJson(r);
        assertThat(out.get("status").asText()).isEqualTo("succeeded");
        assertThat(out.get("provisioned").asInt()).isEqualTo(64);
        assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrderElementsOf(ids);
    }

    /**
     * The catalog stops answering mid-run (its host gone in a failover, a network partition: packets dropped, no reset).
     * README: "Every wait on the network is bounded" — but the catalog's JDBC connections have no socket timeout, so the
     * statement in flight, and every worker thread and the heartbeat behind it, wait for ever: provision never exits,
     * and Ctrl-C (which lets in-flight orgs finish) cannot stop it either. It must stop in one line, exit 3, naming the run.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow") // waits a slow, black-holed or locked catalog out: 30-90 s
    void aCatalogThatStopsAnsweringMidRunStopsTheWorkerWithinABound(@TempDir Path dir) {
        pools = new TestPools(2);
        String url = CliFixture.initialisedCatalog();
        // the 3rd org's indexes: from the next byte on, the catalog swallows everything and answers nothing
        Cli cli = faultAfterIndexesOf(url, 3, () -> catalogProxy.blackHole());
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 2);
        Path schema = CliFixture.smallSchema(dir);

        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(150),
                () -> cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "-o", "json"), CliFixture.ids("bh-", 0, 12))),
                "provision against a catalog that stopped answering never exited");

        assertThat(r.exitCode()).as("a catalog that does not answer is a connectivity failure: " + r).isEqualTo(3);
        JsonNode error = strictJson(r).get("error");
        assertThat(error.get("message").asText()).as(r.toString()).contains("catalog").contains("--resume " + error.get("run_id").asText());
        assertThat(r.err()).as("no stack trace: " + r).doesNotContain("\tat ");
    }

    /**
     * Another session holds the placement lock and never lets go (a tenantctl whose VM froze in the middle of placing
     * orgs, its transaction open on the server; a DBA's forgotten psql session). `provision` waits in a blocking
     * pg_advisory_xact_lock with no lock_timeout: it hangs for ever, silently, and Ctrl-C cannot stop it. README's
     * exit-code table says "3 … lock held", and Catalog.failure already words SQL state 55P03 as "catalog … is busy …
     * another tenantctl holds what this needs" — unreachable, since no lock_timeout is ever set. Bounded, exit 3, one line.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow") // waits a slow, black-holed or locked catalog out: 30-90 s
    void provisionBehindAPlacementLockNobodyLetsGoOfStopsWithinABound(@TempDir Path dir) throws Exception {
        pools = new TestPools(1);
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        Path schema = CliFixture.smallSchema(dir);
        java.lang.reflect.Field f = io.tenantctl.catalog.OrgRepository.class.getDeclaredField("PLACEMENT_LOCK");
        f.setAccessible(true);
        long placementLock = f.getLong(null);

        try (Connection holder = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (var s = holder.prepareStatement("select pg_advisory_xact_lock(?)")) {
                s.setLong(1, placementLock);
                s.execute();
            }

            Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> cli.run("provision", "acme", "--schema", schema.toString(), "-o", "json"),
                    "provision behind a held placement lock never exited");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains("busy");
            assertThat(r.err()).as("no stack trace: " + r).doesNotContain("\tat ");
            holder.rollback();
        }
        assertThat(strictJson(CliFixture.ok(cli, "orgs", "list", "-o", "json")).get("orgs")).as("nothing placed").isEmpty();
    }
}
