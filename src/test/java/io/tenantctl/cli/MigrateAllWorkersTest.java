package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Scaling out: a detached run of 300 orgs drained by three workers at once; every org migrated exactly once. */
@Timeout(90)
class MigrateAllWorkersTest {

    private final TestPools pools = new TestPools(3);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void threeWorkersShareOneRunAndEachOrgIsMigratedExactlyOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli setup = Cli.withCatalog(url);
        for (int i = 0; i < 3; i++) {
            CliFixture.addPool(setup, "pool-" + i, pools.uri(i), 100, i + 1);
        }
        List<String> orgs = ids("org-", 0, 300);
        MigrateAllFixture.provision(setup, write(dir, "v1.json", V1), orgs, "--per-pool", "8", "--concurrency", "16");
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result detached = setup.run("migrate-all", "--schema", v2.toString(), "--detach", "-o", "json");
        assertThat(detached.exitCode()).as(detached.toString()).isZero();
        JsonNode d = strictJson(detached);
        String runId = d.get("run_id").asText();
        assertThat(d.get("selected").asInt()).isEqualTo(300);
        assertThat(d.get("migrated").asInt()).as("--detach creates the run without working on it").isZero();
        assertThat(MigrateAllFixture.itemStatuses(MigrateAllFixture.runShow(setup, runId))).containsExactlyEntriesOf(Map.of("pending", 300));

        MigrateAllFixture.CreateIndexesCounter all = new MigrateAllFixture.CreateIndexesCounter();
        List<MigrateAllFixture.CreateIndexesCounter> mine = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(3);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Future<Cli.Result>> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            MigrateAllFixture.CreateIndexesCounter own = new MigrateAllFixture.CreateIndexesCounter();
            mine.add(own);
            Cli worker = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
                all.before(db, cmd);
                own.before(db, cmd);
            }));
            workers.add(threads.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return worker.run("migrate-all", "--join", runId, "--per-pool", "4", "--concurrency", "8", "-o", "json");
            }));
        }
        for (Future<Cli.Result> f : workers) {
            Cli.Result r = f.get(80, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("failed")).isEmpty();
        }
        threads.shutdown();

        JsonNode run = MigrateAllFixture.runShow(setup, runId);
        assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
        assertThat(MigrateAllFixture.itemStatuses(run)).containsExactlyEntriesOf(Map.of("succeeded", 300));
        for (String org : orgs) {
            assertThat(all.of(org)).as(org + ": one createIndexes (the changed collection), from one worker").isEqualTo(1);
        }
        assertThat(all.total()).isEqualTo(300);
        Set<String> seen = new HashSet<>();
        for (MigrateAllFixture.CreateIndexesCounter own : mine) {
            for (String db : own.calls.keySet()) {
                assertThat(seen.add(db)).as(db + " was claimed by two workers").isTrue();
            }
        }
        assertThat(hashes(setup).values()).containsOnly(d.get("schema_hash").asText());
        // end state: all 300 orgs, over the three pools and from each of the three workers, have exactly v2
        CliFixture.assertExactly(url, v2, orgs);
    }

    /**
     * Two workers of one detached run, one of which migrated 1 org and the other 3: each one's log said the run's counts
     * as its own ("migrated 4"), beside an "unchanged" that counted the orgs the run never selected — numbers that add
     * up to nothing. Each now says what it did itself, out of the run's orgs, and what the run came to, each count
     * named; -o json keeps its fields and adds the worker's own and the run's totals, which add up.
     */
    @Test
    void eachJoinedWorkerSaysWhatItDidItselfAndWhatTheRunCameToInNumbersThatAddUp(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli setup = Cli.withCatalog(url);
        CliFixture.addPool(setup, "pool-0", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(setup, write(dir, "v1.json", V1), ids("org-", 0, 6));
        Path v2 = write(dir, "v2.json", V2_ADD);
        CliFixture.ok(setup, "migrate-all", "--schema", v2.toString(), "--org", "org-0,org-1"); // up to date: not the run's
        String runId = strictJson(CliFixture.ok(setup, "migrate-all", "--schema", v2.toString(), "--detach", "-o", "json"))
                .get("run_id").asText();

        java.util.concurrent.CountDownLatch othersClaimed = new java.util.concurrent.CountDownLatch(3);
        try (io.tenantctl.testing.Pause first = io.tenantctl.testing.Pause.at(1)) {
            Cli one = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
                if (MigrateAllFixture.isCreateIndexes(cmd)) {
                    first.call();
                }
            }));
            java.util.concurrent.CompletableFuture<Cli.Result> a = one.start("migrate-all", "--join", runId, "--concurrency", "1");
            first.awaitPaused("worker a in its first org");
            Cli three = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
                if (MigrateAllFixture.isCreateIndexes(cmd)) {
                    othersClaimed.countDown();
                }
            }));
            java.util.concurrent.CompletableFuture<Cli.Result> b = three.start("migrate-all", "--join", runId, "--concurrency", "1", "-o", "json");
            assertThat(othersClaimed.await(60, TimeUnit.SECONDS)).as("worker b took the run's 3 other orgs").isTrue();
            first.wake();

            Cli.Result text = a.get(60, TimeUnit.SECONDS);
            assertThat(text.exitCode()).as(text.toString()).isZero();
            assertThat(text.out().lines().toList()).as(text.toString()).contains(
                    "run " + runId + ": 4 orgs in the run: migrated 4, unchanged 0, skipped 0, failed 0; 2 more already up to date, not selected",
                    "this worker did 1 of the run's 4 orgs: migrated 1, unchanged 0, skipped 0, failed 0 (the run's counts above are every worker's)");

            Cli.Result json = b.get(60, TimeUnit.SECONDS);
            assertThat(json.exitCode()).as(json.toString()).isZero();
            JsonNode doc = strictJson(json);
            // as before: the run's selection and outcomes, "unchanged" counting those not selected too
            assertThat(doc.get("selected").asInt()).isEqualTo(4);
            assertThat(doc.get("migrated").asInt()).isEqualTo(4);
            assertThat(doc.get("unchanged").asInt()).isEqualTo(2);
            // added: the run's orgs and those up to date it did not select, which add up to every org looked at
            assertThat(doc.get("run_orgs").asInt()).isEqualTo(4);
            assertThat(doc.get("up_to_date_not_selected").asInt()).isEqualTo(2);
            assertThat(doc.get("run_orgs").asInt() + doc.get("up_to_date_not_selected").asInt()).isEqualTo(6);
            int outcomes = 0;
            for (var c : (Iterable<Map.Entry<String, JsonNode>>) doc.get("counts")::fields) {
                outcomes += c.getValue().asInt();
            }
            assertThat(outcomes).as("the run's outcomes add up to its orgs: " + doc.get("counts")).isEqualTo(doc.get("run_orgs").asInt());
            // added: this worker's own, 3 of them; with worker a's 1, the run's 4
            JsonNode mine = doc.get("worker");
            assertThat(mine.get("orgs").asInt()).isEqualTo(3);
            assertThat(mine.get("migrated").asInt()).isEqualTo(3);
            assertThat(mine.get("unchanged").asInt() + mine.get("skipped").asInt() + mine.get("failed").asInt()).isZero();
            assertThat(mine.get("migrated").asInt() + 1).isEqualTo(doc.get("migrated").asInt());
        }
        CliFixture.assertExactly(url, v2, ids("org-", 0, 6));
    }
}
