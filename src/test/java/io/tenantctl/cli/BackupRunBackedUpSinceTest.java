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
