package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.sandbox.LatencyBackend;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import io.tenantctl.testing.standin.StandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator at 3 a.m. relies on: a worker killed (kill -9) mid-org — a real process, not a dead pid written into
 * the catalog — and at once, on its host, 'runs list' says the run is abandoned with the commands that resume or cancel
 * it, in the table and in -o json (one JSON document on stdout), and 'runs show' says its org in flight is abandoned.
 */
class RunsListAfterAWorkerIsKilledTest {

    @Test
    void aRunWhoseWorkerWasKilledMidOrgIsListedAbandonedWithItsResumeAndCancelAtOnce(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestPools pools = new TestPools(1, () -> LatencyBackend.hooked(StandIn.memory(), (db, cmd) -> {
            if (armed.get() && cmd.equals("createIndexes") && db.startsWith("org_")) {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }))) {
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            List<String> orgs = List.of("acme", "globex", "initech");
            MigrateAllFixture.provision(cli, v1, orgs);
            armed.set(true);

            Process child = ChildJvm.start(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "kill-test"), Main.class.getName(),
                    "migrate-all", "--schema", v2.toString(), "--concurrency", "1", "-o", "json");
            try {
                assertThat(entered.await(60, TimeUnit.SECONDS)).as("the child reached an org's index build").isTrue();
                child.destroyForcibly(); // kill -9
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                armed.set(false);
                release.countDown();
                child.destroyForcibly();
            }

            Cli.Result json = ok(cli, "runs", "list", "-o", "json");
            JsonNode run = strictJson(json).get("runs").get(0);
            String runId = run.get("run_id").asText();
            assertThat(run.get("verb").asText()).isEqualTo("migrate-all");
            assertThat(run.get("status").asText()).as(json.out()).isEqualTo("abandoned");
            assertThat(run.get("next_step").asText()).as(json.out()).isEqualTo("tenantctl migrate-all --resume " + runId);
            assertThat(run.get("next_note").asText()).as(json.out()).contains("tenantctl runs cancel " + runId);
            assertThat(json.err()).as("nothing else on stderr").isEmpty();

            Cli.Result plain = ok(cli, "runs", "list");
            assertThat(plain.out()).as(plain.out()).containsPattern(runId + "\\s+migrate-all\\s+abandoned")
                    .contains("abandoned " + runId + ": tenantctl migrate-all --resume " + runId).contains("tenantctl runs cancel " + runId);

            JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
            assertThat(shown.get("status").asText()).isEqualTo("abandoned");
            assertThat(MigrateAllFixture.itemStatuses(shown)).as(shown.toPrettyString()).doesNotContainKey("running").containsEntry("abandoned", 1);

            JsonNode resumed = strictJson(ok(cli, "migrate-all", "--resume", runId, "-o", "json"));
            assertThat(resumed.get("status").asText()).isEqualTo("succeeded");
            CliFixture.assertClean(url, v2, orgs);
        }
    }
}
