package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found "catalog unreachable at …: … — check --catalog / TENANTCTL_CATALOG_URL and that PostgreSQL
 * is running" for a catalog URL that came from neither: the config file's catalog= key, with no flag and no variable.
 * The hint names where the URL came from: the flag, the variable, or the file and its key.
 */
class CatalogUnreachableNamesWhereItsUrlCameFromTest {

    private static final String CLOSED = "jdbc:postgresql://127.0.0.1:1/postgres?user=postgres";

    @Test
    void theHintNamesTheConfigFilesKey(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.properties"), "catalog=" + CLOSED + "\n");
        Cli.Result r = new Cli(Map.of("USER", "test")).run("--config", config.toString(), "orgs", "list");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains("catalog unreachable at 127.0.0.1:1")
                .contains("check catalog= in the config file " + config).doesNotContain("TENANTCTL_CATALOG_URL");
    }

    @Test
    void theHintNamesTheFlagOrTheVariable(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.properties"), "catalog=jdbc:postgresql://127.0.0.1:2/x\n");
        Cli.Result flag = Cli.withCatalog("jdbc:postgresql://127.0.0.1:3/x")
                .run("--catalog", CLOSED, "--config", config.toString(), "orgs", "list");
        assertThat(flag.exitCode()).as(flag.toString()).isEqualTo(3);
        assertThat(flag.err()).as(flag.toString()).contains("127.0.0.1:1").contains("check --catalog and")
                .doesNotContain("TENANTCTL_CATALOG_URL").doesNotContain("config file");

        Cli.Result variable = Cli.withCatalog(CLOSED).run("--config", config.toString(), "orgs", "list");
        assertThat(variable.exitCode()).as(variable.toString()).isEqualTo(3);
        assertThat(variable.err()).as(variable.toString()).contains("127.0.0.1:1").contains("check TENANTCTL_CATALOG_URL and")
                .doesNotContain("--catalog").doesNotContain("config file");
    }
}
