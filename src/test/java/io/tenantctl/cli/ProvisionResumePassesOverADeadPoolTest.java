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
 * Found by red-teaming (pools and placement). README, provision: "A pool that does not answer a ping is passed over (one
 * line on stderr says so), so new orgs spill to the next instead of failing there", and an org that found no room when the
 * run began is placed when the run is resumed. The first run does pass the dead pool over; {@code provision --resume RUN}
 * does not: it places the org on the dead pool (the first by priority with room), where it fails after every retry — and
 * there it stays: its row takes one of the dead pool's places, and its next step ("provision --resume RUN") places nothing
 * anew, so it fails on the dead pool again while the live pool has room for it.
 */
class ProvisionResumePassesOverADeadPoolTest {

    @Test
    void anOrgPlacedWhenTheRunIsResumedSpillsPastAPoolThatDoesNotAnswer(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "1500", "USER", "test"));
            CliFixture.addPool(cli, "pool-dead", "mongodb://127.0.0.1:1/", 5, 1); // first by priority, nothing listens there
            CliFixture.addPool(cli, "pool-live", pools.uri(0), 1, 2);
            Path schema = CliFixture.smallSchema(dir);

            // x1 spills past the dead pool onto pool-live, which is then full: x2 finds no room and gets no row
            Cli.Result first = cli.run("provision", "x1", "x2", "--schema", schema.toString(), "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            JsonNode report = strictJson(first);
            assertThat(report.get("provisioned").asInt()).as(first.toString()).isEqualTo(1);
            assertThat(report.get("failed").get(0).get("org_id").asText()).isEqualTo("x2");
            assertThat(report.get("failed").get(0).get("error").asText()).contains("no capacity");
            String run = report.get("run_id").asText();

            // room is made on the live pool; pool-dead still does not answer
            ok(cli, "pools", "set-capacity", "pool-live", "--capacity", "2");
            Cli.Result resumed = cli.run("provision", "--resume", run, "-o", "json");

            assertThat(resumed.exitCode()).as("the resumed run places x2 on the pool that answers and has room: %s", resumed).isZero();
            JsonNode x2 = strictJson(ok(cli, "orgs", "show", "x2", "-o", "json"));
            assertThat(x2.get("pool_id").asText()).as("x2 was placed on the dead pool: %s", x2).isEqualTo("pool-live");
            assertThat(x2.get("status").asText()).isEqualTo("active");
            assertThat(strictJson(ok(cli, "pools", "show", "pool-dead", "-o", "json")).get("orgs").asInt())
                    .as("no org row takes a place on the dead pool").isZero();
            CliFixture.assertClean(url, schema, List.of("x1", "x2"));
        }
    }
}
