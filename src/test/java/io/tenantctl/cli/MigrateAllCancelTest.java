package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.isCreateIndexes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Ctrl-C (CancelToken.cancel) mid-rollout: in-flight orgs finish, nothing stays claimed, exit 130, and --resume finishes the job. */
@Timeout(60)
class MigrateAllCancelTest {

    private final TestPools pools = new TestPools(2);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void cancellationLeavesAResumableRunAndNoOrgIsDoneTwice(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli setup = Cli.withCatalog(url);
        CliFixture.addPool(setup, "pool-a", pools.uri(0), 10, 1);
        CliFixture.addPool(setup, "pool-b", pools.uri(1), 10, 2);
        List<String> orgs = ids("o", 0, 20);
        MigrateAllFixture.provision(setup, write(dir, "v1.json", V1), orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);

        CancelToken ctrlC = new CancelToken();
        AtomicInteger seen = new AtomicInteger();
        MigrateAllFixture.CreateIndexesCounter first = new MigrateAllFixture.CreateIndexesCounter();
        Cli interrupted = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            first.before(db, cmd);
            if (isCreateIndexes(cmd) && seen.incrementAndGet() == 3) {
                ctrlC.cancel("test"); // the operator presses Ctrl-C while the third org is being migrated; it still finishes
            }
        }));

        Cli.Result r = interrupted.run(ctrlC, "migrate-all", "--schema", v2.toString(), "--per-pool", "2", "--concurrency", "4", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
        JsonNode s = strictJson(r);
        assertThat(s.get("interrupted").asBoolean()).isTrue();
        String runId = s.get("run_id").asText();
        int started = first.total();
        assertThat(started).as("no new org starts after Ctrl-C: at most the in-flight ones finish").isBetween(3, 6);
        assertThat(s.get("migrated").asInt()).as("every org that was started was finished").isEqualTo(started);
        assertThat(s.get("failed")).isEmpty();

        JsonNode run = MigrateAllFixture.runShow(Cli.withCatalog(url), runId);
        assertThat(run.get("run").get("status").asText()).isEqualTo("interrupted");
        assertThat(MigrateAllFixture.itemStatuses(run)).as("unstarted claims are handed back, none left 'running'")
                .containsExactlyInAnyOrderEntriesOf(Map.of("succeeded", started, "pending", 20 - started));
        String v2Hash = s.get("schema_hash").asText();
        assertThat(hashes(Cli.withCatalog(url)).values().stream().filter(v2Hash::equals)).hasSize(started);
        Path v1 = dir.resolve("v1.json");
        assertThat(MigrateAllFixture.assertExactlyAsRecorded(url, v1, v2)).as("what each org records is what it has")
                .hasEntrySatisfying(v2, done -> assertThat(done).hasSize(started))
                .hasEntrySatisfying(v1, untouched -> assertThat(untouched).hasSize(20 - started));

        MigrateAllFixture.CreateIndexesCounter second = new MigrateAllFixture.CreateIndexesCounter();
        Cli.Result resumed = Cli.withCatalog(url).decoratePools(real -> hooked(real, second)).run("migrate-all", "--resume", runId, "-o", "json");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(strictJson(resumed).get("migrated").asInt()).isEqualTo(20);
        for (String org : orgs) {
            assertThat(first.of(org) + second.of(org)).as(org + " migrated exactly once across the interrupted run and its resume").isEqualTo(1);
        }
        assertThat(hashes(Cli.withCatalog(url)).values()).containsOnly(v2Hash);
        assertThat(MigrateAllFixture.runShow(Cli.withCatalog(url), runId).get("run").get("status").asText()).isEqualTo("succeeded");
        // end state: all twenty, on both pools, have exactly v2
        CliFixture.assertExactly(url, v2, orgs);
    }

    @Test
    void interruptionTellsAPersonHowToResume(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli setup = Cli.withCatalog(url);
        CliFixture.addPool(setup, "pool-a", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(setup, write(dir, "v1.json", V1), ids("o", 0, 4));
        CancelToken ctrlC = new CancelToken();
        Cli cli = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd)) {
                ctrlC.cancel("test");
            }
        }));

        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli.Result r = cli.run(ctrlC, "migrate-all", "--schema", v2.toString(), "--per-pool", "1");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
        assertThat(r.err()).contains("interrupted").containsPattern("--resume \\d{8}T\\d{6}Z-[0-9a-f]{4}");
        // end state: the org in flight finished with exactly v2, the three never started have exactly v1
        Path v1 = dir.resolve("v1.json");
        assertThat(MigrateAllFixture.assertExactlyAsRecorded(url, v1, v2))
                .hasEntrySatisfying(v2, done -> assertThat(done).hasSize(1))
                .hasEntrySatisfying(v1, untouched -> assertThat(untouched).hasSize(3));
    }

    @Test
    void aDryRunStoppedByCtrlCNamesTheOrgsItNeverLookedAt(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli setup = Cli.withCatalog(url);
        CliFixture.addPool(setup, "pool-a", pools.uri(0), 10, 1);
        List<String> orgs = ids("o", 0, 4);
        Path v1 = write(dir, "v1.json", V1);
        MigrateAllFixture.provision(setup, v1, orgs);
        java.util.concurrent.atomic.AtomicReference<CancelToken> ctrlC = new java.util.concurrent.atomic.AtomicReference<>(new CancelToken());
        Cli cli = Cli.withCatalog(url).decoratePools(real -> io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) -> {
            if (name.startsWith("org_")) {
                ctrlC.get().cancel("test"); // Ctrl-C as the first org is being looked at
            }
            return db;
        }));

        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli.Result r = cli.run(ctrlC.get(), "migrate-all", "--schema", v2.toString(), "--dry-run", "--per-pool", "1", "--concurrency", "1",
                "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
        JsonNode s = strictJson(r);
        assertThat(s.get("interrupted").asBoolean()).isTrue();
        assertThat(s.get("counts").get("planned").asInt()).as("the org in flight is looked at to the end").isEqualTo(1);
        // the three never reached are in the report, not missing from it as if they had nothing to do
        assertThat(s.get("counts").get("not_started").asInt()).isEqualTo(3);
        List<String> notStarted = new java.util.ArrayList<>();
        s.get("orgs").forEach(o -> {
            if (o.get("outcome").asText().equals("not_started")) {
                notStarted.add(o.get("org_id").asText() + ": " + o.get("error").asText());
            }
        });
        assertThat(notStarted).containsExactly("o1: not started: dry run interrupted", "o2: not started: dry run interrupted",
                "o3: not started: dry run interrupted");

        ctrlC.set(new CancelToken());
        Cli.Result text = cli.run(ctrlC.get(), "migrate-all", "--schema", v2.toString(), "--dry-run", "--per-pool", "1", "--concurrency", "1");
        assertThat(text.exitCode()).as(text.toString()).isEqualTo(130);
        assertThat(text.err()).contains("interrupted: 3 orgs were not looked at; nothing was written");
        CliFixture.assertExactly(url, v1, orgs); // a dry run writes nothing, interrupted or not
    }
}
