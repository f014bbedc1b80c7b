package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: {@code output=yaml} in the --config file printed the top-level usage instead of
 * one line naming the key and the values it takes (exit 2): the line typed is not what is wrong, so not its synopsis.
 */
class ConfigFileBadOutputValueTest {

    @Test
    void aBadOutputInTheConfigFileIsOneLineNamingTheKeyAndItsValues(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = Files.writeString(dir.resolve("tenantctl.properties"), "catalog=" + url + "\noutput=yaml\n");
        Cli cli = new Cli(Map.of("USER", "test"));

        Cli.Result typed = cli.run("orgs", "list", "--catalog", url, "-o", "yaml");
        assertThat(typed.exitCode()).as(typed.toString()).isEqualTo(2);
        assertThat(typed.err()).contains("yaml").contains("table").contains("json");

        Cli.Result r = cli.run("orgs", "list", "--config", config.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).as(r.toString()).doesNotContain("Usage:");
        assertThat(r.err()).as(r.toString()).doesNotContain("Usage:");
        assertThat(r.err().strip().lines()).as("one line: the line typed is not what is wrong").hasSize(1);
        assertThat(r.err().strip()).as(r.toString()).startsWith("error: ").contains("yaml").contains("[table, json]")
                .contains("key output of the config file " + config);

        Files.writeString(config, "catalog=" + url + "\ntenantctl.provision.per-pool=abc\n");
        Cli.Result scoped = cli.run("provision", "acme", "--config", config.toString());
        assertThat(scoped.exitCode()).as(scoped.toString()).isEqualTo(2);
        assertThat(scoped.err().strip().lines()).as(scoped.toString()).hasSize(1);
        assertThat(scoped.err()).contains("abc").contains("key tenantctl.provision.per-pool of the config file " + config);
    }
}
