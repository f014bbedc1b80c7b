package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
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

    /**
     * Found the morning 'backups forget' came: show of a backup gone from the store said "not restorable: recorded complete,
     * but its files are gone from the store" and no next step. It names prune's: the forget, or for the org's newest (what
     * restore takes) a fresh backup first; -o json's manifest_error as before, the step as next_step and next_note.
     */
    @Test
    void aBackupWhoseFilesAreGoneNamesTheForgetAsTheNextStep() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String old = backupOfAcme(f);
            String newer = f.backup("acme");
            f.removeFromStore("acme", old);
            f.removeFromStore("acme", newer);

            Cli.Result text = f.cli.run("backups", "show", old);
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).as(text.toString()).contains("not restorable: recorded complete, but its files are gone from the store")
                    .containsPattern("next: +once it is known gone for good, forget it: tenantctl backups forget " + old);
            JsonNode json = strictJson(f.cli.run("backups", "show", old, "-o", "json"));
            assertThat(json.get("manifest_error").asText()).isEqualTo("recorded complete, but its files are gone from the store");
            assertThat(json.get("next_step").asText()).isEqualTo("tenantctl backups forget " + old);

            Cli.Result newest = f.cli.run("backups", "show", newer);
            assertThat(newest.exitCode()).as(newest.toString()).isEqualTo(4);
            assertThat(newest.out()).as(newest.toString()).containsPattern("next: +take a fresh backup \\(tenantctl backup --org acme\\), "
                    + "then forget it: tenantctl backups forget " + newer);
            JsonNode newestJson = strictJson(f.cli.run("backups", "show", newer, "-o", "json"));
            assertThat(newestJson.get("next_step").asText()).isEqualTo("tenantctl backup --org acme");
            assertThat(newestJson.get("next_note").asText()).contains("tenantctl backups forget " + newer);

            assertThat(ok(f.cli, "backups", "forget", old).out()).as("the step, followed").contains("forgot backup " + old);
        }
    }

    private static String backupOfAcme(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 10);
        return f.backup("acme");
    }
}
