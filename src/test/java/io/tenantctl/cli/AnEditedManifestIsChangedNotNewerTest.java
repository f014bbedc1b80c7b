package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a backup whose manifest.json was edited by hand to another formatVersion was refused as
 * written by a newer tenantctl ("upgrade tenantctl", exit 2) before the check that it is the manifest the catalog
 * recorded: the checksum comes first, so an edited manifest is "changed after it was taken" (exit 1), not "newer".
 */
class AnEditedManifestIsChangedNotNewerTest {

    @TempDir
    Path dir;

    @Test
    void aManifestThatFailsItsChecksumIsChangedWhateverItsFormatVersionSays() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String id = f.backup("acme");
            Path manifest = f.storeDir.resolve("acme").resolve(id).resolve("manifest.json");
            String json = Files.readString(manifest);
            String edited = json.replaceFirst("\"formatVersion\"\\s*:\\s*1", "\"formatVersion\": 2");
            assertThat(edited).isNotEqualTo(json);
            Files.writeString(manifest, edited);

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", id);
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).as(restore.toString()).contains("changed after it was taken").doesNotContain("upgrade tenantctl");

            Cli.Result show = f.cli.run("backups", "show", id, "-o", "json");
            assertThat(strictJson(show).get("manifest_error").asText()).as(show.toString()).contains("changed after it was taken")
                    .doesNotContain("upgrade tenantctl");
        }
    }
}
