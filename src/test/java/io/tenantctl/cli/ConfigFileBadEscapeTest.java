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

    /**
     * Found by probing, on the real process's stderr (which an in-process run does not see): picocli's own reading of the
     * file printed "[picocli WARN] … java.lang.IllegalArgumentException: Malformed \\uxxxx encoding." before tenantctl's
     * line, under -q too; and a file saved as UTF-16 said only "Input length = 1".
     */
    @Test
    void theRealProcessSaysOneLineForABadEscapeAndNamesTheEncodingOfANonUtf8File(@TempDir Path dir) throws Exception {
        String catalog = CliFixture.initialisedCatalog();
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, "catalog=" + catalog + "\nx=\\uZZZZ\n");
        io.tenantctl.testing.ChildJvm.Exit bad = io.tenantctl.testing.ChildJvm.run(dir.resolve("a"), Map.of("USER", "test"), 60,
                io.tenantctl.Main.class.getName(), "orgs", "list", "-q", "--config", config.toString());
        assertThat(bad.code()).as(bad.err()).isEqualTo(2);
        assertThat(bad.err().strip().lines()).as(bad.err()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("error: config file").doesNotContain("WARN").doesNotContain("Exception"));

        Files.writeString(config, "catalog=" + catalog + "\n", java.nio.charset.StandardCharsets.UTF_16);
        io.tenantctl.testing.ChildJvm.Exit utf16 = io.tenantctl.testing.ChildJvm.run(dir.resolve("b"), Map.of("USER", "test"), 60,
                io.tenantctl.Main.class.getName(), "orgs", "list", "--config", config.toString());
        assertThat(utf16.code()).as(utf16.err()).isEqualTo(2);
        assertThat(utf16.err().strip().lines()).as(utf16.err()).singleElement().satisfies(l -> assertThat(l)
                .contains("is not UTF-8 text; save it as UTF-8").doesNotContain("WARN"));
    }
}
