package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Red team, pass 4: --config file defaults meeting runs that carry their own arguments (--join, --resume). */
@Timeout(120)
class ConfigFileJoinTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    /**
     * README's own config example is {@code schema=/etc/tenantctl/librechat.json}; a joined or resumed run "takes the run's
     * own manifest and flags" and "--schema may be left out". With such a config file, every worker of the Indexed Job
     * ({@code migrate-all --join RUN}) and the on-call's {@code migrate-all --resume RUN} of a rollout of another manifest
     * exit 2, "run … applies manifest X but --schema gives Y: leave out --schema" — a --schema nobody typed: the config
     * file's default is treated as if it had been given on the command line.
     */
    @Test
    void aSchemaDefaultFromTheConfigFileDoesNotStopWorkersJoiningOrResumingARunOfAnotherManifest(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path v1 = write(dir, "v1.json", V1);
        Path v2 = write(dir, "v2.json", V2_ADD);
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, String.join("\n", "catalog=" + url, "schema=" + v1, ""));
        Cli cli = new Cli(Map.of("USER", "test"));
        CliFixture.addPool(Cli.withCatalog(url), "pool-a", pools.uri(0), 100, 1);
        List<String> orgs = ids("o", 0, 4);
        MigrateAllFixture.provision(Cli.withCatalog(url), v1, orgs);

        // the release pipeline rolls out v2, detached, naming it on the command line
        String runId = strictJson(ok(cli, "migrate-all", "--config", config.toString(), "--schema", v2.toString(), "--detach", "-o", "json"))
                .get("run_id").asText();

        // a worker, on a host with the standard config file, joins it as the README's Indexed Job does
        Cli.Result joined = cli.run("migrate-all", "--config", config.toString(), "--join", runId, "-o", "json");
        assertThat(joined.exitCode()).as("a worker given no --schema must work on the run with its own manifest: " + joined).isZero();
        JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "--config", config.toString(), "-o", "json"));
        assertThat(shown.get("run").get("status").asText()).isEqualTo("succeeded");
        CliFixture.assertExactly(url, v2, orgs);
    }
}
