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
 * Review of 7ec5fdc: MigrateAll.work refuses any run that a newer migrate-all run came after - before RunEngine.existing
 * looks at whether the run is over. README (Scaling out): "a run already over otherwise is only reported, with its
 * outcome's exit code". A retried pod of last week's Indexed Job (--join of a run that succeeded) now exits 2 with
 * "working on RUN now would take orgs back to its older manifest", although it would work on nothing: the refusal
 * belongs to a run that still has work (running, interrupted, --resume), not to one that is only reported.
 */
class JoinOfOlderFinishedRolloutTest {

    @Test
    void joiningAnOlderRunThatSucceededOnlyReportsItAfterANewerRollout(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            MigrateAllFixture.provision(cli, v1, List.of("acme"));
            String older = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "-o", "json")).get("run_id").asText();
            ok(cli, "migrate-all", "--schema", v1.toString(), "--prune", "-o", "json"); // a newer rollout

            Cli.Result joined = cli.run("migrate-all", "--join", older, "-o", "json");

            assertThat(joined.exitCode()).as("a run already over is only reported, with its outcome's exit code: %s", joined).isZero();
            JsonNode doc = strictJson(joined);
            assertThat(doc.get("run_id").asText()).isEqualTo(older);
        }
    }
}
