package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: an org that failed on a pool that does not answer, provisioned again with --pool naming another,
 * is resumed on its own pool (as README says a failed org is) and fails there again; its next step echoed the ignored
 * --pool, "(resumes it)": the command that had just failed. It now says the org stays on its own pool and names the
 * way to the one asked for: forget the failed row, then provision it there.
 */
class ProvisionOfAFailedOrgOnAnotherPoolTest {

    @Test
    void theNextStepOfAFailedOrgPinnedElsewhereNamesTheWayToThatPool(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "1500", "USER", "test"));
            CliFixture.addPool(cli, "pool-dead", "mongodb://127.0.0.1:1/", 5, 1);
            CliFixture.addPool(cli, "pool-live", pools.uri(0), 5, 2);
            Path schema = CliFixture.smallSchema(dir);
            assertThat(cli.run("provision", "e1", "--schema", schema.toString(), "--pool", "pool-dead").exitCode()).isEqualTo(1);

            Cli.Result again = cli.run("provision", "e1", "--schema", schema.toString(), "--pool", "pool-live", "-o", "json");
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
            JsonNode failed = strictJson(again).get("failed").get(0);
            assertThat(failed.get("pool_id").asText()).isEqualTo("pool-dead");
            String next = failed.get("next_step").asText();
            String forget = "tenantctl orgs forget e1, then: tenantctl provision e1 --schema " + schema + " --pool pool-live";
            String[] steps = forget.split(", then: ");
            assertThat(next).as("next_step, the first command alone").isEqualTo(steps[0]);
            assertThat(failed.get("next_note").asText()).startsWith("then: " + steps[1]).contains("pool-dead");

            for (String step : forget.split(", then: ")) {
                ok(cli, step.substring("tenantctl ".length()).split(" "));
            }
            JsonNode e1 = strictJson(ok(cli, "orgs", "show", "e1", "-o", "json"));
            assertThat(e1.get("pool_id").asText()).isEqualTo("pool-live");
            assertThat(e1.get("status").asText()).isEqualTo("active");
            CliFixture.assertClean(url, schema, List.of("e1"));
        }
    }
}
