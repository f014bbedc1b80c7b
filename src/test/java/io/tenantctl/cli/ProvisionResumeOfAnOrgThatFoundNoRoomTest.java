package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a shared provision run ('provision --file new.txt --detach', workers '--join RUN', as README
 * "Scaling out" runs it) whose org found no room is failed "no capacity", and the joined worker prints, as that org's
 * next step, "tenantctl pools add … / pools enable …, then: tenantctl provision --resume RUN" (README: --resume retries a
 * run's failed orgs with the run's own manifest and flags). The on-call raises the capacity and runs exactly that: the
 * resume resets the org's item to pending, but Provision's per-org work starts with the org's catalog row — which an org
 * that was never placed does not have — so the org fails again ("no org named …"), exit 1, and stays unprovisioned for
 * every later --resume too. The printed next step cannot work.
 */
class ProvisionResumeOfAnOrgThatFoundNoRoomTest {

    @Test
    void resumingAsTheNextStepSaysProvisionsTheOrgOnceThereIsRoom(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 1, 1);
            Path schema = CliFixture.smallSchema(dir);

            // globex finds no room when the run is created (placement is part of creating it): the detach says so, exit 1
            String runId = strictJson(cli.run("provision", "acme", "globex", "--schema", schema.toString(), "--detach", "-o", "json"))
                    .get("run_id").asText();
            Cli.Result joined = cli.run("provision", "--join", runId, "-o", "json");
            assertThat(joined.exitCode()).as(joined.toString()).isEqualTo(1);
            JsonNode failed = strictJson(joined).get("failed");
            assertThat(failed).hasSize(1);
            assertThat(failed.get(0).get("org_id").asText()).isEqualTo("globex");
            assertThat(failed.get(0).get("error").asText()).contains("no capacity");
            assertThat(failed.get(0).get("next_step").isNull()).as("room to make first: %s", failed.get(0)).isTrue();
            String nextStep = failed.get(0).get("next_note").asText();
            assertThat(nextStep).endsWith("then: tenantctl provision --resume " + runId);

            // the on-call makes room, then runs the command the next step names
            ok(cli, "pools", "set-capacity", "pool-1", "--capacity", "2");
            Cli.Result resumed = cli.run("provision", "--resume", runId, "-o", "json");

            assertThat(resumed.exitCode()).as("'%s' once there is room: %s", "tenantctl provision --resume " + runId, resumed).isZero();
            assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrder("acme", "globex");
            SchemaCheck.assertClean(url, List.of("acme", "globex"), SchemaManifest.load(schema));

            // the run has succeeded: its --resume again redoes nothing, and says so first rather than only printing the table
            Cli.Result again = cli.run("provision", "--resume", runId);
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.err().lines().findFirst().orElse("")).as(again.toString())
                    .isEqualTo("run " + runId + " had already succeeded (2 orgs): nothing was redone");
            Cli.Result json = cli.run("provision", "--resume", runId, "-o", "json");
            assertThat(strictJson(json).get("status").asText()).as(json.toString()).isEqualTo("succeeded");
            assertThat(json.err()).contains("run " + runId + " had already succeeded");
        }
    }
}
