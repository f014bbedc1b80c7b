package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: under a C locale (Java's file-name encoding ASCII) a {@code --config} or
 * {@code TENANTCTL_CONFIG} naming {@code …/cönfig.properties} ended in an InvalidPathException's stack trace, exit 1,
 * and nothing on stdout even with {@code -o json}. It is a usage error naming the file and what to do: exit 2, one line,
 * and the JSON error document (a {@code --schema} or {@code --file} such name says the same, not picocli's
 * InvalidPathException).
 */
class ConfigFileNamedOutsideAnAsciiLocaleTest {

    @TempDir
    Path dir;

    @Test
    void aConfigFileNameTheLocaleCannotEncodeIsAUsageError() throws Exception {
        String schema = dir.resolve("schéma.json").toString();
        assertUsageError(ChildJvm.run(dir.resolve("schema"), Map.of("LC_ALL", "C", "USER", "test"), 120, Main.class.getName(), "schema",
                "show", "--schema", schema, "-o", "json"), "--schema");
        String file = dir.resolve("cönfig.properties").toString();
        Map<String, String> env = Map.of("LC_ALL", "C", "USER", "test", "TENANTCTL_CATALOG_URL", "postgres://nowhere:1/x");
        assertUsageError(ChildJvm.run(dir.resolve("flag"), env, 120, Main.class.getName(), "orgs", "list", "--config", file, "-o", "json"),
                "--config");
        Map<String, String> fromEnv = new java.util.HashMap<>(env);
        fromEnv.put("TENANTCTL_CONFIG", file);
        assertUsageError(ChildJvm.run(dir.resolve("env"), fromEnv, 120, Main.class.getName(), "orgs", "list", "-o", "json"),
                "TENANTCTL_CONFIG");
    }

    private static void assertUsageError(ChildJvm.Exit e, String source) throws Exception {
        assertThat(e.code()).as(e.err()).isEqualTo(2);
        assertThat(e.err().strip().lines().count()).as("one line: " + e.err()).isEqualTo(1);
        assertThat(e.err()).contains(" cannot be named").contains(source)
                .contains("run tenantctl under a UTF-8 locale (e.g. LANG=C.UTF-8)").doesNotContain("Exception");
        JsonNode error = CliFixture.strictJson(new io.tenantctl.testing.Cli.Result(2, e.out(), e.err())).get("error");
        assertThat(error.get("code").asInt()).as(e.out()).isEqualTo(2);
        assertThat(error.get("message").asText()).contains("UTF-8 locale");
    }
}
