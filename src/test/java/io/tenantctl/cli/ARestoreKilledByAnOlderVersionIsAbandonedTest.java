package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a restore recorded by a tenantctl from before restores beat their run (runs.heartbeat_at and
 * heartbeat_by stay null), killed after dropping the org's database, stayed "running" with no next step in 'runs list' after
 * the upgrade, for good, while one killed under this version is shown abandoned with the restore to run again. Its worker
 * is judged by the org lease it held instead: none live, it is gone.
 */
class ARestoreKilledByAnOlderVersionIsAbandonedTest {

    @Test
    void aRestoreThatNeverBeatItsRunIsAbandonedOnceItsOrgLeaseIsGone(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = killedRestoreOfAnOlderVersion(f, dir);
            TestCatalog.execute(f.catalogUrl, "update org_leases set lease_until = now() - interval '1 second' where org_id = 'acme'");

            JsonNode restoreRun = restoreRun(f);
            assertThat(restoreRun.get("status").asText()).as(restoreRun.toString()).isEqualTo("abandoned");
            assertThat(restoreRun.get("next_step").asText(null)).as(restoreRun.toString())
                    .isEqualTo("tenantctl restore --org acme --backup " + backupId);

            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");
            assertThat(restoreRun(f).get("status").asText()).as("its org lease gone").isEqualTo("abandoned");
        }
    }

    @Test
    void aRestoreThatHasNotBeatenItsRunYetIsRunningWhileItsOrgLeaseIsLive(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            killedRestoreOfAnOlderVersion(f, dir);
            // as a restore just started holds it (on another host, so nothing here can tell its process is gone)
            TestCatalog.execute(f.catalogUrl, "update org_leases set holder = 'elsewhere/1/abc', host = 'elsewhere', "
                    + "lease_until = now() + interval '60 seconds' where org_id = 'acme'");

            JsonNode restoreRun = restoreRun(f);
            assertThat(restoreRun.get("status").asText()).as(restoreRun.toString()).isEqualTo("running");
        }
    }

    /** Kills a restore of acme while it copies, then clears what an older version never wrote: its run's heartbeat. */
    private static String killedRestoreOfAnOlderVersion(BackupFixture f, Path dir) throws Exception {
        f.provision("acme");
        f.seedNotes("acme", 20_000);
        String backupId = f.backup("acme");
        String fresh = "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
        RestoreCrashTest.killRestoreOnceCopying(f, dir, fresh, "--org", "acme", "--backup", backupId);
        TestCatalog.execute(f.catalogUrl, "update runs set heartbeat_at = null, heartbeat_by = null where verb = 'restore'");
        return backupId;
    }

    private static JsonNode restoreRun(BackupFixture f) {
        JsonNode restoreRun = null;
        for (JsonNode r : strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs")) {
            if (r.get("verb").asText().equals("restore")) {
                restoreRun = r;
            }
        }
        assertThat(restoreRun).isNotNull();
        return restoreRun;
    }
}
