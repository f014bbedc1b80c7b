package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team, pass g: a config file that java.util.Properties cannot read. A backslash is an escape there, so a value with
 * "\\u" not followed by four hex digits (a secret key, a Windows-style path, a regex) makes {@code Properties.load} throw
 * IllegalArgumentException — not the IOException tenantctl turns into "config file … is unreadable" (exit 2). The
 * exception escapes {@code TenantCtl.run} (it is read before parsing, for the file's {@code output} key): the process
 * dies with a Java stack trace, exit 1, and -o json gets no document at all.
 */
class ConfigFileBadEscapeTest {

    @Test
    void aConfigFileWithABadBackslashEscapeIsOneUsageErrorAndOneJsonDocument(@TempDir Path dir) throws Exception {
        String catalog = CliFixture.initialisedCatalog();
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, String.join("\n",
                "catalog=" + catalog,
                "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY=Kx9zQ\\u7fSecretKey",
                ""));
        Cli cli = new Cli(Map.of("USER", "test"));
        for (String output : new String[]{"table", "json"}) {
            Cli.Result r;
            try {
                r = cli.run("orgs", "list", "--config", config.toString(), "-o", output);
            } catch (RuntimeException escaped) {
                throw new AssertionError("tenantctl died with a stack trace instead of one error line (-o " + output + ")", escaped);
            }
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as("one error line: " + r).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).startsWith("error: ").contains(config.toString()).doesNotContain("Kx9zQ");
            if (output.equals("json")) {
                assertThat(strictJson(r).get("error").get("category").asText()).as(r.toString()).isEqualTo("usage");
            }
        }
    }
}
