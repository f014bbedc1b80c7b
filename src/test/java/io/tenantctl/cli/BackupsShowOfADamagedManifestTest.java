package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (backups that are not what they claim — damaged): when the newest backup's {@code manifest.json} itself is
 * damaged (cut short by an interrupted copy of the store, say), {@code verify --deep} reports {@code backup_corrupt} with
 * the fix "tenantctl backup --org acme   (a fresh backup; then: tenantctl backups show ID --org acme)". The second step,
 * typed as printed, exits 1 ("manifest.json is not valid JSON") and shows nothing of the backup: {@code backups show}
 * reads the manifest it exists to show a problem with. It must show the backup's catalog record and store status (and
 * say its manifest does not read back), exit 0, as it does for a backup whose collection file is damaged
 * ({@link VerifyDeepBackupCorruptHintTest}).
 */
@Timeout(120)
class BackupsShowOfADamagedManifestTest {

    @TempDir
    Path dir;

    @Test
    void theBackupsShowStepOfTheBackupCorruptFixWorksForADamagedManifest() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String id = f.backup("acme");
            Path manifest = f.files("acme", id).get("manifest.json");
            byte[] bytes = Files.readAllBytes(manifest);
            Files.write(manifest, Arrays.copyOf(bytes, bytes.length / 2)); // the copy of the store stopped half-way through it

            Cli.Result deep = f.cli.run("verify", "--deep", "-o", "json");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
            String fix = null;
            for (JsonNode x : strictJson(deep).get("findings")) {
                if (x.get("kind").asText().equals("backup_corrupt") && x.get("org_id").asText().equals("acme")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as(deep.toString()).isNotNull();
            String show = fix.substring(fix.indexOf("then: ") + "then: ".length(), fix.lastIndexOf(')')).trim();
            assertThat(show).as(fix).startsWith("tenantctl backups show ");

            Cli.Result shown = f.cli.run(List.of(show.substring("tenantctl ".length()).split(" ")).toArray(String[]::new));
            assertThat(shown.exitCode()).as("'%s', as verify printed it: %s", show, shown).isZero();
            assertThat(shown.out()).as(shown.toString()).contains(id);
        }
    }
}
