package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.ops.run.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.count;
import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing session (three workers on a backup run of 300 orgs, one killed with kill -9): a worker killed after
 * an org's backup was complete and before its run item said so left the item running; once its lease ran out another
 * worker backed the org up again, so the run took two complete backups of it. README, Scale-out: "no org is done
 * twice". The worker that takes such an item over now finds the run's complete backup of the org and records it.
 */
class BackupTakenOverAfterItWasCompleteTest {

    @Test
    void aBackupTheDeadWorkerTookThatIsNoLongerWholeIsMarkedDamagedAndTakenAgain(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String runId = strictJson(ok(f.cli, "backup", "--all", "--detach", "-o", "json")).get("run_id").asText();
            String before = deadWorkersBackupOfAcme(f, runId);
            java.nio.file.Files.delete(f.storeDir.resolve(io.tenantctl.backup.BackupLayout.root().manifestKey("acme", before)));

            JsonNode resumed = strictJson(ok(f.cli, "backup", "--resume", runId, "-o", "json"));

            String after = resumed.get("orgs").get(0).get("backup_id").asText();
            assertThat(after).as("a new backup, the lost one not counted as the org's").isNotEqualTo(before);
            assertThat(count(f.catalogUrl, "select count(*) from backups where backup_id = '" + before + "' and error like 'damaged: %'"))
                    .as("the one whose manifest is gone is remembered damaged").isEqualTo(1);
            ok(f.cli, "restore", "--org", "acme", "--backup", after, "--to-org", "acme-copy");
            assertThat(f.db("acme-copy").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }

    /**
     * A catalog outage (its postgres stopped for 75 s) while a worker finished acme's backup: the store holds it whole,
     * manifest.json and all, but the catalog never heard and has it running, no sha256; the worker exited 3. The
     * resume README advises records that backup instead of taking another.
     */
    @Test
    void aBackupCompleteInTheStoreThatTheCatalogStillHasRunningIsRecordedByTheResume(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String runId = strictJson(ok(f.cli, "backup", "--all", "--detach", "-o", "json")).get("run_id").asText();
            String before = deadWorkersBackupOfAcme(f, runId);
            sql(f.catalogUrl, "update backups set status = 'running', finished_at = null, docs = null, bytes = null, sha256 = null "
                    + "where backup_id = '" + before + "'");

            JsonNode resumed = strictJson(ok(f.cli, "backup", "--resume", runId, "-o", "json"));

            assertThat(resumed.get("orgs").get(0).get("backup_id").asText()).as("the backup in the store, not a new one").isEqualTo(before);
            assertThat(count(f.catalogUrl, "select count(*) from backups where org_id = 'acme'")).as("none taken again").isEqualTo(1);
            assertThat(count(f.catalogUrl, "select count(*) from backups where backup_id = '" + before + "' and status = 'complete' "
                    + "and sha256 is not null and docs = 5")).as("recorded complete, with its manifest's sha256").isEqualTo(1);
        }
    }

    @Test
    void anOrgADeadWorkerBackedUpIsNotBackedUpAgainByTheRun(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 5);
            String runId = strictJson(ok(f.cli, "backup", "--all", "--detach", "-o", "json")).get("run_id").asText();
            String before = deadWorkersBackupOfAcme(f, runId);

            JsonNode resumed = strictJson(ok(f.cli, "backup", "--resume", runId, "-o", "json"));

            assertThat(resumed.get("status").asText()).isEqualTo("succeeded");
            JsonNode acme = null;
            for (JsonNode o : resumed.get("orgs")) {
                if (o.get("org_id").asText().equals("acme")) {
                    acme = o;
                }
            }
            assertThat(acme).as("acme in %s", resumed).isNotNull();
            assertThat(acme.get("backup_id").asText()).as("the backup the dead worker took").isEqualTo(before);
            assertThat(acme.get("docs").asLong()).isEqualTo(5);
            assertThat(acme.get("collections").asInt()).isPositive();
            assertThat(count(f.catalogUrl, "select count(*) from backups where org_id = 'acme' and status = 'complete'"))
                    .as("one backup of acme in all: none taken again").isEqualTo(1);
            assertThat(count(f.catalogUrl, "select count(*) from backups where org_id = 'beta' and status = 'complete' and run_id = '" + runId + "'"))
                    .isEqualTo(1);
            ok(f.cli, "restore", "--org", "acme", "--backup", before, "--to-org", "acme-copy");
            assertThat(f.db("acme-copy").getCollection("notes").countDocuments()).as("the backup recorded is whole").isEqualTo(5);
        }
    }

    /**
     * What a worker of run {@code runId} did before a kill -9: acme's backup, complete and recorded under the run, and
     * then nothing — its run item still claimed by it, its lease run out. Returns that backup's id.
     */
    private static String deadWorkersBackupOfAcme(BackupFixture f, String runId) throws Exception {
        String backupId = strictJson(ok(f.cli, "backup", "--org", "acme", "-o", "json")).get("orgs").get(0).get("backup_id").asText();
        sql(f.catalogUrl, "update backups set run_id = '" + runId + "' where backup_id = '" + backupId + "'");
        sql(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + Worker.current("test").host() + "/" + deadPid()
                + "/dead', lease_until = now() - interval '1 minute', attempts = 1 where run_id = '" + runId + "' and org_id = 'acme'");
        return backupId;
    }
}
