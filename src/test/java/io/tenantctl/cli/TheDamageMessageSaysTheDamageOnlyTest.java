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
 * Found by a probing helper, on S3 and file:// alike: a backup file with a flipped bit was said as "… does not match its
 * manifest sha256 is X, manifest says Y: the backup is damaged; choose another backup" — a colon missing, and "choose
 * another backup" said by restore right before "org acme has no older complete backup", and in verify's backup_corrupt
 * detail whose fix is a fresh backup. The damage is said alone; what to do next is said by whoever knows it.
 */
@Timeout(120)
class TheDamageMessageSaysTheDamageOnlyTest {

    @TempDir
    Path dir;

    @Test
    void aFlippedBitInTheOnlyBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String id = f.backup("acme", "--compression", "none");
            changeANote(f, id);

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertDamageOnly(restore.err());
            assertThat(restore.err()).contains("org acme has no older complete backup");

            Cli.Result dry = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertDamageOnly(dry.err());
            assertThat(dry.err()).contains("org acme has no older complete backup");

            Cli.Result deep = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
            JsonNode corrupt = null;
            for (JsonNode x : strictJson(deep).get("findings")) {
                corrupt = x.get("kind").asText().equals("backup_corrupt") ? x : corrupt;
            }
            assertThat(corrupt).as(deep.toString()).isNotNull();
            assertDamageOnly(corrupt.get("detail").asText());
            assertThat(corrupt.get("fix").asText()).startsWith("tenantctl backup --org acme");

            Cli.Result shown = f.cli.run("backups", "show", id);
            assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(4);
            assertDamageOnly(shown.out());
        }
    }

    @Test
    void aFlippedBitInABackupChosenByItsIdNamesTheOlderOne() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String older = f.backup("acme");
            String newest = f.backup("acme", "--compression", "none");
            changeANote(f, newest);

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", newest, "--to-org", "acme-copy");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertDamageOnly(restore.err());
            assertThat(restore.err()).contains("'tenantctl restore --org acme --backup " + older + " --to-org acme-copy'");
        }
    }

    @Test
    void aZstdFileThatNoLongerDecompressesIsSaidAsCorruptOnly() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String id = f.backup("acme");
            f.flipABit("acme", id, "notes");

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).contains("is corrupt").contains("org acme has no older complete backup")
                    .doesNotContain("choose another backup");
        }
    }

    /** One byte of a document changed, the line still valid JSON and the size the same: only the sha256 tells. */
    private static void changeANote(BackupFixture f, String backupId) throws Exception {
        Path notes = f.files("acme", backupId).get("notes.ndjson");
        String text = Files.readString(notes);
        assertThat(text).contains("note 5\"");
        Files.writeString(notes, text.replace("note 5\"", "nate 5\""));
    }

    private static void assertDamageOnly(String said) {
        assertThat(said).contains("does not match its manifest: sha256 is ").contains(", the manifest says ")
                .doesNotContain("choose another backup");
    }
}
