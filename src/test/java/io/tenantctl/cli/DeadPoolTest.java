package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.tenantctl.cli.CliFixture.args;
import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** A dead pool fails its own orgs quickly, with its name, while the other pools' orgs are provisioned. */
class DeadPoolTest {

    private final TestPools pools = new TestPools(3);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void deadPoolFailsOnlyItsOrgsAndFast(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 3, 1);
        CliFixture.addPool(cli, "pool-dead", pools.uri(1), 3, 2);
        CliFixture.addPool(cli, "pool-c", pools.uri(2), 3, 3);
        pools.kill(1);

        List<String> orgs = ids("o", 0, 9); // fill-then-spill: o0-o2 on pool-a, o3-o5 on pool-dead, o6-o8 on pool-c
        long t0 = System.nanoTime();
        Cli.Result r = cli.run(args(List.of("provision", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json"), orgs));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(elapsed).as("one connect timeout, not one per org or per retry").isLessThan(Duration.ofSeconds(30));
        JsonNode summary = strictJson(r);
        assertThat(summary.get("provisioned").asInt()).isEqualTo(6);
        assertThat(summary.get("failed")).extracting(f -> f.get("org_id").asText()).containsExactlyInAnyOrder("o3", "o4", "o5");
        summary.get("failed").forEach(f -> assertThat(f.get("error").asText()).contains("pool-dead"));

        for (String id : orgs) {
            JsonNode org = strictJson(ok(cli, "orgs", "show", id, "-o", "json"));
            if (org.get("pool_id").asText().equals("pool-dead")) {
                assertThat(org.get("status").asText()).as(id).isEqualTo("failed");
                assertThat(org.get("schema_hash").isNull()).as("%s records no schema it could not have been given: %s", id, org).isTrue();
            } else {
                assertThat(org.get("status").asText()).as(id).isEqualTo("active");
            }
        }
        JsonNode run = strictJson(ok(cli, "runs", "show", summary.get("run_id").asText(), "-o", "json"));
        assertThat(run.get("run").get("status").asText()).isEqualTo("failed");
        for (String id : List.of("o3", "o4", "o5")) {
            JsonNode item = CliFixture.runItem(run, id);
            assertThat(item.get("status").asText()).isEqualTo("failed");
            assertThat(item.get("error").asText()).contains("pool-dead").contains("unreachable");
        }
        assertThat(CliFixture.runItem(run, "o0").get("status").asText()).isEqualTo("succeeded");

        // table output says the same on stderr, one line per failed org
        Cli.Result again = cli.run("provision", "o3", "--schema", CliFixture.smallSchema(dir).toString());
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
        assertThat(again.err()).containsPattern("(?m)^failed: o3 on pool-dead: .*pool-dead.*unreachable");
        assertThat(again.err()).doesNotContain("\tat ");

        // end state: the orgs of both live pools have their whole schema (the dead pool's cannot be read: their
        // catalog rows, above, are what there is to check)
        CliFixture.assertClean(url, CliFixture.smallSchema(dir), List.of("o0", "o1", "o2", "o6", "o7", "o8"));
    }
}
