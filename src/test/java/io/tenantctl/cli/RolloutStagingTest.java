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
import java.util.Set;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.commandError;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.isCreateIndexes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Red team, pass 4: migrate-all staging (--canary, --max-failures) across interruption and resume. */
@Timeout(120)
class RolloutStagingTest {

    private final TestPools pools = new TestPools(2);

    @AfterEach
    void stop() {
        pools.close();
    }

    private String fleet(Path dir, List<String> orgs) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 4, 1);
        CliFixture.addPool(cli, "pool-b", pools.uri(1), 4, 2);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), orgs);
        return url;
    }

    /**
     * A canary rollout stopped by Ctrl-C before its canary was through (one canary org done, the other not started) is
     * "recorded and resumable". Resuming it must still be a canary rollout: the canary org that fails must stop the
     * rollout before the held orgs. Today --resume turns the held items into pending ones (RunRepository.reopen), so the
     * canary gate is gone and a broken manifest goes out to the whole fleet.
     */
    @Test
    void aCanaryRolloutInterruptedBeforeItsCanaryPassedKeepsItsGateOnResume(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 8); // o0-o3 on pool-a, o4-o7 on pool-b; the canary of 2 is o0 and o4
        String url = fleet(dir, orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);
        String v1Hash = hashes(Cli.withCatalog(url)).get("o0");

        CancelToken ctrlC = new CancelToken();
        Cli first = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd) && db.equals("org_o0")) {
                ctrlC.cancel("SIGINT"); // Ctrl-C while the first canary org is in flight
            }
        }));
        Cli.Result stopped = first.run(ctrlC, "migrate-all", "--schema", v2.toString(), "--canary", "2", "--per-pool", "1",
                "--concurrency", "1", "-o", "json");
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
        String runId = strictJson(stopped).get("run_id").asText();
        JsonNode shown = MigrateAllFixture.runShow(Cli.withCatalog(url), runId);
        assertThat(MigrateAllFixture.itemStatuses(shown)).as("o0 done, o4 (canary) not started, the rest held")
                .containsEntry("held", 6);

        // the second canary org is the broken one: resuming must stop at it, as the canary would have
        MigrateAllFixture.CreateIndexesCounter counter = new MigrateAllFixture.CreateIndexesCounter();
        Cli resuming = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            counter.before(db, cmd);
            if (isCreateIndexes(cmd) && db.equals("org_o4")) {
                throw commandError(2, "injected: bad index spec");
            }
        }));
        Cli.Result resumed = resuming.run("migrate-all", "--resume", runId, "--concurrency", "1", "--per-pool", "1", "-o", "json");
        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
        Map<String, String> hashes = hashes(Cli.withCatalog(url));
        for (String org : List.of("o1", "o2", "o3", "o5", "o6", "o7")) {
            assertThat(hashes.get(org)).as(org + " was held behind the canary, whose o4 failed: it must not be migrated").isEqualTo(v1Hash);
        }
        assertThat(counter.total()).as("only the canary org o4 was touched on resume").isEqualTo(1);
        assertThat(strictJson(resumed).get("aborted").asText()).contains("canary");
    }

    /**
     * "runs cancel RUN ends a run for good: ... the run no longer blocks the next rollout." An operator cancels a
     * rollout whose worker is still finishing an org in flight and starts the next rollout at once (of other orgs). Today
     * the cancelled run's worker keeps the rollout lock until its in-flight orgs are done, so the next rollout exits 3
     * ("another migrate-all is in progress (another tenantctl process)") although no migrate-all run is running.
     */
    @Test
    void aCancelledRolloutsWorkerFinishingItsOrgInFlightIsNamedAndThenBlocksNothing(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 8);
        String url = fleet(dir, orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);
        String[] runId = new String[1];
        Cli.Result[] next = new Cli.Result[1];
        Cli.Result[] cancel = new Cli.Result[1];
        Cli worker = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd) && db.equals("org_o0") && next[0] == null) {
                runId[0] = Cli.withCatalog(url).run("runs", "list", "-o", "json").json().get("runs").get(0).get("run_id").asText();
                cancel[0] = Cli.withCatalog(url).run("runs", "cancel", runId[0]);
                // the operator's next rollout, of an org the cancelled run will never touch now
                next[0] = Cli.withCatalog(url).run("migrate-all", "--schema", v2.toString(), "--org", "o7", "-o", "json");
            }
        }));
        Cli.Result cancelled = worker.run("migrate-all", "--schema", v2.toString(), "--per-pool", "1", "--concurrency", "1", "-o", "json");
        assertThat(cancel[0].exitCode()).as(cancel[0].toString()).isZero();
        assertThat(cancelled.exitCode()).as(cancelled.toString()).isEqualTo(1);
        // the lock is the cancelled worker's until its org in flight is done (its lease keeps that org anyway): the next
        // rollout is told so, and --wait waits for exactly that
        assertThat(next[0].exitCode()).as(next[0].toString()).isEqualTo(3);
        assertThat(next[0].err()).as(next[0].toString()).contains("run " + runId[0] + " was cancelled; its worker is finishing the 1 org")
                .contains("--wait");
        Cli.Result after = Cli.withCatalog(url).run("migrate-all", "--schema", v2.toString(), "--org", "o7", "-o", "json");
        assertThat(after.exitCode()).as("once it is done, nothing blocks the next rollout: " + after).isZero();
    }

    /** v3: the release after v2. messages' created_-1 is superseded by a compound index. */
    static final String V3 = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}},
                {"name": "tenant_1", "key": {"tenant": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}},
                {"name": "conv_1_created_-1", "key": {"conversationId": 1, "createdAt": -1}}
              ], "drop": ["created_-1"]}
            ]}
            """;

    /**
     * A --max-failures stop leaves the run "resumable", and an aborted run does not block the next rollout. So the fleet
     * moves on (v3 rolled out to every org), and later someone follows the old run's printed "Resume with: migrate-all
     * --resume RUN". Today that resume applies the stale v2 over orgs already on v3 — it re-creates the index v3
     * superseded and records v2 as their schema — instead of refusing or leaving orgs a newer rollout has moved on.
     */
    @Test
    void resumingAnAbortedRolloutAfterANewerOneDoesNotTakeOrgsBackToTheOlderManifest(@TempDir Path dir) {
        List<String> orgs = ids("o", 0, 4);
        String url = fleet(dir, orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);
        Path v3 = write(dir, "v3.json", V3);
        Cli failingO0 = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd) && db.equals("org_o0")) {
                throw commandError(2, "injected: bad index spec");
            }
        }));
        Cli.Result aborted = failingO0.run("migrate-all", "--schema", v2.toString(), "--max-failures", "0", "--per-pool", "1",
                "--concurrency", "1", "-o", "json");
        assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
        assertThat(strictJson(aborted).get("aborted").asText()).contains("max-failures");
        String runId = strictJson(aborted).get("run_id").asText();

        // the fleet moves on: v3 everywhere (an aborted run blocks nothing)
        Cli.Result next = Cli.withCatalog(url).run("migrate-all", "--schema", v3.toString(), "-o", "json");
        assertThat(next.exitCode()).as(next.toString()).isZero();
        String v3Hash = strictJson(next).get("schema_hash").asText();

        // later, the old run's printed next step
        Cli.Result resumed = Cli.withCatalog(url).run("migrate-all", "--resume", runId, "-o", "json");
        Map<String, String> hashes = hashes(Cli.withCatalog(url));
        assertThat(hashes.values()).as("orgs a newer rollout moved to v3 must stay on v3 (resume: " + resumed + ")").containsOnly(v3Hash);
        CliFixture.assertExactly(url, v3, orgs);
    }
}
