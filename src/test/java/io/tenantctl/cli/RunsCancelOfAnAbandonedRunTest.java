package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: README, Runs: "`runs cancel RUN_ID` ends a run for good: in-flight orgs finish, the rest are
 * recorded `cancelled`", and `runs list` offers `runs cancel` for an abandoned run (its workers all stopped). But
 * RunRepository.cancel only cancels pending and held items: the org the dead worker had claimed stays `running` for
 * ever — its lease long expired, nobody working on it, in a run that is over. `runs show` of the cancelled run then
 * tells the on-call that org is still being worked on (status running), and no later command ever records it otherwise.
 */
class RunsCancelOfAnAbandonedRunTest {

    @Test
    void cancellingAnAbandonedRunLeavesNoOrgOfItRunning(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "n-1", "n-2", "n-3");
            // its only worker claimed n-1 and was killed (kill -9 on another host); a few minutes later its lease and heartbeat are stale
            CliFixture.workerKilledAfterClaiming(url, runId, "n-1");
            JsonNode listed = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(listed.get("status").asText()).isEqualTo("abandoned");
            assertThat(listed.get("next_step").asText()).isEqualTo("tenantctl provision --resume " + runId);
            assertThat(listed.get("next_note").asText()).contains("tenantctl runs cancel " + runId);

            // it had taken n-1's lease too; the worker's stop expired both (its claim's and the org's), as the engine's does
            sql(url, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values ('n-1', "
                    + "'worker-7/4242/dead', 'worker-7', 4242, 'provision', '" + runId + "', now() + interval '1 minute')");
            try (io.tenantctl.catalog.Catalog catalog = io.tenantctl.catalog.Catalog.connect(url)) {
                catalog.runs().expireHolder(runId, "worker-7/4242/dead", null, 0);
            }

            // the dry run says what the cancel does: n-1, nobody on it, is not in flight but ended (failed, its step named)
            JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
            JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
            assertThat(dry.get("provision")).as("dry run %s, cancel %s", dry, cancelled).isEqualTo(cancelled.get("provision"));
            assertThat(cancelled.get("provision").get("failed").fieldNames()).as("%s", cancelled).toIterable().containsExactly("n-1");

            JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
            assertThat(shown.get("run").get("status").asText()).isEqualTo("cancelled");
            assertThat(MigrateAllFixture.itemStatuses(shown)).as("the orgs of a cancelled run whose workers are all gone: %s", shown.get("items"))
                    .doesNotContainKey("running");
        }
    }

    /**
     * Found in review: cancel held an org in flight when its worker had claimed it and held its org's lease, whether or not
     * that lease ran out. A worker that took n-1's lease and died with its claim still live (a beat renews the claim and
     * the org's lease by two statements: the second failed) left its item running in the cancelled run, nobody to finish it,
     * n-1 provisioning for good. In flight is a live lease: the item is cancelled as its worker's, the org failed with the
     * provision that finishes it, and the dead lease is left for the recovery of the next command, not released.
     */
    @Test
    void anOrgWhoseWorkerDiedHoldingItsLeaseIsNotInFlight(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "n-1", "n-2");
            CliFixture.workerKilledAfterClaiming(url, runId, "n-1");
            sql(url, "update run_items set lease_until = now() + interval '1 minute' where run_id = '" + runId + "' and org_id = 'n-1'");
            sql(url, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values ('n-1', "
                    + "'worker-7/4242/dead', 'worker-7', 4242, 'provision', '" + runId + "', now() - interval '1 second')");

            JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
            assertThat(dry.get("provision").get("failed").has("n-1")).as("the dry run says what the cancel does: %s", dry).isTrue();
            JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));
            assertThat(cancelled.get("provision").get("places_released")).as("%s", cancelled).extracting(JsonNode::asText).containsExactly("n-2");
            String finish = cancelled.get("provision").get("failed").path("n-1").asText();
            assertThat(finish).as("%s", cancelled).startsWith("tenantctl provision n-1");

            JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
            assertThat(MigrateAllFixture.itemStatuses(shown)).as("%s", shown.get("items")).containsExactly(Map.entry("cancelled", 2));
            assertThat(CliFixture.count(url, "select count(*) from orgs where org_id = 'n-1' and status = 'failed'")).isEqualTo(1);

            // the next rollout of n-1 is not blocked: the step the cancel named finishes it
            ok(cli, finish.substring("tenantctl ".length()).split(" "));
            assertThat(CliFixture.count(url, "select count(*) from orgs where org_id = 'n-1' and status = 'active'")).isEqualTo(1);
        }
    }
}
