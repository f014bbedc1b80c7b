package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: at 3 a.m. the operator sees a restore of the wrong backup under way and runs
 * {@code tenantctl runs cancel RUN} on it (runs list shows it running; the help says cancel "ends a run for good"). It
 * exits 0 saying the run is cancelled — but a restore never looks at its run's status: it goes on, flips the org to the
 * backup's data, and its run stays recorded "cancelled" forever (finish only moves a running run). The org serves the
 * backup's (old) data, the operator believes nothing happened, and the run history says the restore did not happen.
 * Either the cancel stops the restore (rolled back, org on its own data), or it is refused saying how to stop it.
 */
class CancelRunningRestoreTest {

    /** The run id of the restore runs list shows running. */
    private static String runningRestore(BackupFixture f) {
        String runId = null;
        for (JsonNode r : strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs")) {
            if (r.get("verb").asText().equals("restore") && r.get("status").asText().equals("running")) {
                runId = r.get("run_id").asText();
            }
        }
        assertThat(runId).as("the restore's run, running").isNotNull();
        return runId;
    }

    @Test
    void runsCancelOfARestoreInFlightEitherStopsItOrSaysItCannot(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", 999).append("text", "written after the backup"));
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));

            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId);
            assertThat(held.awaitReached()).as("the restore reached its copy").isTrue();

            String runId = runningRestore(f);
            Cli.Result cancel = f.cli.run("runs", "cancel", runId);

            held.release();
            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run");
            if (cancel.exitCode() == 0) {
                // it said cancelled: then the restore did not happen
                assertThat(f.org("acme").get("database_name").asText()).as("cancel said %s; the restore said %s", cancel.out(), restored)
                        .isEqualTo("org_acme");
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
                f.assertHolds("acme", live);
                assertThat(run.get("status").asText()).isEqualTo("cancelled");
            } else {
                // refused: the restore finishes, and its run says so
                assertThat(restored.exitCode()).as(restored.toString()).isZero();
                assertThat(run.get("status").asText()).isEqualTo("succeeded");
            }
        }
    }

    /** Past its drop an in-place restore cannot be stopped without leaving the org empty: the cancel is refused, the restore ends. */
    @Test
    void runsCancelOfAnInPlaceRestorePastItsDropIsRefusedAndTheRestoreFinishes(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            String backupId = f.backup("acme");

            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.equals("org_acme"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId, "--in-place",
                    "--drop-existing");
            assertThat(held.awaitReached()).as("the restore dropped the org's database and began its copy").isTrue();
            String runId = runningRestore(f);
            Cli.Result cancel = f.cli.run("runs", "cancel", runId);
            held.release();
            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);

            assertThat(cancel.exitCode()).as(cancel.toString()).isEqualTo(1);
            assertThat(cancel.err()).contains("already dropped the org's database").contains("let it finish");
            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            f.assertHolds("acme", backedUp);
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("succeeded");
        }
    }
}
