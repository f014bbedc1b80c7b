package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper, on S3 and file:// alike: {@code backups show ID} exited 0, {@code "manifest_error": null},
 * for a backup recorded complete whose manifest.json (or whole folder) is gone from the store — one restore refuses. A
 * backup that is not restorable exits 4 and says why.
 */
@Timeout(120)
class BackupsShowOfABackupGoneFromTheStoreTest {

    @TempDir
    Path dir;

    @Test
    void aBackupWhoseManifestIsGoneIsNotRestorable() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            Files.delete(f.files("acme", id).get("manifest.json"));

            Cli.Result json = f.cli.run("backups", "show", id, "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            assertThat(strictJson(json).path("manifest_error").asText("")).as(json.toString())
                    .contains("manifest.json is gone from the store");
            Cli.Result text = f.cli.run("backups", "show", id);
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).as(text.toString()).contains("not restorable: ").contains("manifest.json is gone from the store");
        }
    }

    @Test
    void aBackupWhoseFilesAreGoneIsNotRestorable() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            f.removeFromStore("acme", id);

            Cli.Result json = f.cli.run("backups", "show", id, "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode doc = strictJson(json);
            assertThat(doc.path("backup").path("status").asText()).isEqualTo("missing");
            assertThat(doc.path("manifest_error").asText("")).as(json.toString()).contains("files are gone from the store");
            Cli.Result text = f.cli.run("backups", "show", id);
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).as(text.toString()).contains("not restorable: ").contains("files are gone from the store");

            // after a restore found it gone (and recorded so), still not restorable
            assertThat(f.cli.run("restore", "--org", "acme", "--dry-run").exitCode()).isEqualTo(1);
            Cli.Result after = f.cli.run("backups", "show", id, "-o", "json");
            assertThat(after.exitCode()).as(after.toString()).isEqualTo(4);
        }
    }

    private static String backupOfAcme(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 10);
        return f.backup("acme");
    }
}
