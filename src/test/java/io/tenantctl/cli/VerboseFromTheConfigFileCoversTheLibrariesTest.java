package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code verbose=true} in the config file gave stack traces (the CLI reads it) but not the libraries'
 * log lines, which {@code main} raised only for a typed -v. It is read the same way for both.
 */
class VerboseFromTheConfigFileCoversTheLibrariesTest {

    @Test
    void theLibrariesLogWhenTheConfigFileSaysVerbose(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, "catalog=" + url + "\nverbose=true\n");
        ChildJvm.Exit verbose = ChildJvm.run(dir.resolve("verbose"), Map.of("USER", "test"), 120, Main.class.getName(),
                "pools", "list", "--config", config.toString());
        assertThat(verbose.code()).as(verbose.err()).isEqualTo(0);
        assertThat(verbose.err()).as("the catalog's connection pool logs at -v").contains("com.zaxxer.hikari");

        Files.writeString(config, "catalog=" + url + "\n");
        ChildJvm.Exit quiet = ChildJvm.run(dir.resolve("quiet"), Map.of("USER", "test"), 120, Main.class.getName(),
                "pools", "list", "--config", config.toString());
        assertThat(quiet.code()).as(quiet.err()).isEqualTo(0);
        assertThat(quiet.err()).doesNotContain("com.zaxxer.hikari");
    }
}
