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
 * 69ea4ba refuses a UTF-16 manifest ("what `>` writes in Windows PowerShell 5") telling the operator to save it as
 * UTF-8. In Windows PowerShell 5 the way to do that, {@code tenantctl schema export | Out-File -Encoding utf8 schema.json}
 * (or {@code Set-Content -Encoding UTF8}), writes UTF-8 with a byte-order mark. That file is UTF-8 and valid JSON once
 * the mark is skipped (RFC 8259 lets a parser ignore it), but tenantctl refuses it as "not valid JSON at line 1,
 * column 1: Unexpected character ('\uFEFF' (code 65279))" — an invisible character, so following the printed advice
 * leads to a second refusal nobody can see the reason of.
 */
class ManifestSavedAsUtf8ByPowerShellTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    @Test
    void aUtf8ManifestWithAByteOrderMarkIsRead(@TempDir Path dir) throws Exception {
        String json = "{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"email_1\", \"key\": {\"email\": 1}}]}]}";
        Path manifest = dir.resolve("schema.json");
        Files.write(manifest, ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8));
        Path plain = Files.writeString(dir.resolve("plain.json"), json);

        Cli.Result r = cli.run("schema", "show", "--schema", manifest.toString(), "-o", "json");

        assertThat(r.exitCode()).as("a UTF-8 file with a BOM is what 'save it as UTF-8' gives in Windows PowerShell 5: %s", r).isEqualTo(0);
        assertThat(r.json().get("hash").asText()).as("the same manifest as without its byte-order mark")
                .isEqualTo(cli.run("schema", "show", "--schema", plain.toString(), "-o", "json").json().get("hash").asText());
    }
}
