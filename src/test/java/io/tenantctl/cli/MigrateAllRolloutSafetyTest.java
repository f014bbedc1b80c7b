package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.commandError;
import static io.tenantctl.cli.MigrateAllFixture.failedIds;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.isCreateIndexes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** What stops a bad rollout early, and what lets a stopped one finish: canary, --max-failures, --resume, a dead pool. */
@Timeout(60)
class MigrateAllRolloutSafetyTest {

    private final TestPools pools = new TestPools(3);

    @AfterEach
    void stop() {
        pools.close();
    }

    /** A catalog with {@code poolCount} pools of {@code capacity} and {@code orgs} provisioned with v1 (fill-then-spill). */
    private String fleet(Path dir, int poolCount, int capacity, List<String> orgs) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        for (int i = 0; i < poolCount; i++) {
            CliFixture.addPool(cli, "pool-" + (char) ('a' + i), pools.uri(i), capacity, i + 1);
        }
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), orgs);
        return url;
    }

    /** Fails every createIndexes on the named orgs with a non-retryable BadValue, counting all createIndexes calls. */
    private static Cli failing(String url, MigrateAllFixture.CreateIndexesCounter counter, Set<String> orgs) {
        return Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            counter.before(db, cmd);
            if (isCreateIndexes(cmd) && orgs.stream().map(MigrateAllFixture::db).anyMatch(db::equals)) {
                throw commandError(2, "injected: bad index spec");
            }
        }));
    }

    @Test
    void aFailingCanaryStopsTheRolloutBeforeTheRestAndResumeFinishesIt(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 8); // o0-o3 on pool-a, o4-o7 on pool-b
        String url = fleet(dir, 2, 4, orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);
        String v1Hash = hashes(Cli.withCatalog(url)).get("o0");
        MigrateAllFixture.CreateIndexesCounter counter = new MigrateAllFixture.CreateIndexesCounter();

        // the canary is spread over pools: o0 (pool-a) and o4 (pool-b); o4 is broken
        Cli.Result r = failing(url, counter, Set.of("o4")).run("migrate-all", "--schema", v2.toString(), "--canary", "2", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode s = strictJson(r);
        assertThat(s.get("aborted").asText()).contains("canary");
        assertThat(failedIds(s)).containsExactly("o4");
        assertThat(s.get("failed").get(0).get("error").asText()).contains("injected").contains("createIndexes on messages");
        assertThat(s.get("migrated").asInt()).isEqualTo(1);
        assertThat(counter.total()).as("only the two canary orgs were touched").isEqualTo(2);
        Map<String, String> hashes = hashes(Cli.withCatalog(url));
        for (String org : List.of("o1", "o2", "o3", "o5", "o6", "o7")) {
            assertThat(hashes.get(org)).as(org + " was not touched").isEqualTo(v1Hash);
        }
        String runId = s.get("run_id").asText();
        assertThat(MigrateAllFixture.runShow(Cli.withCatalog(url), runId).get("run").get("status").asText()).isEqualTo("aborted");

        // fixed: resume does the rest, and does not redo the canary org that already succeeded
        MigrateAllFixture.CreateIndexesCounter resumed = new MigrateAllFixture.CreateIndexesCounter();
        Cli.Result again = Cli.withCatalog(url).decoratePools(real -> hooked(real, resumed)).run("migrate-all", "--resume", runId, "-o", "json");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(strictJson(again).get("migrated").asInt()).isEqualTo(8);
        assertThat(resumed.of("o0")).as("o0 was done by the canary").isZero();
        assertThat(resumed.total()).isEqualTo(7);
        assertThat(hashes(Cli.withCatalog(url)).values()).containsOnly(strictJson(again).get("schema_hash").asText());
        assertThat(MigrateAllFixture.runShow(Cli.withCatalog(url), runId).get("run").get("status").asText()).isEqualTo("succeeded");
        // end state: all eight, both pools, the canary that succeeded, the one that failed and the ones resumed: v2 exactly
        CliFixture.assertExactly(url, v2, orgs);
    }

    @Test
    void aPassingCanaryLetsTheRolloutContinue(@TempDir Path dir) {
        String url = fleet(dir, 2, 4, ids("o", 0, 8));
        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli.Result r = Cli.withCatalog(url).run("migrate-all", "--schema", v2.toString(), "--canary", "2", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(strictJson(r).get("migrated").asInt()).isEqualTo(8);
        assertThat(strictJson(r).get("aborted").isNull()).isTrue();
        CliFixture.assertExactly(url, v2, ids("o", 0, 8));
    }

    @Test
    void maxFailuresAbortsTheRestOfTheRollout(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 10);
        String url = fleet(dir, 1, 100, orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);
        MigrateAllFixture.CreateIndexesCounter counter = new MigrateAllFixture.CreateIndexesCounter();

        // every org would fail; 10% of 10 allows one failure, so the second failure stops the run (one org at a time: deterministic)
        Cli.Result r = failing(url, counter, Set.copyOf(orgs)).run("migrate-all", "--schema", v2.toString(), "--max-failures", "10%",
                "--per-pool", "1", "--concurrency", "1", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode s = strictJson(r);
        assertThat(s.get("aborted").asText()).contains("max-failures");
        assertThat(s.get("failed")).hasSize(2);
        assertThat(counter.total()).as("after the budget is spent no further org is touched").isEqualTo(2);
        JsonNode run = MigrateAllFixture.runShow(Cli.withCatalog(url), s.get("run_id").asText());
        assertThat(run.get("run").get("status").asText()).isEqualTo("aborted");
        assertThat(MigrateAllFixture.itemStatuses(run)).as("the rest are left for a resume, none half-claimed")
                .containsExactlyInAnyOrderEntriesOf(Map.of("failed", 2, "pending", 8));
        // end state: the two failed orgs and the eight never started all have exactly what they had, v1
        CliFixture.assertExactly(url, dir.resolve("v1.json"), orgs);
    }

    @Test
    void anInvalidMaxFailuresIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        String url = fleet(dir, 1, 100, ids("o", 0, 2));
        Cli cli = Cli.withCatalog(url);
        Path v2 = write(dir, "v2.json", V2_ADD);
        int runsBefore = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").size();

        Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "--max-failures", "lots");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("'lots'");
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).as("no run recorded").hasSize(runsBefore);

        Cli.Result next = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(next.exitCode()).as("a typo must not leave a phantom run that blocks the next rollout\n" + next).isZero();
        assertThat(strictJson(next).get("migrated").asInt()).isEqualTo(2);
        CliFixture.assertExactly(url, v2, ids("o", 0, 2));
    }

    /**
     * Found by probing a deploy pipeline: a manifest of no collections ({"collections": []}, what a templating slip or a
     * jq filter that matched nothing writes) was taken: the dry run said "2 orgs selected (2 already up to date)", exit 0,
     * and the rollout recorded every org as on that manifest, exit 0. It is refused now, as a manifest with a typo is:
     * exit 2, one line naming the file, no run recorded, the orgs as they were.
     */
    @Test
    void aManifestOfNoCollectionsIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        String url = fleet(dir, 1, 100, ids("o", 0, 2));
        Cli cli = Cli.withCatalog(url);
        Path empty = write(dir, "empty.json", "{\"description\": \"release 42\", \"collections\": []}");
        Map<String, String> before = hashes(cli);
        int runsBefore = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").size();

        for (String[] extra : new String[][]{{"--dry-run"}, {}}) {
            List<String> args = new java.util.ArrayList<>(List.of("migrate-all", "--schema", empty.toString()));
            args.addAll(List.of(extra));
            Cli.Result r = cli.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).startsWith("error: schema " + empty + " lists no collections").doesNotContain("\n");
        }
        Cli.Result json = cli.run("migrate-all", "--schema", empty.toString(), "-o", "json");
        assertThat(strictJson(json).get("error").get("code").asInt()).as(json.toString()).isEqualTo(2);
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).as("no run recorded").hasSize(runsBefore);
        assertThat(hashes(cli)).as("every org still on v1").isEqualTo(before);
        CliFixture.assertExactly(url, dir.resolve("v1.json"), ids("o", 0, 2));
    }

    @Test
    void resumeAfterAnInjectedFailureRedoesOnlyTheFailedOrg(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 6);
        String url = fleet(dir, 1, 100, orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result r = failing(url, new MigrateAllFixture.CreateIndexesCounter(), Set.of("o3"))
                .run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode s = strictJson(r);
        assertThat(failedIds(s)).containsExactly("o3");
        assertThat(s.get("migrated").asInt()).isEqualTo(5);
        String runId = s.get("run_id").asText();
        JsonNode failedRun = MigrateAllFixture.runShow(Cli.withCatalog(url), runId);
        assertThat(failedRun.get("run").get("status").asText()).isEqualTo("failed");
        assertThat(CliFixture.runItem(failedRun, "o3").get("error").asText()).contains("injected");

        MigrateAllFixture.CreateIndexesCounter resumed = new MigrateAllFixture.CreateIndexesCounter();
        Cli.Result again = Cli.withCatalog(url).decoratePools(real -> hooked(real, resumed)).run("migrate-all", "--resume", runId, "-o", "json");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(resumed.calls.keySet()).as("only the failed org is worked on again").containsExactly("org_o3");
        JsonNode a = strictJson(again);
        assertThat(a.get("run_id").asText()).isEqualTo(runId);
        assertThat(a.get("migrated").asInt()).isEqualTo(6);
        assertThat(a.get("failed")).isEmpty();
        JsonNode run = MigrateAllFixture.runShow(Cli.withCatalog(url), runId);
        assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
        JsonNode o3 = CliFixture.runItem(run, "o3");
        assertThat(o3.get("status").asText()).isEqualTo("succeeded");
        assertThat(o3.get("error").isNull()).as("the old error is not left on a succeeded item").isTrue();
        assertThat(hashes(Cli.withCatalog(url)).values()).containsOnly(a.get("schema_hash").asText());
        CliFixture.assertExactly(url, v2, orgs);
    }

    @Test
    void aDeadPoolFailsOnlyItsOwnOrgs(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 6); // o0,o1 on pool-a; o2,o3 on pool-b; o4,o5 on pool-c
        String url = fleet(dir, 3, 2, orgs);
        String v1Hash = hashes(Cli.withCatalog(url)).get("o0");
        pools.kill(1);
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result r = Cli.withCatalog(url).quickToGiveUpOnDeadPools().run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode s = strictJson(r);
        assertThat(failedIds(s)).containsExactlyInAnyOrder("o2", "o3");
        s.get("failed").forEach(f -> assertThat(f.get("error").asText()).contains("pool-b").contains("unreachable"));
        assertThat(s.get("migrated").asInt()).isEqualTo(4);
        Map<String, String> hashes = hashes(Cli.withCatalog(url));
        for (String org : List.of("o0", "o1", "o4", "o5")) {
            assertThat(hashes.get(org)).as(org).isEqualTo(s.get("schema_hash").asText());
        }
        for (String org : List.of("o2", "o3")) {
            assertThat(hashes.get(org)).as(org + " still records v1").isEqualTo(v1Hash);
        }
        JsonNode run = MigrateAllFixture.runShow(Cli.withCatalog(url), s.get("run_id").asText());
        assertThat(run.get("run").get("status").asText()).isEqualTo("failed");
        // end state: the live pools' orgs (pool-a and pool-c) have exactly v2; the dead pool's cannot be read
        CliFixture.assertExactly(url, v2, List.of("o0", "o1", "o4", "o5"));
    }

    @Test
    void aDryRunsNextStepForTheOrgsOfADeadPoolIsTheDryRunAgainNotTheRollout(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 3); // o0,o1 on pool-a; o2 on pool-b
        String url = fleet(dir, 2, 2, orgs);
        Map<String, String> before = hashes(Cli.withCatalog(url));
        pools.kill(1);
        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli cli = Cli.withCatalog(url).quickToGiveUpOnDeadPools();

        // pasted (or run by a tool), a dry run's next step must not be the rollout itself: it writes to the org
        Cli.Result json = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
        JsonNode failed = strictJson(json).get("failed");
        assertThat(failedIds(strictJson(json))).containsExactly("o2");
        assertThat(failed.get(0).get("next_step").asText()).isEqualTo("tenantctl migrate-all --org o2 --schema " + v2 + " --dry-run");
        assertThat(failed.get(0).get("next_note").asText()).isEqualTo("once pool-b answers");
        Cli.Result text = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run");
        assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
        assertThat(text.err()).as(text.toString()).contains("  next: tenantctl migrate-all --org o2 --schema " + v2 + " --dry-run   (once pool-b answers)");

        assertThat(hashes(Cli.withCatalog(url))).as("a dry run records nothing").isEqualTo(before);
        CliFixture.assertExactly(url, dir.resolve("v1.json"), List.of("o0", "o1"));
    }

    @Test
    void aDryRunWhoseOrgsWouldFailPastMaxFailuresSaysTheRunWouldAbort(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 4);
        String url = fleet(dir, 1, 100, orgs);
        try (MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct()) {
            for (String org : List.of("o1", "o2")) { // conv_1 on another key: the pre-flight refuses them, in the dry run too
                direct.db(pools.uri(0), org).getCollection("messages").dropIndex("conv_1");
                direct.db(pools.uri(0), org).getCollection("messages").createIndex(new org.bson.Document("other", 1),
                        new com.mongodb.client.model.IndexOptions().name("conv_1"));
            }
        }
        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli cli = Cli.withCatalog(url);
        String[] rollout = {"migrate-all", "--schema", v2.toString(), "--max-failures", "1", "--per-pool", "1", "--concurrency", "1"};

        // the plan lists o3 migrated, but the run stops at o2, the failure past the budget: the dry run says so
        Cli.Result json = cli.run(CliFixture.args(List.of(rollout), List.of("--dry-run", "-o", "json")));
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
        String wouldAbort = "2 orgs would fail, more than --max-failures 1 allows (1 of the 4 selected): the run would abort";
        assertThat(strictJson(json).path("would_abort").asText()).as(json.toString()).startsWith(wouldAbort);
        Cli.Result text = cli.run(CliFixture.args(List.of(rollout), List.of("--dry-run")));
        assertThat(text.out()).as(text.toString()).contains(wouldAbort);
        Cli.Result within = cli.run("migrate-all", "--schema", v2.toString(), "--max-failures", "2", "--dry-run", "-o", "json");
        assertThat(strictJson(within).get("would_abort").isNull()).as(within.toString()).isTrue();

        Cli.Result run = cli.run(CliFixture.args(List.of(rollout), List.of("-o", "json")));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(strictJson(run).get("aborted").asText()).contains("--max-failures");
        assertThat(failedIds(strictJson(run))).containsExactly("o1", "o2");
        CliFixture.assertExactly(url, v2, List.of("o0"));
        CliFixture.assertExactly(url, dir.resolve("v1.json"), List.of("o3")); // not started, as the dry run said
    }

    /** A percentage over 100 is refused as out of range, not as if a percentage were not allowed at all; nothing is run. */
    @Test
    void aMaxFailuresPercentageOverAHundredSaysTheRange() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        Cli.Result r = cli.run("migrate-all", "--max-failures", "150%");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("--max-failures must be a count (5) or a percentage from 0% to 100% (2%), not '150%'");
        assertThat(strictJson(CliFixture.ok(cli, "runs", "list", "-o", "json")).get("runs")).isEmpty();
    }
}
