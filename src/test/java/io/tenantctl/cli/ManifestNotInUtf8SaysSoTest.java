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

    /**
     * UTF-16 written without a byte-order mark (iconv -t UTF-16LE, .NET's UnicodeEncoding(false, false), Python's
     * "utf-16-le") is valid UTF-8 byte for byte when its text is ASCII — a NUL after every character — so it passed the
     * UTF-8 check and was refused as "not valid JSON at line 1, column 3: Illegal character ((CTRL-CHAR, code 0))",
     * which says neither what is wrong with the file nor what to do.
     */
    @Test
    void aUtf16ManifestWithoutAByteOrderMarkIsRefusedNamingTheEncoding(@TempDir Path dir) throws Exception {
        for (java.nio.charset.Charset cs : new java.nio.charset.Charset[]{StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE}) {
            Path file = dir.resolve(cs.name() + ".json");
            Files.write(file, "{\"collections\": []}".getBytes(cs));

            Cli.Result r = cli.run("schema", "show", "--schema", file.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains(file.toString()).contains("UTF-16").contains("save it as UTF-8")
                    .doesNotContain("CTRL-CHAR");
        }
    }
}
