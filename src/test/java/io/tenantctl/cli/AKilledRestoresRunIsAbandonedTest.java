package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing (a second Ctrl-C quits a restore at once): the restore's run stayed "running" in 'runs list', with no
 * next step, for good, though README ("Stopping") says a run whose workers were processes of this host that are gone
 * is shown abandoned at once with the command to continue — for a restore, the restore to run again. A restore runs
 * outside the run engine and never recorded its worker on its run, so nothing could judge it gone.
 */
class AKilledRestoresRunIsAbandonedTest {

    @Test
    void aRestoreKilledOnThisHostIsListedAbandonedWithTheRestoreToRunAgain(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 20_000);
            String backupId = f.backup("acme");
            String fresh = "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
            RestoreCrashTest.killRestoreOnceCopying(f, dir, fresh, "--org", "acme", "--backup", backupId);

            JsonNode restoreRun = null;
            for (JsonNode r : strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs")) {
                if (r.get("verb").asText().equals("restore")) {
                    restoreRun = r;
                }
            }
            assertThat(restoreRun).isNotNull();
            assertThat(restoreRun.get("status").asText()).as(restoreRun.toString()).isEqualTo("abandoned");
            String again = "tenantctl restore --org acme --backup " + backupId;
            assertThat(restoreRun.get("next_step").asText(null)).as(restoreRun.toString()).isEqualTo(again);
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).as("the step orgs show gives the org").contains(again);

            ok(f.cli, OnCallNextStepsTest.command(again));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
