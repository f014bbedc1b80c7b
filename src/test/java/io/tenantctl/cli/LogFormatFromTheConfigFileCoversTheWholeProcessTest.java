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
 * Found by probing: {@code log-format=json} in the config file (named by --config or TENANTCTL_CONFIG) made tenantctl's
 * own lines JSON, but the process's stderr — the libraries' loggers under -v, the Ctrl-C line — stayed plain text: it
 * read only a typed --log-format. Every stderr line is one JSON object, wherever log-format=json was given.
 */
class LogFormatFromTheConfigFileCoversTheWholeProcessTest {

    @Test
    void theLibrariesLinesAreJsonWhenTheConfigFileAsksForJsonLogs(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, "catalog=" + url + "\nlog-format=json\n");
        ChildJvm.Exit flag = ChildJvm.run(dir.resolve("flag"), Map.of("USER", "test"), 120, Main.class.getName(),
                "pools", "list", "-v", "--config", config.toString());
        ChildJvm.Exit env = ChildJvm.run(dir.resolve("env"), Map.of("USER", "test", "TENANTCTL_CONFIG", config.toString()), 120,
                Main.class.getName(), "pools", "list", "-v");
        for (ChildJvm.Exit e : new ChildJvm.Exit[]{flag, env}) {
            assertThat(e.code()).as(e.err()).isEqualTo(0);
            assertThat(LogFormatTest.jsonLines(e.err())).as("the catalog's connection pool logs at -v")
                    .anySatisfy(l -> assertThat(l.path("logger").asText()).startsWith("com.zaxxer.hikari"));
        }
    }
}
