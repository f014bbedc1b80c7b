package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.BackupManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A catalog lost (rebuilt by {@code orgs adopt}) or restored from an older dump forgets each org's tier, its suspension and
 * that it was deleted; the store keeps the data, so each backup's manifest keeps those too: the tier, the status before
 * any freeze of the backup's own or of a delete, and whether it is a delete's final backup.
 */
@Timeout(180)
class BackupManifestSaysWhatTheCatalogSaidTest {

    @TempDir
    Path dir;

    @Test
    void eachManifestRecordsTheTierTheStatusBeforeAnyFreezeAndADeletesFinalBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("growth", "pool-0", "acme", "beta");
            ok(f.cli, "orgs", "suspend", "beta");

            assertThat(org(f, "acme", f.backup("acme", "--freeze"))).isEqualTo(new BackupManifest.OrgState("growth", "active", null));
            assertThat(org(f, "beta", f.backup("beta"))).isEqualTo(new BackupManifest.OrgState("growth", "read_only", null));

            // a delete freezes an active org for its final backup: the manifest says what undoing the delete puts back
            assertThat(org(f, "acme", finalBackup(f, "acme"))).isEqualTo(new BackupManifest.OrgState("growth", "active", "delete"));
            assertThat(org(f, "beta", finalBackup(f, "beta"))).isEqualTo(new BackupManifest.OrgState("growth", "read_only", "delete"));
            // a final backup taken again before the purge is one too
            String again = f.backup("acme");
            assertThat(org(f, "acme", again)).isEqualTo(new BackupManifest.OrgState("growth", "active", "delete"));

            String shown = ok(f.cli, "backups", "show", again).out();
            assertThat(shown).contains("when taken: tier growth, active, the final backup of a delete");
            JsonNode json = strictJson(ok(f.cli, "backups", "show", again, "-o", "json"));
            assertThat(json.at("/manifest/org/purpose").asText()).isEqualTo("delete");
        }
    }

    private static String finalBackup(BackupFixture f, String orgId) {
        return strictJson(ok(f.cli, "orgs", "delete", orgId, "-o", "json")).path("backup_id").asText();
    }

    private static BackupManifest.OrgState org(BackupFixture f, String orgId, String backupId) throws Exception {
        Path manifest = f.files(orgId, backupId).get("manifest.json");
        return BackupManifest.fromJson(Files.readAllBytes(manifest), manifest.toString()).org();
    }
}
