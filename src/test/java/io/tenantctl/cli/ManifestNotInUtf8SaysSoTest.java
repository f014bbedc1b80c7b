package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A manifest saved in another encoding — `tenantctl schema export > schema.json` in Windows PowerShell writes UTF-16, an
 * old editor saves "café" in the description as Latin-1 — is refused with "schema file X is unreadable: Input length = 1":
 * the file is perfectly readable, and nothing says what is wrong or what to do. One clear error line: the file is not
 * UTF-8; save it as UTF-8.
 */
class ManifestNotInUtf8SaysSoTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    @Test
    void aLatin1OrUtf16ManifestIsRefusedNamingTheEncoding(@TempDir Path dir) throws Exception {
        Path latin1 = dir.resolve("latin1.json");
        Files.write(latin1, "{\"description\": \"caf\u00e9 release\", \"collections\": []}".getBytes(StandardCharsets.ISO_8859_1));
        Path utf16 = dir.resolve("utf16.json");
        Files.write(utf16, "\uFEFF{\"collections\": []}".getBytes(StandardCharsets.UTF_16LE));

        for (Path file : new Path[]{latin1, utf16}) {
            Cli.Result r = cli.run("schema", "show", "--schema", file.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains(file.toString()).containsIgnoringCase("UTF-8")
                    .doesNotContain("Input length");
        }
    }
}
