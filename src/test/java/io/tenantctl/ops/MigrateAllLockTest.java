package io.tenantctl.ops;

import io.tenantctl.testing.HookedPools;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One migrate-all at a time: a second one exits 3 naming the holder, --wait queues behind it, an unfinished run blocks new ones. */
@Timeout(60)
class MigrateAllLockTest {

    private static final String V1 = """
            {"collections": [{"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}}]}]}
            """;
    private static final String V2 = """
            {"collections": [{"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}},
                                                           {"name": "tenant_1", "key": {"tenant": 1}}]}]}
            """;

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final TestPools pools = new TestPools(1);
    /** Real threads (the common pool may have a single worker on a 2-core machine, which would serialise the rollouts). */
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        pools.close();
    }

    private static Cli.Result ok(Cli cli, String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    private String fleet(Path dir, String... orgs) throws IOException {
        String url = TestCatalog.newDatabase();
        Cli cli = Cli.withCatalog(url);
        ok(cli, "init");
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "100");
        Files.writeString(dir.resolve("v1.json"), V1);
        Files.writeString(dir.resolve("v2.json"), V2);
        String[] args = new String[orgs.length + 3];
        args[0] = "provision";
        args[1] = "--schema";
        args[2] = dir.resolve("v1.json").toString();
        System.arraycopy(orgs, 0, args, 3, orgs.length);
        ok(cli, args);
        return url;
    }

    /** The end state of every test here: the orgs have exactly v2 on the pool. */
    private static void assertExactlyV2(String url, String... orgs) {
        SchemaCheck.assertExactly(url, List.of(orgs), SchemaManifest.parse(V2, "v2"));
    }

    private static int migrateAllRuns(Catalog catalog) {
        return (int) catalog.runs().list(100).stream().filter(r -> r.verb().equals("migrate-all")).count();
    }

    /** Pool access whose createIndexes calls first run {@code before}; ping runs {@code onPing}. */
    private static PoolConnector hooked(PoolConnector real, Runnable onPing, Runnable before) {
        return HookedPools.onCommand(real, (name, cmd) -> {
            if (HookedPools.is(cmd, "createIndexes")) {
                before.run();
            }
        }, onPing);
    }

    @Test
    void aHeldLockExits3AndWaitProceedsOnceItIsReleased(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b", "c");
        String v2 = dir.resolve("v2.json").toString();
        try (Catalog catalog = Catalog.open(url)) {
            AutoCloseable held = catalog.tryLock(MigrateAll.LOCK_KEY).orElseThrow();

            Cli.Result refused = Cli.withCatalog(url).run("migrate-all", "--schema", v2);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
            assertThat(refused.err()).contains("another migrate-all is in progress").contains("--wait");
            assertThat(migrateAllRuns(catalog)).as("refused before anything was recorded").isZero();

            CountDownLatch working = new CountDownLatch(1);
            Cli waiter = Cli.withCatalog(url).decoratePools(real -> hooked(real, working::countDown, () -> { }));
            CompletableFuture<Cli.Result> waited = CompletableFuture.supplyAsync(() -> waiter.run("migrate-all", "--schema", v2, "--wait", "-o", "json"),
                    threads);
            assertThat(working.getCount()).as("--wait does no work while the lock is held").isEqualTo(1);
            held.close();

            Cli.Result r = waited.get(30, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.json().get("migrated").asInt()).isEqualTo(3);
            assertThat(working.getCount()).isZero();
        }
        assertExactlyV2(url, "a", "b", "c");
    }

    /** A CLI whose pool work opens {@code inside} and then waits for {@code release}: a rollout held mid-way. */
    private static Cli held(String url, CountDownLatch inside, CountDownLatch release) {
        return Cli.withCatalog(url).decoratePools(real -> hooked(real, () -> { }, () -> {
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    @Test
    void aSecondRolloutIsRefusedNamingTheRunningOneAndWaitQueuesBehindIt(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b", "c");
        String v2 = dir.resolve("v2.json").toString();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Cli first = held(url, inside, release);
        CompletableFuture<Cli.Result> running = CompletableFuture.supplyAsync(() -> first.run("migrate-all", "--schema", v2, "--per-pool", "1",
                "-o", "json"), threads);
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

        try (Catalog catalog = Catalog.open(url)) {
            RunRepository.Run holder = catalog.runs().running("migrate-all").orElseThrow();
            Cli.Result refused = Cli.withCatalog(url).run("migrate-all", "--schema", v2);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
            assertThat(refused.err()).as("names the holder: run id and who started it").contains(holder.runId()).contains("test");
            assertThat(refused.err()).as("the command to join it, with its real id").contains("--join " + holder.runId()).doesNotContain("RUN_ID");

            CompletableFuture<Cli.Result> queued = CompletableFuture.supplyAsync(() -> Cli.withCatalog(url).run("migrate-all", "--schema", v2,
                    "--wait", "-o", "json"), threads);
            release.countDown();
            Cli.Result firstResult = running.get(30, TimeUnit.SECONDS);
            assertThat(firstResult.exitCode()).as(firstResult.toString()).isZero();
            assertThat(firstResult.json().get("migrated").asInt()).isEqualTo(3);
            Cli.Result second = queued.get(30, TimeUnit.SECONDS);
            assertThat(second.exitCode()).as(second.toString()).isZero();
            assertThat(second.json().get("migrated").asInt()).as("the queued rollout finds the work already done").isZero();
            assertThat(second.json().get("failed")).isEmpty();
        }
        assertExactlyV2(url, "a", "b", "c");
    }

    /**
     * Found by probing (two deploy pipelines): a rollout of v3 refused while v2's run was at work said "wait for it, pass
     * --wait, or join it: 'tenantctl migrate-all --join RUN'"; a pipeline that joined (its --join takes no --schema)
     * would roll out v2 and exit 0 as if v3 were out. The refusal now says that run rolls out another manifest and names
     * --wait, not the join; -o json is one document saying the same.
     */
    @Test
    void aRolloutOfAnotherManifestIsNotToldToJoinTheRunAtWork(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b", "c");
        String v2 = dir.resolve("v2.json").toString();
        Path v3 = dir.resolve("v3.json");
        Files.writeString(v3, V2.replace("\"tenant\": 1}}", "\"tenant\": 1}}, {\"name\": \"plan_1\", \"key\": {\"plan\": 1}}"));
        String v2Hash = SchemaManifest.parse(V2, "v2").hash(), v3Hash = SchemaManifest.parse(Files.readString(v3), "v3").hash();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Cli.Result> running = held(url, inside, release).start(new CancelToken(), text -> { }, "migrate-all", "--schema", v2,
                "--per-pool", "1", "-o", "json");
        try {
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            Cli.Result same = Cli.withCatalog(url).run("migrate-all", "--schema", v2);
            assertThat(same.err()).as(same.toString()).contains("--join "); // the same manifest: joining it is this rollout
            Cli.Result other = Cli.withCatalog(url).run("migrate-all", "--schema", v3.toString(), "-o", "json");
            assertThat(other.exitCode()).as(other.toString()).isEqualTo(3);
            String message = STRICT.readTree(other.out()).get("error").get("message").asText();
            assertThat(message).as(other.toString()).contains("rolling out manifest " + v2Hash.substring(0, 12) + ", not this one ("
                    + v3Hash.substring(0, 12) + ")").contains("--wait").doesNotContain("--join").doesNotContain("\n");
            assertThat(Cli.withCatalog(url).run("migrate-all", "--schema", v3.toString(), "--dry-run").err()).contains(message);
        } finally {
            release.countDown();
        }
        assertThat(running.get(60, TimeUnit.SECONDS).exitCode()).isZero();
        assertExactlyV2(url, "a", "b", "c");
    }

    /**
     * Found by probing: a dry run during a live rollout was refused with the line for a run nobody works on ("finish it
     * with --resume …, or end it with 'tenantctl runs cancel …'": advice to take over or end another operator's live
     * run), while the rollout itself was refused as busy. Both say the same line, its commands whole.
     */
    @Test
    void aDryRunDuringALiveRolloutIsRefusedWithTheRolloutsOwnLine(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b", "c");
        String v2 = dir.resolve("v2.json").toString();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Cli.Result> running = held(url, inside, release).start(new CancelToken(), text -> { }, "migrate-all", "--schema", v2,
                "--per-pool", "1", "-o", "json");
        try (Catalog catalog = Catalog.open(url)) {
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            String runId = catalog.runs().running("migrate-all").orElseThrow().runId();

            Cli.Result real = Cli.withCatalog(url).run("migrate-all", "--schema", v2);
            Cli.Result dry = Cli.withCatalog(url).run("migrate-all", "--schema", v2, "--dry-run");
            for (Cli.Result r : List.of(real, dry)) {
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("another migrate-all is in progress (run " + runId)
                        .contains("'tenantctl migrate-all --join " + runId + "'").doesNotContain("--resume").doesNotContain("runs cancel");
            }
            assertThat(dry.err()).isEqualTo(real.err());
        } finally {
            release.countDown();
        }
        assertThat(running.get(60, TimeUnit.SECONDS).exitCode()).isZero();
        assertExactlyV2(url, "a", "b", "c");
    }

    @Test
    void ctrlCStopsAWaitForTheLockAtOnceSayingWhomItWaitedForAndRecordsNothing(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b", "c");
        String v2 = dir.resolve("v2.json").toString();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Cli first = held(url, inside, release);
        CompletableFuture<Cli.Result> running = first.start(new CancelToken(), text -> { }, "migrate-all", "--schema", v2, "--per-pool", "1",
                "-o", "json");
        try (Catalog catalog = Catalog.open(url)) {
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            RunRepository.Run holder = catalog.runs().running("migrate-all").orElseThrow();

            CancelToken cancel = new CancelToken();
            CountDownLatch told = new CountDownLatch(1);
            StringBuffer stderr = new StringBuffer();
            CompletableFuture<Cli.Result> waiting = Cli.withCatalog(url).start(cancel, text -> {
                stderr.append(text);
                if (stderr.indexOf("Ctrl-C stops waiting") >= 0) {
                    told.countDown();
                }
            }, "migrate-all", "--schema", v2, "--wait", "-o", "json");
            assertThat(told.await(20, TimeUnit.SECONDS)).as("--wait says whom it waits for while it waits: " + stderr).isTrue();
            assertThat(waiting).as("still waiting").isNotDone();

            long t0 = System.nanoTime();
            cancel.cancel("SIGTERM");
            Cli.Result stopped = waiting.get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("stops waiting within a moment").isLessThan(3_000);
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
            assertThat(stopped.err().lines().filter(l -> l.contains("Ctrl-C stops waiting"))).as("the wait is said once: " + stopped.err())
                    .hasSize(1);
            assertThat(stopped.err()).contains("waiting (--wait): another migrate-all is in progress (run " + holder.runId() + " started by test")
                    .contains("Ctrl-C stops waiting");
            JsonNode doc = STRICT.readTree(stopped.out()); // exactly one JSON document
            assertThat(doc.path("error").path("code").asInt()).as(stopped.toString()).isEqualTo(130);
            assertThat(doc.path("error").path("category").asText()).isEqualTo("interrupted");
            assertThat(doc.path("error").has("run_id")).as("no run: " + doc).isFalse();

            assertThat(catalog.runs().list(100)).as("nothing recorded: the holder's is the only migrate-all run")
                    .filteredOn(r -> r.verb().equals("migrate-all")).extracting(RunRepository.Run::runId).containsExactly(holder.runId());
            JsonNode listed = STRICT.readTree(ok(Cli.withCatalog(url), "runs", "list", "-o", "json").out());
            List<String> listedMigrateAll = new java.util.ArrayList<>();
            listed.get("runs").forEach(r -> {
                if (r.path("verb").asText().equals("migrate-all")) {
                    listedMigrateAll.add(r.path("run_id").asText());
                }
            });
            assertThat(listedMigrateAll).as("runs list: " + listed).containsExactly(holder.runId());
        } finally {
            release.countDown();
        }
        Cli.Result firstResult = running.get(30, TimeUnit.SECONDS);
        assertThat(firstResult.exitCode()).as(firstResult.toString()).isZero();
        assertThat(firstResult.json().get("migrated").asInt()).as("the rollout that held the lock is untouched").isEqualTo(3);
        assertExactlyV2(url, "a", "b", "c");
    }

    @Test
    void anUnfinishedDetachedRunBlocksNewRolloutsUntilJoinedToTheEnd(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b");
        String v2 = dir.resolve("v2.json").toString();
        Cli cli = Cli.withCatalog(url);
        JsonNode detached = ok(cli, "migrate-all", "--schema", v2, "--detach", "-o", "json").json();
        String runId = detached.get("run_id").asText();

        Cli.Result refused = cli.run("migrate-all", "--schema", v2);
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.err()).contains(runId).contains("--join " + runId);

        Cli.Result joined = cli.run("migrate-all", "--join", runId, "-o", "json");
        assertThat(joined.exitCode()).as(joined.toString()).isZero();
        assertThat(joined.json().get("migrated").asInt()).isEqualTo(2);

        // a restarted worker (a retried pod) joining the finished run just reports it: harmless, exit 0, nothing redone
        CountDownLatch touched = new CountDownLatch(1);
        Cli.Result late = Cli.withCatalog(url).decoratePools(real -> hooked(real, () -> { }, touched::countDown))
                .run("migrate-all", "--join", runId, "-o", "json");
        assertThat(late.exitCode()).as(late.toString()).isZero();
        assertThat(late.json().get("run_id").asText()).isEqualTo(runId);
        assertThat(late.json().get("migrated").asInt()).isEqualTo(2);
        assertThat(touched.getCount()).as("no org is migrated again").isEqualTo(1);

        Cli.Result next = cli.run("migrate-all", "--schema", v2, "-o", "json");
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(next.json().get("selected").asInt()).isZero();
        assertThat(next.json().get("unchanged").asInt()).isEqualTo(2);
        assertExactlyV2(url, "a", "b");
    }

    /**
     * Found by probing a rollback: behind an unfinished run of the bad release (detached, its workers gone), the rollout
     * of the good manifest was refused "join it with --join R, finish it with --resume R, or end it": the first two roll
     * the bad release out to the rest of the fleet. For a run of another manifest the refusal now names only the cancel
     * (and why not the others); followed, the rollout goes on and every org is exactly on the manifest rolled out.
     */
    @Test
    void aRolloutBehindAnUnfinishedRunOfAnotherManifestIsToldToEndItNotToFinishIt(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, V1.replace("\"email\": 1}}", "\"email\": 1}}, {\"name\": \"plan_1\", \"key\": {\"plan\": 1}}"));
        String v2 = dir.resolve("v2.json").toString();
        Cli cli = Cli.withCatalog(url);
        String runId = ok(cli, "migrate-all", "--schema", bad.toString(), "--detach", "-o", "json").json().get("run_id").asText();

        Cli.Result same = cli.run("migrate-all", "--schema", bad.toString());
        assertThat(same.err()).as(same.toString()).contains("--join " + runId).contains("--resume " + runId); // its own manifest: finish it
        Cli.Result refused = cli.run("migrate-all", "--schema", v2, "-o", "json");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
        String message = STRICT.readTree(refused.out()).get("error").get("message").asText();
        assertThat(message).as(refused.toString()).contains("is unfinished: it rolls out manifest " + SchemaManifest.parse(Files.readString(bad), "bad")
                .hash().substring(0, 12)).contains("'tenantctl runs cancel " + runId + "'").doesNotContain("'tenantctl migrate-all --join")
                .doesNotContain("'tenantctl migrate-all --resume").doesNotContain("\n");

        ok(cli, "runs", "cancel", runId);
        assertThat(ok(cli, "migrate-all", "--schema", v2, "-o", "json").json().get("migrated").asInt()).isEqualTo(2);
        assertExactlyV2(url, "a", "b");
    }

    /**
     * A worker stopped for good (kill -STOP) keeps its idle catalog session, and the rollout lock with it. Once its run
     * is abandoned ({@code runs list} advises --resume) the advised --resume goes on, and once its run is over the next
     * rollout is not refused for ever; a holder that names no run is named in the refusal (session pid).
     */
    @Test
    void aStoppedWorkersLockBlocksNeitherTheResumeOfItsAbandonedRunNorTheNextRollout(@TempDir Path dir) throws Exception {
        String url = fleet(dir, "a", "b");
        String v2 = dir.resolve("v2.json").toString();
        Cli cli = Cli.withCatalog(url);
        String runId = ok(cli, "migrate-all", "--schema", v2, "--detach", "-o", "json").json().get("run_id").asText();
        try (Catalog stopped = Catalog.open(url); Catalog catalog = Catalog.open(url)) {
            // the stopped worker: the lock on its session, its claim of org a and the run's heartbeat long run out
            io.tenantctl.catalog.AdvisoryLock held = stopped.advisoryLock(MigrateAll.LOCK_KEY);
            assertThat(held.tryTake()).isTrue();
            RolloutLockHolder.label(held, catalog.runs().get(runId));
            TestCatalog.execute(url, "update run_items set status = 'running', claimed_by = 'other-host/4242/dead', lease_until = now() - "
                    + "interval '1 minute', attempts = 1 where run_id = '" + runId + "' and org_id = 'a'");
            TestCatalog.execute(url, "update runs set heartbeat_at = now() - interval '5 minutes' where run_id = '" + runId + "'");
            assertThat(ok(cli, "runs", "list", "-o", "json").json().get("runs").get(0).get("next_step").asText())
                    .isEqualTo("tenantctl migrate-all --resume " + runId);

            Cli.Result resumed = cli.run("migrate-all", "--resume", runId);
            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            assertThat(resumed.err()).contains("a worker of run " + runId).contains("its catalog session was ended");
            assertExactlyV2(url, "a", "b");

            // the next rollout, while a stopped worker of that run (now over) still holds the lock
            io.tenantctl.catalog.AdvisoryLock again = stopped.advisoryLock(MigrateAll.LOCK_KEY);
            assertThat(again.tryTake()).isTrue();
            RolloutLockHolder.label(again, catalog.runs().get(runId));
            Cli.Result next = cli.run("migrate-all", "--schema", dir.resolve("v1.json").toString());
            assertThat(next.exitCode()).as(next.toString()).isZero();

            // a holder that is no worker of a run (a process starting one, a DBA's session) is named, not ended
            AutoCloseable other = catalog.tryLock(MigrateAll.LOCK_KEY).orElseThrow();
            Cli.Result refused = cli.run("migrate-all", "--schema", v2);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
            assertThat(refused.err()).contains("the rollout lock is held by catalog session pid");
            other.close();
        }
    }
}
