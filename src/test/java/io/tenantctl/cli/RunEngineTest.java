package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import io.tenantctl.testing.SchemaCheck;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run engine every fan-out verb shares: a run created once and worked on by several workers, per-pool limits that
 * hold across workers, the start rate, runs cancel, resume after a worker died, and one operation per org at a time.
 */
class RunEngineTest {

    private TestPools pools;

    @BeforeEach
    void start() {
        pools = new TestPools(2);
    }

    @AfterEach
    void stop() {
        pools.close();
    }

    /** Two pools and four orgs provisioned with {@code schema}. */
    private Cli fourOrgs(Path dir, Path schema) {
        Cli cli = fleet(CliFixture.initialisedCatalog(), dir, 30);
        MigrateAllFixture.provision(cli, schema, CliFixture.ids("org-", 0, 4));
        return cli;
    }

    /** Records a provision run of {@code ids} that nobody works on yet (--detach); its id. */
    /** A worker of this host killed in the middle of the run's first org, its claim's lease until {@code leaseUntil} (SQL): that org. */
    private static String killedOnFirstOrg(Cli cli, String url, String runId, String leaseUntil) throws Exception {
        String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
        sql(url, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = " + leaseUntil + ", attempts = 1 "
                + "where run_id = '" + runId + "' and seq = 0");
        return strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("items").get(0).get("org_id").asText();
    }

    /** The leases of the orgs of {@code runId}'s running items, taken by the workers that claimed them: at work on them. */
    private static void heldByItsClaimer(String url, String runId) {
        sql(url, "insert into org_leases (org_id, holder, operation, run_id, lease_until) select org_id, claimed_by, 'provision', run_id, "
                + "lease_until from run_items where run_id = '" + runId + "' and status = 'running'");
    }

    private static String detachedProvision(Cli cli, Path schema, List<String> ids) {
        return strictJson(cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "--detach", "-o", "json"), ids)))
                .get("run_id").asText();
    }

    private Cli fleet(String url, Path dir, int capacity) {
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_STORE", dir.resolve("store").toUri().toString(), "USER", "test"));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), capacity, 1);
        CliFixture.addPool(cli, "pool-2", pools.uri(1), capacity, 2);
        return cli;
    }

    @Test
    void threeWorkersOnOneDetachedBackupRunBackEachOrgUpExactlyOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 30);
        Path schema = CliFixture.smallSchema(dir);
        MigrateAllFixture.provision(cli, schema, CliFixture.ids("org-", 0, 60));

        JsonNode detached = strictJson(ok(cli, "backup", "--all", "--detach", "-o", "json"));
        String runId = detached.get("run_id").asText();
        assertThat(detached.get("verb").asText()).isEqualTo("backup");
        assertThat(detached.get("status").asText()).isEqualTo("running");
        assertThat(detached.get("counts").get("not_started").asInt()).isEqualTo(60);

        List<Cli.Result> workers = parallel(3, i -> cli.run("backup", "--join", runId, "--per-pool", "2", "--concurrency", "3", "-o", "json"));
        workers.forEach(w -> assertThat(w.exitCode()).as(w.toString()).isZero());
        JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
        assertThat(MigrateAllFixture.itemStatuses(run)).containsExactly(Map.entry("succeeded", 60));
        Map<String, Integer> backupsPerOrg = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select org_id, count(*) from backups where run_id = '" + runId + "' group by org_id")) {
            while (rs.next()) {
                backupsPerOrg.put(rs.getString(1), rs.getInt(2));
            }
        }
        assertThat(backupsPerOrg).hasSize(60).allSatisfy((org, n) -> assertThat(n).as(org).isEqualTo(1));
        JsonNode listed = strictJson(ok(cli, "backups", "list", "-o", "json"));
        // each org's recorded detail is a JSON value naming the backup it took (not a string holding JSON)
        java.util.Set<String> listedIds = new java.util.HashSet<>();
        listed.get("backups").forEach(b -> listedIds.add(b.get("backup_id").asText()));
        run.get("items").forEach(i -> assertThat(i.get("detail").path("backup_id").asText()).as(i.toString()).isIn(listedIds));
        assertThat(listed.toString()).doesNotContain("\"incomplete\"").doesNotContain("\"failed\"");
    }

    @Test
    void aDetachedRunsOrgsCarryNoErrorBeforeAWorkerReachesThem(@TempDir Path dir) {
        Path schema = CliFixture.smallSchema(dir);
        Cli cli = fourOrgs(dir, schema);

        JsonNode provision = strictJson(ok(cli, "provision", "--schema", schema.toString(), "new-1", "new-2", "--detach", "-o", "json"));
        JsonNode backup = strictJson(ok(cli, "backup", "--all", "--detach", "-o", "json"));
        JsonNode migrate = strictJson(ok(cli, "migrate-all", "--schema", schema.toString(), "--force", "--detach", "-o", "json"));
        JsonNode verify = strictJson(ok(cli, "verify", "--detach", "-o", "json"));
        for (JsonNode detached : List.of(provision, backup, migrate, verify)) {
            // one result shape: the same header, in the same order, and the same word for an org no worker reached
            List<String> keys = new ArrayList<>();
            detached.fieldNames().forEachRemaining(keys::add);
            assertThat(keys.subList(0, 8)).as(detached.get("verb").asText())
                    .containsExactly("run_id", "verb", "status", "counts", "p50_ms", "p95_ms", "max_ms", "orgs");
            assertThat(detached.get("counts").fieldNames()).toIterable().as(detached.get("verb").asText()).containsExactly("not_started");
            assertThat(detached.get("status").asText()).isEqualTo("running");
            // nothing went wrong: the run was only created ("not started: run interrupted" said otherwise)
            assertThat(detached.get("orgs")).isNotEmpty().allSatisfy(o -> {
                assertThat(o.get("outcome").asText()).isEqualTo("not_started");
                assertThat(o.get("error").isNull()).as(o.toString()).isTrue();
            });
            assertThat(detached.get("failed")).isEmpty();
            assertThat(detached.get("interrupted").asBoolean()).isFalse();
        }
    }

    @Test
    void detachWithDryRunIsADryRunAndRecordsNoRun(@TempDir Path dir) {
        Path schema = CliFixture.smallSchema(dir);
        Cli cli = fourOrgs(dir, schema);
        int runs = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").size();

        for (List<String> line : List.of(List.of("provision", "--schema", schema.toString(), "new-1"), List.of("backup", "--all"),
                List.of("rebalance", "apply", "--threshold", "0"))) {
            List<String> args = new ArrayList<>(line);
            args.addAll(List.of("--detach", "--dry-run"));
            Cli.Result text = ok(cli, args.toArray(String[]::new));
            assertThat(text.out()).as(text.toString()).contains("dry run").doesNotContain("null").doesNotContain("--join");
            args.addAll(List.of("-o", "json"));
            JsonNode json = strictJson(ok(cli, args.toArray(String[]::new)));
            assertThat(json.get("status").asText()).as(json.toString()).isEqualTo("dry_run");
            assertThat(json.get("run_id").isNull()).isTrue();
        }
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).hasSize(runs);
    }

    /**
     * --per-pool 2 given to the workers, or only to --detach (the run records it: workers that join without one keep it,
     * where they used their own default of 4 before).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void perPoolHoldsAcrossAllTheWorkersOfARun(boolean givenToDetachOnly, @TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        Map<String, Integer> most = new ConcurrentHashMap<>();
        Cli cli = fleet(url, dir, 12).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes")) {
                String pool = db.contains("p1") ? "pool-1" : "pool-2";
                int now = inFlight.computeIfAbsent(pool, k -> new AtomicInteger()).incrementAndGet();
                most.merge(pool, now, Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(15)); // widen the window in which orgs overlap
            }
        }, (db, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes")) {
                inFlight.get(db.contains("p1") ? "pool-1" : "pool-2").decrementAndGet();
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = new ArrayList<>(CliFixture.ids("p1-", 0, 12));
        ids.addAll(CliFixture.ids("p2-", 0, 12));
        List<String> detach = new ArrayList<>(List.of("provision", "--schema", schema.toString(), "--detach", "-o", "json"));
        List<String> join = new ArrayList<>(List.of("provision", "--concurrency", "6", "-o", "json", "--join"));
        (givenToDetachOnly ? detach : join).addAll(1, List.of("--per-pool", "2"));
        JsonNode detached = strictJson(cli.run(CliFixture.args(detach, ids)));
        String runId = detached.get("run_id").asText();
        join.add(runId);
        // fill-then-spill put p1-* on pool-1 and p2-* on pool-2
        assertThat(strictJson(ok(cli, "orgs", "list", "--pool", "pool-1", "-o", "json")).get("orgs")).allSatisfy(o ->
                assertThat(o.get("org_id").asText()).startsWith("p1-"));

        List<Cli.Result> workers = parallel(3, i -> cli.run(join.toArray(String[]::new)));
        workers.forEach(w -> assertThat(w.exitCode()).as(w.toString()).isZero());
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("per_pool").asInt()).isEqualTo(givenToDetachOnly ? 2 : 4);
        assertThat(most.get("pool-1")).as("orgs at once on pool-1, over 3 workers").isBetween(1, 2);
        assertThat(most.get("pool-2")).as("orgs at once on pool-2, over 3 workers").isBetween(1, 2);
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("succeeded");
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(schema));
    }

    @Test
    void oneConnectionLostWhileThePoolIsCheckedDoesNotFailItsOrgs(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        AtomicInteger pings = new AtomicInteger();
        Cli cli = fleet(url, dir, 10).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
        }, () -> {
            if (pings.incrementAndGet() == 1) { // the connection is reset under the first ping, as a flaky network does
                throw new com.mongodb.MongoSocketReadException("Prematurely reached end of stream", new com.mongodb.ServerAddress("pool-1", 27017));
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        JsonNode out = strictJson(ok(cli, "provision", "c1", "c2", "c3", "c4", "--schema", schema.toString(), "--pool", "pool-1", "-o", "json"));
        assertThat(out.get("counts").get("provisioned").asInt()).as(out.toString()).isEqualTo(4);
        assertThat(pings.get()).as("the check pinged once more after the lost connection").isEqualTo(2);
        SchemaCheck.assertClean(url, List.of("c1", "c2", "c3", "c4"), SchemaManifest.load(schema));
    }

    @Test
    void aPoolThatDoesNotAnswerFailsOnlyItsOwnOrgsNamingThePool(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 2).decoratePools(real -> HookedPools.onPing(real, poolId -> {
            if (poolId.equals("pool-2")) {
                throw io.tenantctl.TenantctlException.config("pool pool-2 is unreachable: timed out after 1500 ms");
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        Cli.Result r = cli.run("provision", "d1", "d2", "d3", "d4", "--schema", schema.toString(), "-o", "json");
        JsonNode out = strictJson(r);
        assertThat(r.exitCode()).as("some orgs failed: " + r).isEqualTo(1);
        assertThat(out.get("counts").get("provisioned").asInt()).isEqualTo(2); // fill-then-spill: d1, d2 on pool-1
        for (JsonNode o : out.get("orgs")) {
            if (o.get("pool_id").asText().equals("pool-2")) {
                assertThat(o.get("outcome").asText()).isEqualTo("failed");
                assertThat(o.get("error").asText()).contains("pool-2").contains("unreachable");
            }
        }
        SchemaCheck.assertClean(url, List.of("d1", "d2"), SchemaManifest.load(schema));
    }

    @Test
    void rateLimitsHowFastOrgsStartOnAPool(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Map<String, Long> firstCommand = new ConcurrentHashMap<>();
        Cli cli = fleet(url, dir, 10).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (db.startsWith("org_r")) {
                firstCommand.putIfAbsent(db, System.nanoTime());
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        long t0 = System.nanoTime();
        ok(cli, "provision", "r1", "r2", "r3", "r4", "r5", "--schema", schema.toString(), "--pool", "pool-1", "--rate", "2");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        List<Long> starts = firstCommand.values().stream().sorted().toList();
        assertThat(starts).hasSize(5);
        // starts are 500 ms apart; what is measured is each org's first command, a little after its start — on a loaded
        // machine up to a few hundred ms after it (a probing helper's run saw a 250 ms gap measured under 150)
        for (int i = 1; i < starts.size(); i++) {
            assertThat(Duration.ofNanos(starts.get(i) - starts.get(i - 1))).as("gap before the %d. org", i + 1)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        assertThat(Duration.ofNanos(starts.get(4) - starts.get(0))).as("first to fifth start at 2 a second")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1750));
        assertThat(took).as("5 orgs at 2 a second").isGreaterThanOrEqualTo(Duration.ofMillis(2000));
    }

    @Test
    void runsCancelEndsARunThatBlocksTheNextRollout(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
        Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
        List<String> ids = CliFixture.ids("c-", 0, 4);
        MigrateAllFixture.provision(cli, v1, ids);
        String runId = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--detach", "-o", "json")).get("run_id").asText();

        Cli.Result blocked = cli.run("migrate-all", "--schema", v2.toString());
        assertThat(blocked.exitCode()).as(blocked.toString()).isEqualTo(3);
        assertThat(blocked.err()).contains("--resume " + runId).contains("tenantctl runs cancel " + runId);
        // a pipeline's dry run is refused as its run would be (it said nothing and exited 0); with --wait it says the run
        // would wait for this one (detached minutes ago: its Job's workers may be starting)
        Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(3);
        assertThat(dry.err()).isEqualTo(blocked.err());
        assertThat(strictJson(dry).get("error").get("message").asText()).contains("tenantctl runs cancel " + runId);
        Cli.Result dryWait = ok(cli, "migrate-all", "--schema", v2.toString(), "--dry-run", "--wait");
        assertThat(dryWait.err()).as(dryWait.toString()).contains("a run would wait (--wait): migrate-all run " + runId + " is in progress");

        assertThat(ok(cli, "runs", "cancel", runId, "--dry-run").out()).contains("would be cancelled");
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("running");
        JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(MigrateAllFixture.itemStatuses(shown)).containsExactly(Map.entry("cancelled", 4));
        // a run ends once: cancelled again, it is left as it is (exit 0, nothing to do), as a delete of a deleting org
        assertThat(ok(cli, "runs", "cancel", runId).out()).contains("was already cancelled").contains("nothing to do");
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run")).isEqualTo(shown.get("run"));
        Cli.Result resumed = cli.run("migrate-all", "--resume", runId);
        assertThat(resumed.exitCode()).isEqualTo(2);
        assertThat(resumed.err()).contains("was cancelled");

        assertThat(ok(cli, "migrate-all", "--schema", v2.toString(), "--dry-run").err()).doesNotContain("would wait");
        JsonNode next = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "-o", "json"));
        assertThat(next.get("migrated").asInt()).isEqualTo(4);
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(v2));
    }

    /**
     * Found by a probing helper: --resume of a rollout that had succeeded reopened it, rewriting its finish time (runs
     * list then showed a run of 9 s that took 0.9 s); and of one a newer rollout came after, it advised 'runs cancel',
     * which refuses a succeeded run. Such a run is only reported, as --join reports a run that is over.
     */
    @Test
    void resumingASucceededRolloutOnlyReportsItEvenOnceANewerOneCameAfter(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
        Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
        List<String> ids = CliFixture.ids("s-", 0, 2);
        MigrateAllFixture.provision(cli, v1, ids);
        String runId = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "-o", "json")).get("run_id").asText();
        String finished = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("finished_at").asText();

        JsonNode resumed = strictJson(ok(cli, "migrate-all", "--resume", runId, "-o", "json"));
        assertThat(resumed.get("status").asText()).isEqualTo("succeeded");
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("finished_at").asText())
                .as("its history is left as it was").isEqualTo(finished);

        ok(cli, "migrate-all", "--schema", v1.toString(), "--force"); // a newer rollout of another manifest comes after
        Cli.Result again = cli.run("migrate-all", "--resume", runId);
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.err()).doesNotContain("runs cancel");
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(v1));
    }

    /**
     * --resume of a succeeded run redoes nothing and says so first ("had already succeeded"), unless its verb's work has a
     * last step of its own, done on every --resume (verify's fleet checks): the engine asks the work, not the verb's name.
     */
    @Test
    void resumingASucceededRunSaysNothingWasRedoneUnlessItsWorkHasALastStep(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
        String runId = strictJson(MigrateAllFixture.provision(cli, v1, List.of("s-0", "s-1"))).get("run_id").asText();
        try (Catalog catalog = Catalog.open(url); PoolClients noPools = new PoolClients(Map.of())) {
            for (boolean lastStep : new boolean[] {false, true}) {
                List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
                RunEngine engine = new RunEngine(new OpsContext(catalog, noPools, Retry.ferretDefault(), "test", notices::add),
                        OrgLeases.Recoverer.NONE);
                RunEngine.Drive resume = new RunEngine.Drive(RunEngine.Settings.DEFAULT, new RunControl(false, null, runId),
                        new CancelToken(), Progress.NONE);
                RunEngine.Ran ran = engine.run("provision", resume, OutcomeNames.of("provisioned"), () -> null, run -> {
                    RunEngine.Work work = new RunEngine.Work(Job.of(null, (org, pool) -> {
                        throw new AssertionError("redone: " + org);
                    }), Budget.NONE);
                    return lastStep ? work.withALastStep() : work;
                });
                assertThat(ran.report().statusText()).isEqualTo("succeeded");
                assertThat(notices).as("with a last step: %s", lastStep)
                        .isEqualTo(lastStep ? List.of() : List.of("run " + runId + " had already succeeded (2 orgs): nothing was redone"));
            }
        }
    }

    /**
     * Found by a probing helper: for a minute after the only worker of a rollout died on this host, the next rollout
     * was refused "in progress: wait for it, pass --wait, or join it" (its claim's lease and the run's heartbeat were
     * still fresh), though nothing would ever finish it and --resume takes a dead local worker's claims over at once.
     */
    @Test
    void aRolloutWhoseOnlyWorkerDiedOnThisHostIsAbandonedAtOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
        Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
        List<String> ids = CliFixture.ids("d-", 0, 3);
        MigrateAllFixture.provision(cli, v1, ids);
        String runId = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--detach", "-o", "json")).get("run_id").asText();
        String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
        killedOnFirstOrg(cli, url, runId, "now() + interval '60 seconds'");
        sql(url, "update runs set heartbeat_at = now(), heartbeat_by = '" + dead + "' where run_id = '" + runId + "'");

        Cli.Result next = cli.run("migrate-all", "--schema", v2.toString());
        assertThat(next.exitCode()).as(next.toString()).isEqualTo(3);
        assertThat(next.err()).doesNotContain("wait for it").contains("is unfinished").contains("--resume " + runId);
        assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("abandoned");

        ok(cli, "migrate-all", "--resume", runId);
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(v2));
    }

    /**
     * An Indexed Job's pods are all stopped at once (a node drained): the run is interrupted with orgs not started, and
     * the retried pods run the same --join. They must go on with it — not report it and exit 0, which let the Job
     * succeed with the rollout half done. A run cancelled by an operator is not continued, and its joiners exit 1.
     */
    @Test
    void workersJoiningAnInterruptedRunFinishItAndOnesJoiningACancelledRunExit1(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        io.tenantctl.fanout.CancelToken sigterm = new io.tenantctl.fanout.CancelToken();
        Cli cli = fleet(url, dir, 10).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes")) {
                sigterm.cancel("SIGTERM"); // every worker stopped while the first org is worked on
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("i-", 0, 6);
        String runId = detachedProvision(cli, schema, ids);
        Cli.Result stopped = cli.run(sigterm, "provision", "--join", runId, "--concurrency", "1", "-o", "json");
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
        JsonNode interrupted = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(interrupted.get("run").get("status").asText()).isEqualTo("interrupted");
        assertThat(MigrateAllFixture.itemStatuses(interrupted)).containsEntry("pending", 5);

        JsonNode joined = strictJson(ok(cli, "provision", "--join", runId, "-o", "json"));

        assertThat(joined.get("status").asText()).isEqualTo("succeeded");
        assertThat(joined.get("counts").get("provisioned").asInt()).isEqualTo(6);
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(schema));

        List<String> later = CliFixture.ids("j-", 0, 3);
        String cancelledRun = detachedProvision(cli, schema, later);
        ok(cli, "runs", "cancel", cancelledRun);
        Cli.Result joinedCancelled = cli.run("provision", "--join", cancelledRun, "-o", "json");
        assertThat(joinedCancelled.exitCode()).as("a pipeline must not go on as if the cancelled run were done: " + joinedCancelled)
                .isEqualTo(1);
        assertThat(strictJson(joinedCancelled).get("status").asText()).isEqualTo("cancelled");
        assertThat(joinedCancelled.err()).contains("cancelled: run " + cancelledRun + " was cancelled")
                .contains("3 of its orgs were not done");
        assertThat(CliFixture.orgIds(cli, "active")).doesNotContainAnyElementsOf(later);
    }

    /**
     * Found by probing: a worker that ends on a run cancelled while another worker had orgs in flight counted those as
     * "not done: start a new run for them" (they succeeded seconds later on the other worker), and exited 1 even when
     * the cancel came after every org had started. In flight elsewhere is said as such; nothing undone is exit 0.
     */
    @Test
    void aWorkerEndingOnACancelledRunDoesNotCallAnotherWorkersOrgsUndone(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path schema = CliFixture.smallSchema(dir);
        // a live worker elsewhere in this process (its pid is alive): its claims are in flight, at work under their orgs' leases
        String other = Worker.current("test").host() + "/" + ProcessHandle.current().pid() + "/other";

        String some = detachedProvision(cli, schema, CliFixture.ids("c-", 0, 3));
        sql(url, "update run_items set status = 'running', claimed_by = '" + other + "', lease_until = now() + interval '10 minutes' "
                + "where run_id = '" + some + "' and seq = 0");
        heldByItsClaimer(url, some);
        ok(cli, "runs", "cancel", some);
        Cli.Result joined = cli.run("provision", "--join", some, "-o", "json");
        assertThat(joined.exitCode()).as("two orgs never started: %s", joined).isEqualTo(1);
        assertThat(joined.err()).contains("2 of its orgs were not done").contains("1 still in flight on other workers");

        String all = detachedProvision(cli, schema, CliFixture.ids("d-", 0, 2));
        sql(url, "update run_items set status = 'running', claimed_by = '" + other + "', lease_until = now() + interval '10 minutes' "
                + "where run_id = '" + all + "' and seq = 0");
        heldByItsClaimer(url, all);
        sql(url, "update run_items set status = 'succeeded', attempts = 1, millis = 5 where run_id = '" + all + "' and seq = 1");
        ok(cli, "runs", "cancel", all);
        Cli.Result nothingUndone = cli.run("provision", "--join", all, "-o", "json");
        assertThat(nothingUndone.exitCode()).as("the cancel came after every org had started: %s", nothingUndone).isZero();
        assertThat(nothingUndone.err()).contains("no org of it was left undone").contains("1 still in flight on other workers")
                .doesNotContain("start a new run");
    }

    /**
     * Found by probing: a provision stopped by Ctrl-C and then cancelled left its orgs that never started 'provisioning',
     * holding every place on the pools (new provisions: "no capacity"), and 'orgs forget' refused them. Cancelling
     * gives back the places of the orgs no run ever started, and fails the one a dead worker had begun (its database
     * may be half made: provision finishes it, or forget frees it).
     */
    @Test
    void cancellingAProvisionGivesBackThePlacesOfItsOrgsThatNeverStarted(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 2); // four places in all
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("p-", 0, 4);
        String runId = detachedProvision(cli, schema, ids);
        // a worker of this run died in the middle of the first org (its lease ran out)
        String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
        sql(url, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = now() - interval '1 minute', "
                + "attempts = 1 where run_id = '" + runId + "' and seq = 0");
        Cli.Result full = cli.run("provision", "q-0", "--schema", schema.toString());
        assertThat(full.exitCode()).as("every place is taken: %s", full).isNotZero();

        JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
        assertThat(dry.get("provision").get("places_released")).hasSize(3);
        JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        List<String> released = new java.util.ArrayList<>();
        cancelled.get("provision").get("places_released").forEach(n -> released.add(n.asText()));
        String begun = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("items").get(0).get("org_id").asText();
        assertThat(released).hasSize(3).doesNotContain(begun);
        assertThat(cancelled.get("provision").get("failed").size()).isEqualTo(1);
        assertThat(cancelled.get("provision").get("failed").get(begun).asText()).as("the run's manifest, by hash")
                .startsWith("tenantctl provision " + begun + " --schema-hash ");
        assertThat(CliFixture.orgIds(cli, "provisioning")).isEmpty();
        assertThat(CliFixture.orgIds(cli, "failed")).containsExactly(begun);

        // the places are free again: three new orgs fit, and the begun one is forgotten or finished as its line says
        ok(cli, "provision", "q-0", "q-1", "q-2", "--schema", schema.toString());
        ok(cli, "orgs", "forget", begun);
        SchemaCheck.assertClean(url, List.of("q-0", "q-1", "q-2"), SchemaManifest.load(schema));
    }

    /**
     * Found by probing: after an interrupted provision, a migrate-all that skipped one of its never-started orgs (and a
     * backup that refused another) made the cancel mark them failed, "a worker had begun", though no provision ever
     * began them and their databases did not exist. Only a provision's attempt counts as having begun one.
     */
    @Test
    void cancellingAProvisionReleasesOrgsAnotherVerbOnlyLookedAt(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 2);
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("s-", 0, 4);
        String runId = detachedProvision(cli, schema, ids);
        Cli.Result migrate = cli.run("migrate-all", "--schema", schema.toString(), "--org", "s-3");
        assertThat(migrate.exitCode()).as("%s", migrate).isNotEqualTo(2);
        Cli.Result backup = cli.run("backup", "--org", "s-2");
        assertThat(backup.exitCode()).as("%s", backup).isNotEqualTo(2);

        JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
        assertThat(dry.get("provision").get("failed").size()).as("%s", dry).isZero();
        JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
        List<String> released = new java.util.ArrayList<>();
        cancelled.get("provision").get("places_released").forEach(n -> released.add(n.asText()));
        assertThat(released).as("%s", cancelled).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(cancelled.get("provision").get("failed").size()).isZero();
        assertThat(CliFixture.orgIds(cli, "failed")).isEmpty();
        assertThat(CliFixture.orgIds(cli, "provisioning")).isEmpty();
    }

    /**
     * Found by a colleague: 'runs cancel' left an org a live worker had claimed but not started (checking its pool, not yet
     * holding the org's lease) running, as if in flight, and the worker then provisioned it in the cancelled run. A worker
     * is at work on an org once it holds the org's lease: this one's org is cancelled with the run's unstarted ones (its
     * place given back), and the worker, once it has the lease, finds it so and does nothing to it.
     */
    @Test
    void cancellingAProvisionStopsAnOrgItsWorkerClaimedButHadNotTakenTheLeaseOf(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path schema = CliFixture.smallSchema(dir);
        String runId = detachedProvision(cli, schema, List.of("w-0"));
        List<String> databases = new ArrayList<>(pools.databaseNames(0));
        databases.addAll(pools.databaseNames(1));
        try (Pause atPing = Pause.at(1)) {
            // the worker has claimed w-0's item and checks its pool (its first ping) before it takes the org's lease
            Cli worker = Cli.withCatalog(url).decoratePools(real -> HookedPools.onPing(real, poolId -> atPing.call()));
            java.util.concurrent.CompletableFuture<Cli.Result> joined = worker.start("provision", "--join", runId, "-o", "json");
            atPing.awaitPaused("the worker's pool check of w-0's claimed item");
            assertThat(CliFixture.count(url, "select count(*) from run_items where run_id = '" + runId + "' and status = 'running'"))
                    .as("w-0's item claimed").isEqualTo(1);
            JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
            JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
            atPing.wake();
            Cli.Result r = joined.get(60, TimeUnit.SECONDS);

            assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
            assertThat(r.exitCode()).as("the worker of a cancelled run with an org not done: %s", r).isEqualTo(1);
            assertThat(r.err()).contains("cancelled: run " + runId + " was cancelled").contains("1 of its orgs was not done");
            JsonNode item = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("items").get(0);
            assertThat(item.get("status").asText()).as("%s", item).isEqualTo("cancelled");
            assertThat(cli.run("orgs", "show", "w-0").exitCode()).as("no row: its place given back").isEqualTo(2);
            List<String> after = new ArrayList<>(pools.databaseNames(0));
            after.addAll(pools.databaseNames(1));
            assertThat(after).as("nothing built for w-0").containsExactlyInAnyOrderElementsOf(databases);
            assertThat(dry.get("provision").get("places_released").toString()).as("the dry run says what the cancel does: %s", dry)
                    .isEqualTo(cancelled.get("provision").get("places_released").toString()).contains("w-0");
        }
    }

    /**
     * A verify without --fix changes nothing and takes no org lease: an org its live worker has claimed is in flight
     * (being checked) although nobody holds the org's lease, and a cancel leaves it to that worker to finish and record.
     */
    @Test
    void cancellingAVerifyLeavesAnOrgItsLiveWorkerClaimedInFlight(@TempDir Path dir) {
        Cli cli = fourOrgs(dir, CliFixture.smallSchema(dir));
        String url = cli.catalogUrl();
        String runId = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        String other = Worker.current("test").host() + "/" + ProcessHandle.current().pid() + "/other";
        sql(url, "update run_items set status = 'running', claimed_by = '" + other + "', lease_until = now() + interval '10 minutes' "
                + "where run_id = '" + runId + "' and seq = 0");

        ok(cli, "runs", "cancel", runId);

        assertThat(CliFixture.count(url, "select count(*) from run_items where run_id = '" + runId + "' and status = 'running' "
                + "and claimed_by = '" + other + "'")).as("the org being checked is left to its worker").isEqualTo(1);
        assertThat(CliFixture.count(url, "select count(*) from run_items where run_id = '" + runId + "' and status = 'cancelled'"))
                .as("the rest, not started, cancelled").isEqualTo(CliFixture.count(url, "select count(*) from run_items where run_id = '"
                        + runId + "'") - 1);
    }

    /**
     * Found by a colleague: a worker that finds its claimed org busy hands the item back to the run, and with --busy-timeout 0
     * failed it even when 'runs cancel' had cancelled it meanwhile (under the lease of whoever holds the org): the run
     * then reported a failed org the operator did not have. Here the cancel comes while the worker checks its pool and
     * another operation (a backup of this process) holds w-0's lease: the item stays cancelled, nothing counted failed.
     */
    @Test
    void anItemCancelledWhileAnotherOperationHoldsItsOrgIsNotFailedByItsWorker(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path schema = CliFixture.smallSchema(dir);
        String runId = detachedProvision(cli, schema, List.of("w-0"));
        String other = Worker.current("test").host() + "/" + ProcessHandle.current().pid() + "/other";
        try (Pause atPing = Pause.at(1)) {
            Cli worker = Cli.withCatalog(url).decoratePools(real -> HookedPools.onPing(real, poolId -> atPing.call()));
            java.util.concurrent.CompletableFuture<Cli.Result> joined = worker.start("provision", "--join", runId, "--busy-timeout", "0",
                    "-o", "json");
            atPing.awaitPaused("the worker's pool check of w-0's claimed item");
            sql(url, "insert into org_leases (org_id, holder, operation, lease_until) values ('w-0', '" + other + "', 'backup', "
                    + "now() + interval '10 minutes')");
            ok(cli, "runs", "cancel", runId);
            atPing.wake();
            Cli.Result r = joined.get(60, TimeUnit.SECONDS);

            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
            JsonNode item = shown.get("items").get(0);
            assertThat(item.get("status").asText()).as("%s", shown).isEqualTo("cancelled");
            assertThat(strictJson(r).get("counts").has("failed")).as("%s", r).isFalse();
        }
    }

    /**
     * Found by probing: a provision worker killed with kill -9 and its run cancelled within the minute left the org in
     * flight 'provisioning', its item 'running' in a cancelled run, and nothing naming a way out. A process of this host
     * that is gone holds nothing: the cancel (and its dry run) ends its org as it ends one whose lease ran out.
     */
    @Test
    void cancellingARunRightAfterItsWorkerWasKilledEndsTheOrgItHadBegun(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 2);
        Path schema = CliFixture.smallSchema(dir);
        String runId = detachedProvision(cli, schema, CliFixture.ids("k-", 0, 4));
        // killed a second ago in the middle of its first org: its claim and its org lease still have a minute to run
        String begun = killedOnFirstOrg(cli, url, runId, "now() + interval '1 minute'");
        sql(url, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) select org_id, claimed_by, "
                + "split_part(claimed_by, '/', 1), cast(split_part(claimed_by, '/', 2) as bigint), 'provision', run_id, "
                + "now() + interval '1 minute' from run_items where run_id = '" + runId + "' and status = 'running'");

        JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
        assertThat(dry.get("provision").get("places_released")).hasSize(3);
        assertThat(dry.get("provision").get("failed").has(begun)).as("the dry run says what the cancel does: %s", dry).isTrue();
        JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
        assertThat(cancelled.get("provision").get("failed").get(begun).asText()).startsWith("tenantctl provision " + begun + " --schema-hash ");
        assertThat(CliFixture.orgIds(cli, "provisioning")).isEmpty();
        assertThat(CliFixture.orgIds(cli, "failed")).containsExactly(begun);
        JsonNode item = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("items").get(0);
        assertThat(item.get("status").asText()).as("not left running in a cancelled run: %s", item).isEqualTo("cancelled");

        // and its line finishes it
        ok(cli, "provision", begun, "--schema", schema.toString());
        SchemaCheck.assertClean(url, List.of(begun), SchemaManifest.load(schema));
    }

    /**
     * Found by probing: 'verify --fix' marked a dead provision's org failed "(tenantctl provision --resume RUN resumes
     * it)", then, in the same pass, cancelled RUN as abandoned: pasted, the resume was refused ("run … was cancelled").
     * The abandoned run is cancelled first; its cancel ends the org it had begun and says what provisions it again.
     */
    @Test
    void verifyFixOfAnAbandonedProvisionNamesAProvisionThatWorks(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path schema = CliFixture.smallSchema(dir);
        String runId = detachedProvision(cli, schema, CliFixture.ids("v-", 0, 3));
        String begun = killedOnFirstOrg(cli, url, runId, "now() - interval '1 minute'");
        sql(url, "update runs set heartbeat_at = now() - interval '5 minutes' where run_id = '" + runId + "'");
        sql(url, "update orgs set updated_at = now() - interval '1 hour' where status = 'provisioning'");

        JsonNode fixed = strictJson(cli.run("verify", "--fix", "--stuck-after", "1s", "-o", "json"));
        String lines = fixed.get("fixed").toString();
        assertThat(lines).as(lines).contains("run " + runId).contains(begun).doesNotContain("--resume " + runId);
        assertThat(CliFixture.orgIds(cli, "provisioning")).isEmpty();
        java.util.regex.Matcher next = java.util.regex.Pattern.compile("tenantctl (provision " + begun + " [^)\"]*?)(\\s{3}|\\)|\")").matcher(lines);
        assertThat(next.find()).as(lines).isTrue();
        ok(cli, next.group(1).trim().split(" "));
        SchemaCheck.assertClean(url, List.of(begun), SchemaManifest.load(schema));
    }

    /** A detached run with nothing to work on is over at once: it does not sit "running", blocking the next rollout. */
    @Test
    void aDetachedRunWithNothingToDoIsOverAndBlocksNothing(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path schema = CliFixture.smallSchema(dir);
        MigrateAllFixture.provision(cli, schema, CliFixture.ids("n-", 0, 3));

        JsonNode detached = strictJson(ok(cli, "migrate-all", "--schema", schema.toString(), "--detach", "-o", "json"));

        assertThat(detached.get("selected").asInt()).isZero();
        assertThat(detached.get("status").asText()).isEqualTo("succeeded");
        Cli.Result next = cli.run("migrate-all", "--schema", schema.toString(), "-o", "json");
        assertThat(next.exitCode()).as(next.toString()).isZero();
    }

    @Test
    void aRunWhoseWorkerDiedIsShownAbandonedAndResumeTakesItsOrgsOverAtOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("d-", 0, 6);
        String runId = detachedProvision(cli, schema, ids);
        // a worker of this host claimed three orgs, then died (kill -9): its leases are still live, its process is gone
        String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
        sql(url, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = now() + interval '10 minutes' "
                + "where run_id = '" + runId + "' and seq < 3");
        sql(url, "update runs set heartbeat_at = now() - interval '5 minutes' where run_id = '" + runId + "'");
        JsonNode progress = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(MigrateAllFixture.itemStatuses(progress)).as("nobody works on the dead worker's orgs: not running")
                .containsEntry("abandoned", 3).containsEntry("pending", 3);

        // leases expired too: nobody is at work, so runs list says abandoned and what to run
        sql(url, "update run_items set lease_until = now() - interval '1 minute' where run_id = '" + runId + "' and status = 'running'");
        JsonNode listed = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
        assertThat(listed.get("run_id").asText()).isEqualTo(runId);
        assertThat(listed.get("status").asText()).isEqualTo("abandoned");
        assertThat(listed.get("next_step").asText()).isEqualTo("tenantctl provision --resume " + runId);
        assertThat(listed.get("next_note").asText()).contains("runs cancel " + runId);
        assertThat(ok(cli, "runs", "list").out()).as("the table says it too").contains("abandoned " + runId + ": tenantctl provision --resume " + runId);

        // live leases of a dead process on this host are taken over at once, not after the 60 s lease: its run claims
        // and the org leases it took for them (kill -9 releases neither)
        sql(url, "update run_items set lease_until = now() + interval '10 minutes' where run_id = '" + runId + "' and status = 'running'");
        sql(url, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) select org_id, claimed_by, "
                + "split_part(claimed_by, '/', 1), cast(split_part(claimed_by, '/', 2) as bigint), 'provision', run_id, "
                + "now() + interval '10 minutes' from run_items where run_id = '" + runId + "' and status = 'running'");
        long t0 = System.nanoTime();
        JsonNode resumed = strictJson(ok(cli, "provision", "--resume", runId, "-o", "json"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(resumed.get("status").asText()).isEqualTo("succeeded");
        assertThat(resumed.get("counts").get("provisioned").asInt()).isEqualTo(6);
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(schema));
    }

    @Test
    void twoProvisionsOfTheSameIdsAtOnceProvisionEachOrgOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Map<String, AtomicInteger> createIndexes = new ConcurrentHashMap<>();
        Cli cli = fleet(url, dir, 20).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes")) {
                createIndexes.computeIfAbsent(db, k -> new AtomicInteger()).incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("same-", 0, 8);
        List<Cli.Result> both = parallel(2, i -> cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "-o", "json"), ids)));
        int provisioned = 0;
        for (Cli.Result r : both) {
            // the second, checked once the first's run is recorded, is refused while that run has orgs still to start (one
            // run of an org at a time); once its workers have them all in hand, the second waits for their leases instead
            if (r.exitCode() == 3) {
                assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains("still to provision")
                        .contains("nothing recorded");
                continue;
            }
            assertThat(r.exitCode()).as(r.toString()).isZero();
            provisioned += strictJson(r).get("provisioned").asInt();
        }
        assertThat(provisioned).as("each org provisioned by exactly one of the two").isEqualTo(8);
        assertThat(createIndexes).hasSize(8).allSatisfy((db, n) -> assertThat(n.get()).as(db).isEqualTo(2));
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(schema));
    }

    @Test
    void anOrgAnotherOperationHoldsIsWaitedForAndThenFailsNamingTheHolder(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = fleet(url, dir, 10);
        MigrateAllFixture.provision(cli, CliFixture.smallSchema(dir), List.of("held", "free"));
        try (Catalog catalog = Catalog.open(url)) {
            assertThat(catalog.leases().acquire("held", "elsewhere/4242/x", "elsewhere", 4242, "restore", "20260101T000000Z-abcd", null, 600)
                    .taken()).isTrue();
            Cli.Result r = cli.run("backup", "--org", "held,free", "--busy-timeout", "1", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode doc = strictJson(r);
            assertThat(doc.get("counts").get("backed_up").asInt()).isEqualTo(1);
            assertThat(doc.get("failed").get(0).get("org_id").asText()).isEqualTo("held");
            assertThat(doc.get("failed").get(0).get("error").asText())
                    .contains("org held is busy: restore by elsewhere/4242/x (run 20260101T000000Z-abcd)").contains("--wait");
            catalog.leases().release("held", "elsewhere/4242/x");
        }
        assertThat(strictJson(ok(cli, "backup", "--org", "held", "-o", "json")).get("counts").get("backed_up").asInt()).isEqualTo(1);
    }

    @Test
    void aConcurrencyAboveTheCapIsAUsageErrorBeforeAnythingIsRecorded(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        Cli cli = fleet(url, dir, 10);
        MigrateAllFixture.provision(cli, schema, List.of("old-1"));
        String runsBefore = strictJson(ok(cli, "runs", "list", "-o", "json")).toString();
        int cap = io.tenantctl.ops.run.RunEngine.MAX_CONCURRENCY;

        // 257: past the cap; 20000: ran out of catalog connections; 2000000000: could not start its threads
        for (String n : List.of(String.valueOf(cap + 1), "20000", "2000000000")) {
            for (List<String> line : List.of(List.of("provision", "new-1", "--schema", schema.toString()),
                    List.of("migrate-all", "--schema", schema.toString(), "--force"), List.of("backup", "--all"))) {
                List<String> args = new ArrayList<>(line);
                args.addAll(List.of("--concurrency", n));
                Cli.Result text = cli.run(args.toArray(String[]::new));
                assertThat(text.exitCode()).as(text.toString()).isEqualTo(2);
                assertThat(text.out()).as(text.toString()).isEmpty();
                assertThat(text.err().lines()).as(text.toString()).singleElement().asString()
                        .startsWith("error: --concurrency must be from 1 to " + cap + ", not " + n);
                args.addAll(List.of("-o", "json"));
                Cli.Result json = cli.run(args.toArray(String[]::new));
                assertThat(json.exitCode()).as(json.toString()).isEqualTo(2);
                JsonNode error = strictJson(json).get("error");
                assertThat(error.get("category").asText()).as(json.toString()).isEqualTo("usage");
                assertThat(error.get("message").asText()).contains("--concurrency").contains(String.valueOf(cap));
            }
        }
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).toString()).as("no run recorded").isEqualTo(runsBefore);
        assertThat(CliFixture.orgIds(cli, "active")).as("no org provisioned").containsExactly("old-1");
        assertThat(strictJson(ok(cli, "provision", "new-1", "--schema", schema.toString(), "--concurrency", String.valueOf(cap), "-o", "json"))
                .get("provisioned").asInt()).as("the cap itself is allowed").isEqualTo(1);
        assertThat(ok(cli, "provision", "--help").out().replaceAll("\\s+", " ")).as("the help says the cap").contains("1 to " + cap);
    }

    @Test
    void aRunStartsNoMoreThreadsThanItHasOrgsToWorkOn(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        java.util.Set<String> runThreads = ConcurrentHashMap.newKeySet();
        Cli cli = fleet(url, dir, 10).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes")) { // while the org is worked on: every thread of the run has been started
                Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.matches("run-\\d+")).forEach(runThreads::add);
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        JsonNode out = strictJson(ok(cli, "provision", "solo", "--schema", schema.toString(), "--concurrency",
                String.valueOf(io.tenantctl.ops.run.RunEngine.MAX_CONCURRENCY), "-o", "json"));
        assertThat(out.get("provisioned").asInt()).isEqualTo(1);
        assertThat(runThreads).as("threads working on a run of one org").hasSize(1);
    }

    /**
     * The cap works end to end: as many orgs as --concurrency allows are in flight at once in one worker (all of them
     * waiting in createIndexes until the last arrives), sharing the catalog's few connections, and the run succeeds.
     */
    @Test
    void aRunAtTheConcurrencyCapHasThatManyOrgsInFlightAndSucceeds(@TempDir Path dir) throws Exception {
        int cap = io.tenantctl.ops.run.RunEngine.MAX_CONCURRENCY;
        String url = CliFixture.initialisedCatalog();
        java.util.concurrent.CountDownLatch allInFlight = new java.util.concurrent.CountDownLatch(cap);
        java.util.Set<String> arrived = ConcurrentHashMap.newKeySet();
        Cli cli = fleet(url, dir, cap / 2).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes") && arrived.add(db)) {
                allInFlight.countDown();
                try {
                    allInFlight.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("cap-", 0, cap);
        Cli.Result r = cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "--concurrency", String.valueOf(cap),
                "--per-pool", String.valueOf(cap / 2), "-o", "json"), ids));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(allInFlight.getCount()).as("orgs that never were in flight together with the others").isZero();
        JsonNode out = strictJson(r);
        assertThat(out.get("status").asText()).isEqualTo("succeeded");
        assertThat(out.get("provisioned").asInt()).isEqualTo(cap);
        assertThat(CliFixture.orgIds(cli, "active")).hasSize(cap);
        SchemaCheck.assertClean(url, ids, SchemaManifest.load(schema));
    }

    /**
     * A catalog error between a worker taking an org's lease and its work on it (here the worker's catalog connection is
     * ended as it says what its lease recovery put right, so its read of the item's status fails) stops the worker; the
     * org's lease stayed held (renewed) by the stopped worker while its other org in flight finished, then until the
     * run's leases expired: the next command on the org waited for it and was refused. It is given back at once now.
     */
    @Test
    void aCatalogErrorRightAfterAWorkerTookAnOrgsLeaseLeavesTheOrgFreeAtOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        Cli cli = fleet(url, dir, 10);
        ok(cli, "provision", "globex", "--schema", schema.toString(), "--pool", "pool-1");
        ok(cli, "provision", "acme", "--schema", schema.toString(), "--pool", "pool-2");
        String runId = strictJson(ok(cli, "backup", "--org", "acme,globex", "--detach", "-o", "json"))
                .get("run_id").asText();
        // a backup --freeze of acme killed on this host: acme left read_only under the dead process's lease
        Worker here = Worker.current("test");
        long pid = deadPid();
        sql(url, "update orgs set status = 'read_only' where org_id = 'acme'");
        sql(url, "insert into org_leases (org_id, holder, host, pid, operation, state, lease_until) values ('acme', '" + here.host() + "/"
                + pid + "/dead', '" + here.host() + "', " + pid + ", 'backup', '{\"frozen_from\": \"active\"}', now() + interval '1 minute')");
        try (Pause globexInFlight = Pause.at(1)) {
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean();
            Cli worker = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_STORE", dir.resolve("store").toUri().toString(), "USER", "test"))
                    .decoratePools(real -> HookedPools.onPing(HookedPools.onDatabase(real, (name, db) -> name.equals("org_globex")
                            ? HookedPools.beforeEach(db, "listCollectionNames", globexInFlight::call) : db), poolId -> {
                        if (poolId.equals("pool-2") && Thread.currentThread().getName().startsWith("run-") && first.compareAndSet(false, true)) {
                            globexInFlight.awaitPaused("globex in flight before acme's lease is taken"); // so its worker goes on after acme
                        }
                    }));
            java.util.concurrent.CompletableFuture<Void> cut = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<Cli.Result> joined = worker.start(new io.tenantctl.fanout.CancelToken(), text -> {
                if (text.contains("set back to active") && !cut.isDone()) {
                    // acme's lease taken and its recovery said: the connection it used (the last one at work) is ended, so
                    // the worker's next catalog statement, reading acme's item, fails as after a failover
                    sql(url, "select pg_terminate_backend(pid) from (select pid from pg_stat_activity where application_name = "
                            + "'tenantctl' and state = 'idle' and pid <> pg_backend_pid() order by state_change desc limit 1) last");
                    cut.complete(null);
                }
            }, "backup", "--join", runId);
            assertThat(cut).as("the worker took acme's lease and said what it recovered").succeedsWithin(Duration.ofSeconds(60));

            // acme is free at once, globex still in flight: a backup of it does not wait for the stopped worker's lease
            Cli.Result again = cli.run("backup", "--org", "acme", "--busy-timeout", "5", "-o", "json");
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(strictJson(again).get("counts").get("backed_up").asInt()).isEqualTo(1);

            globexInFlight.wake();
            Cli.Result stopped = joined.get(60, TimeUnit.SECONDS);
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(3);
            assertThat(stopped.err()).as(stopped.toString()).contains("backup run " + runId + " stopped").contains("--resume " + runId);
        }
    }

    private interface Worker2 {
        Cli.Result run(int i);
    }

    private static List<Cli.Result> parallel(int n, Worker2 work) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            List<Future<Cli.Result>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(threads.submit(() -> work.run(k)));
            }
            List<Cli.Result> out = new ArrayList<>();
            for (Future<Cli.Result> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            threads.shutdownNow();
        }
    }
}
