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
 * An org left provisioning by a provision run whose worker was killed: verify's org_stuck finding names the step that
 * finishes it, but `orgs show ORG` — where on-call looks at one org — gave no `next` at all.
 */
class OrgsShowOfAnOrgLeftProvisioningNamesItsNextStepTest {

    @Test
    void orgsShowNamesTheStepVerifyNamesForAnOrgWhoseProvisionWasKilled(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "acme");
            // its only worker claimed acme and was killed: its lease and heartbeat are stale, acme stays provisioning
            CliFixture.workerKilledAfterClaiming(url, runId, "acme");

            String fix = null;
            Cli.Result v = cli.run("verify", "--stuck-after", "0s", "-o", "json");
            for (JsonNode f : strictJson(v).get("findings")) {
                if (f.get("kind").asText().equals("org_stuck") && "acme".equals(f.path("org_id").asText())) {
                    fix = f.get("fix").asText();
                }
            }
            assertThat(fix).as("verify reports acme stuck provisioning: %s", v).isNotNull();

            JsonNode shown = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
            assertThat(shown.get("status").asText()).isEqualTo("provisioning");
            assertThat(shown.path("next").asText("")).as("orgs show names verify's step: %s", shown).startsWith(fix);
            Cli.Result text = ok(cli, "orgs", "show", "acme");
            assertThat(text.out()).as(text.toString()).containsPattern("next:\\s+" + java.util.regex.Pattern.quote(fix));
        }
    }

    /**
     * A --detach'ed provision no worker has joined yet: its org is provisioning with nobody at work on it, and its run is
     * running, so orgs show named no step at all — on-call saw a stuck org and nothing to do. It names the run's --join
     * (its workers were never started), and the run's cancel as the way to end it instead.
     */
    @Test
    void orgsShowNamesTheJoinOfADetachedRunNoWorkerHasTaken(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "acme");

            Cli.Result json = cli.run("orgs", "show", "acme", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isZero();
            JsonNode shown = strictJson(json);
            assertThat(shown.get("status").asText()).isEqualTo("provisioning");
            String join = "tenantctl provision --join " + runId;
            assertThat(shown.path("next").asText("")).as("orgs show names the run's join: %s", shown).startsWith(join)
                    .contains("waiting for a worker").contains("tenantctl runs cancel " + runId);
            Cli.Result text = ok(cli, "orgs", "show", "acme");
            assertThat(text.out()).as(text.toString()).containsPattern("next:\\s+" + java.util.regex.Pattern.quote(join));

            // the step, run as named, provisions the org: nothing is left to do
            ok(cli, join.substring("tenantctl ".length()).split(" "));
            JsonNode after = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
            assertThat(after.get("status").asText()).isEqualTo("active");
            assertThat(after.has("next")).as("%s", after).isFalse();
        }
    }
}
