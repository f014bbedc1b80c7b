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

/** A dead pool is passed over by placement, fails the orgs already on it (or pinned to it) quickly, naming it, while the other pools' orgs are provisioned. */
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

        // placement passes over the pool that does not answer: o0-o2 on pool-a, o3-o5 on pool-c, and o6-o8 find no room
        // (they get no row; before, o3-o5 were placed on pool-dead and failed there, their rows taking its places)
        List<String> orgs = ids("o", 0, 9);
        long t0 = System.nanoTime();
        Cli.Result r = cli.run(args(List.of("provision", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json"), orgs));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(elapsed).as("one connect timeout, not one per org or per retry").isLessThan(Duration.ofSeconds(30));
        JsonNode summary = strictJson(r);
        assertThat(summary.get("provisioned").asInt()).isEqualTo(6);
        assertThat(summary.get("failed")).extracting(f -> f.get("org_id").asText()).containsExactlyInAnyOrder("o6", "o7", "o8");
        summary.get("failed").forEach(f -> assertThat(f.get("error").asText()).contains("no capacity").contains("pool-dead unreachable"));
        assertThat(strictJson(ok(cli, "orgs", "list", "--pool", "pool-dead", "-o", "json")).get("orgs")).isEmpty();
        assertThat(cli.run("orgs", "show", "o6").exitCode()).as("no row for an org that found no room").isEqualTo(2);

        // orgs pinned to the dead pool fail at once, naming it, with no schema recorded
        List<String> pinned = List.of("d0", "d1", "d2");
        JsonNode onDead = strictJson(cli.run(args(List.of("provision", "--pool", "pool-dead", "--schema", CliFixture.smallSchema(dir).toString(),
                "-o", "json"), pinned)));
        assertThat(onDead.get("failed")).extracting(f -> f.get("org_id").asText()).containsExactlyInAnyOrderElementsOf(pinned);
        JsonNode run = strictJson(ok(cli, "runs", "show", onDead.get("run_id").asText(), "-o", "json"));
        assertThat(run.get("run").get("status").asText()).isEqualTo("failed");
        for (String id : pinned) {
            JsonNode org = strictJson(ok(cli, "orgs", "show", id, "-o", "json"));
            assertThat(org.get("status").asText()).as(id).isEqualTo("failed");
            assertThat(org.get("schema_hash").isNull()).as("%s records no schema it could not have been given: %s", id, org).isTrue();
            JsonNode item = CliFixture.runItem(run, id);
            assertThat(item.get("status").asText()).isEqualTo("failed");
            assertThat(item.get("error").asText()).contains("pool-dead").contains("unreachable");
        }

        // table output says the same on stderr, one line per failed org (d0 is resumed on the pool it was placed on)
        Cli.Result again = cli.run("provision", "d0", "--schema", CliFixture.smallSchema(dir).toString());
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
        assertThat(again.err()).containsPattern("(?m)^failed: d0 on pool-dead: .*pool-dead.*unreachable");
        assertThat(again.err()).doesNotContain("\tat ");

        // end state: the orgs of both live pools have their whole schema (the dead pool's cannot be read: their
        // catalog rows, above, are what there is to check)
        CliFixture.assertClean(url, CliFixture.smallSchema(dir), List.of("o0", "o1", "o2", "o3", "o4", "o5"));
    }
}
