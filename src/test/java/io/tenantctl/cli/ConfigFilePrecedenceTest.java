package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, Configuration: "Flags win over the environment, which wins over the config file". An operator whose
 * /etc/tenantctl.properties names the production catalog and store, and who exports TENANTCTL_CATALOG_URL /
 * TENANTCTL_STORE for another fleet (staging, a restore drill), must get the fleet the environment names.
 */
class ConfigFilePrecedenceTest {

    @Test
    void theEnvironmentsCatalogWinsOverTheConfigFiles(@TempDir Path dir) throws Exception {
        String production = CliFixture.initialisedCatalog();
        String staging = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Path config = dir.resolve("tenantctl.properties");
            Files.writeString(config, "catalog=" + production + "\n");
            Cli operator = new Cli(Map.of("USER", "test", "TENANTCTL_CONFIG", config.toString(), "TENANTCTL_CATALOG_URL", staging));

            Cli.Result add = operator.run("pools", "add", "pool-staging", "--uri", pools.uri(0), "--capacity", "5");
            assertThat(add.exitCode()).as(add.toString()).isZero();

            assertThat(poolIds(Cli.withCatalog(staging))).as("the catalog TENANTCTL_CATALOG_URL names got the pool").contains("pool-staging");
            assertThat(poolIds(Cli.withCatalog(production))).as("the config file's catalog was left alone").doesNotContain("pool-staging");
        }
    }

    @Test
    void theEnvironmentsStoreWinsOverTheConfigFiles(@TempDir Path dir) throws Exception {
        String catalog = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Path fileStore = Files.createDirectories(dir.resolve("store-from-config"));
            Path envStore = Files.createDirectories(dir.resolve("store-from-env"));
            Path config = dir.resolve("tenantctl.properties");
            Files.writeString(config, "store=" + fileStore.toUri() + "\n");
            Cli operator = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", catalog, "TENANTCTL_CONFIG", config.toString(),
                    "TENANTCTL_STORE", envStore.toUri().toString()));
            CliFixture.addPool(operator, "pool-1", pools.uri(0), 5, 1);
            ok(operator, "provision", "acme", "--schema", CliFixture.smallSchema(dir).toString());

            JsonNode backup = strictJson(ok(operator, "backup", "--org", "acme", "-o", "json"));
            assertThat(backup.get("counts").get("backed_up").asInt()).isEqualTo(1);

            assertThat(files(envStore)).as("the backup is in the store TENANTCTL_STORE names").anyMatch(f -> f.endsWith("manifest.json"));
            assertThat(files(fileStore)).as("nothing went to the config file's store").isEmpty();
        }
    }

    private static List<String> poolIds(Cli cli) {
        List<String> ids = new ArrayList<>();
        strictJson(ok(cli, "pools", "list", "-o", "json")).get("pools").forEach(p -> ids.add(p.get("pool_id").asText()));
        return ids;
    }

    private static List<String> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(Path::toString).toList();
        }
    }
}
