package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by reading: a restore decided which backup is the org's newest before it took the org's lease and again under
 * it, and refused on the first answer: 'restore --org acme --wait' while acme's first backup was being written (the
 * backup holds the lease) said "no complete backup yet ... restore once it is complete" (exit 3) instead of waiting for
 * that backup, as --wait asks. The newest is decided once, under the lease: on the org as whoever held it left it.
 */
class ARestoreThatWaitsForABackupRestoresWhatItLeftTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreWithWaitWaitsForTheFirstBackupAndRestoresIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause stopped = Pause.at(1)) {
            f.provision("acme");
            f.seedNotes("acme", 30);
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            // the org's first backup, stopped as it starts reading the org (holding its lease)
            Cli backupCli = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", stopped::call)));
            CompletableFuture<Cli.Result> backup = backupCli.start("backup", "--org", "acme", "-o", "json");
            assertThat(stopped.awaitPaused()).as("the backup reached the org").isTrue();

            CompletableFuture<Void> waiting = new CompletableFuture<>();
            CompletableFuture<Cli.Result> restore = f.cli.start(new io.tenantctl.fanout.CancelToken(), text -> {
                if (text.contains("waiting (--wait): org acme is busy: backup by")) {
                    waiting.complete(null);
                }
            }, "restore", "--org", "acme", "--wait", "-o", "json");
            CompletableFuture.anyOf(waiting, restore).get(60, TimeUnit.SECONDS);
            assertThat(waiting).as(() -> "the restore waits for the backup (--wait); it ended with " + restore.getNow(null)).isDone();

            stopped.wake();
            Cli.Result b = backup.get(60, TimeUnit.SECONDS);
            assertThat(b.exitCode()).as(b.toString()).isZero();
            String written = strictJson(b).get("orgs").get(0).get("backup_id").asText();
            Cli.Result r = restore.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode result = strictJson(r);
            assertThat(result.get("backup_id").asText()).as("the backup it names is the one the backup it waited for wrote")
                    .isEqualTo(written);
            assertThat(result.get("database_name").asText()).isEqualTo(f.org("acme").get("database_name").asText());
            f.assertHolds("acme", data);
        }
    }
}
