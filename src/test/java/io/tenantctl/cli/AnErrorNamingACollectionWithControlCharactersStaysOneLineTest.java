package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A collection may be named with a newline or a terminal escape sequence (MongoDB and FerretDB take them). Tables and
 * verify's findings escape them (8f89e24), but the error line did not: a restore that failed naming such a collection
 * printed "error: ..." split over two lines, the second looking like a line of its own, and sent the escape sequence
 * to the operator's terminal (able to erase or recolour what it printed). The error line escapes them as tables do;
 * -o json's error still carries the exact name.
 */
class AnErrorNamingACollectionWithControlCharactersStaysOneLineTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreFailingOnSuchACollectionSaysSoInOneLine() throws Exception {
        String name = "legacy\n\u001b[2Kfine";
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String backupId = RestoreIntoAPoolThatStoresADocumentOtherwiseTest.backupWithAnUndefinedIn(f, name);

            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            List<String> errors = r.err().lines().filter(l -> l.contains("otherwise")).toList();
            assertThat(errors).as(r.toString()).hasSize(1);
            assertThat(errors.get(0)).as(r.toString()).startsWith("error: ").contains("legacy\\n\\u001b[2Kfine");
            assertThat(r.err()).as(r.toString()).doesNotContain("\u001b").doesNotContain("legacy\n");

            Cli.Result json = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            assertThat(CliFixture.strictJson(json).path("error").path("message").asText()).contains(name);
        }
    }
}
