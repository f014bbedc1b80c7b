package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reported by probing: "a backup a catalog outage left running is listed complete until --resume". Checked: its worker
 * wrote every file and then manifest.json (written last) before the catalog, out of reach, could record it complete; the
 * store holds it whole, restore takes it and --resume records this very backup (BackupTakenOverAfterItWasCompleteTest).
 * So it is complete, and listed so; what the listing did not say is that the catalog never recorded it (no documents, no
 * manifest sha256; 'backup --due' still finds the org due) and which command records it.
 */
class ABackupTheCatalogNeverRecordedCompleteTest {

    @Test
    void aBackupWholeInTheStoreThatTheCatalogHasRunningSaysItWasNotRecordedAndHowToRecordIt(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String runId = strictJson(ok(f.cli, "backup", "--all", "--detach", "-o", "json")).get("run_id").asText();
            String backupId = strictJson(ok(f.cli, "backup", "--org", "acme", "-o", "json")).get("orgs").get(0).get("backup_id").asText();
            // the catalog went away as the run's worker finished acme's backup: its row still running, the worker gone (exit 3)
            sql(f.catalogUrl, "update backups set run_id = '" + runId + "', status = 'running', finished_at = null, docs = null, bytes = null, "
                    + "sha256 = null where backup_id = '" + backupId + "'");
            sql(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + Worker.current("test").host() + "/" + deadPid()
                    + "/dead', lease_until = now() - interval '1 minute', attempts = 1 where run_id = '" + runId + "' and org_id = 'acme'");

            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "-o", "json")).get("backups").get(0);
            assertThat(listed.get("status").asText()).as("whole in the store, restore takes it: " + listed).isEqualTo("complete");
            assertThat(listed.get("error").asText()).as(listed.toString()).contains("not recorded complete").contains("run " + runId)
                    .contains("'tenantctl backup --resume " + runId + "' records it");
            Cli.Result plain = ok(f.cli, "backups", "list");
            assertThat(plain.out()).as(plain.out()).contains("not recorded complete");

            ok(f.cli, "backup", "--resume", runId);
            JsonNode after = strictJson(ok(f.cli, "backups", "list", "-o", "json")).get("backups");
            assertThat(after).as("the resume recorded it, took no other: " + after).hasSize(1);
            assertThat(after.get(0).get("status").asText()).isEqualTo("complete");
            assertThat(after.get(0).get("error").isNull()).as(after.toString()).isTrue();
        }
    }
}
