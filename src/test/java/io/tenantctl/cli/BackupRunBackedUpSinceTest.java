package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a delete killed during its final backup, run again, took a new final backup; the dead
 * one's backup run stayed abandoned, and runs list and verify (run_abandoned) named 'backup --resume RUN', which backed
 * the org up once more (two "final" backups). A backup run whose every org left open has been backed up since it
 * began names 'runs cancel RUN' instead; one with an org still to back up is resumed as before.
 */
class BackupRunBackedUpSinceTest {

    @TempDir
    Path dir;

    @Test
    void aBackupRunWhoseOrgsWereAllBackedUpSinceIsCancelledNotResumed() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            CancelToken ctrlC = new CancelToken();
            ctrlC.cancel("SIGINT"); // before any org started: both left open
            Cli.Result stopped = f.cli.run(ctrlC, "backup", "--org", "acme,globex", "-o", "json");
            assertThat(stopped.exitCode()).as("%s", stopped).isEqualTo(130);
            String runId = strictJson(stopped).get("run_id").asText();
            assertThat(next(f, runId)).isEqualTo("tenantctl backup --resume " + runId);

            f.backup("acme");
            assertThat(next(f, runId)).as("globex is still to back up").isEqualTo("tenantctl backup --resume " + runId);

            f.backup("globex");
            String next = next(f, runId);
            assertThat(next).startsWith("tenantctl runs cancel " + runId + "   (every org it had left has been backed up since)");
            ok(f.cli, next.split(" {3}")[0].substring("tenantctl ".length()).split(" "));
            assertThat(next(f, runId)).isNull();
            assertThat(strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")).hasSize(1);
        }
    }

    /**
     * Found by a probing helper: Ctrl-C while both orgs were being backed up records each {@code failed} ("interrupted after 0
     * documents of …"), not left pending; once both were backed up again, runs list still named 'backup --resume RUN', which
     * takes them once more. An org the run failed is one it left undone too: backed up since, it counts as done.
     */
    @Test
    void orgsTheInterruptFailedInFlightAndBackedUpSinceCountAsDone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            String runId = interrupted(f, "acme,globex");
            inFlightWhenInterrupted(f, runId, "acme", "globex");
            assertThat(next(f, runId)).isEqualTo("tenantctl backup --resume " + runId);

            f.backup("acme");
            assertThat(next(f, runId)).as("globex is still to back up").isEqualTo("tenantctl backup --resume " + runId);

            f.backup("globex");
            assertThat(next(f, runId)).startsWith("tenantctl runs cancel " + runId + "   (every org it had left has been backed up since)");
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("next_step").asText())
                    .isEqualTo("tenantctl runs cancel " + runId);
        }
    }

    /** An org the interrupt failed in flight, not backed up since, keeps the run's resume, whatever became of the org it left pending. */
    @Test
    void anOrgTheInterruptFailedAndNotBackedUpSinceKeepsTheResume() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            String runId = interrupted(f, "acme,globex");
            inFlightWhenInterrupted(f, runId, "acme"); // globex not started: pending

            f.backup("globex");
            assertThat(next(f, runId)).as("acme, failed by the interrupt, is still to back up")
                    .isEqualTo("tenantctl backup --resume " + runId);
        }
    }

    /** A backup of {@code orgs} interrupted (Ctrl-C) before any org started; its run id. */
    private static String interrupted(BackupFixture f, String orgs) {
        CancelToken ctrlC = new CancelToken();
        ctrlC.cancel("SIGINT");
        Cli.Result stopped = f.cli.run(ctrlC, "backup", "--org", orgs, "--freeze", "-o", "json");
        assertThat(stopped.exitCode()).as("%s", stopped).isEqualTo(130);
        return strictJson(stopped).get("run_id").asText();
    }

    /** The run's items of {@code orgs} as a Ctrl-C while they were being backed up leaves them: failed, interrupted. */
    private static void inFlightWhenInterrupted(BackupFixture f, String runId, String... orgs) throws java.sql.SQLException {
        try (java.sql.PreparedStatement s = f.sql().prepareStatement("update run_items set status = 'failed', attempts = 1, "
                + "error = 'interrupted after 0 documents of notes' where run_id = ? and org_id = any(?)")) {
            s.setString(1, runId);
            s.setArray(2, f.sql().createArrayOf("text", orgs));
            assertThat(s.executeUpdate()).isEqualTo(orgs.length);
        }
    }

    private static String next(BackupFixture f, String runId) {
        for (JsonNode run : strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs")) {
            if (run.get("run_id").asText().equals(runId)) {
                return run.get("next_step").isNull() ? null : run.get("next_step").asText()
                        + (run.get("next_note").isNull() ? "" : "   (" + run.get("next_note").asText() + ")");
            }
        }
        throw new AssertionError("run " + runId + " not listed");
    }
}
