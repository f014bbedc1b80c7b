package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: nothing pins the backup a restore reads. {@code backups prune} takes no org lease and does not know about
 * running restores, so it deletes a backup outside retention while a restore streams it. For an in-place restore that
 * is after the org's database was dropped ({@code reader.verify()} read the whole backup once, then the copy reads it
 * again): the restore fails, the org is left restoring with part of the data, and the backup it was restoring from is
 * gone - the documents as of that backup exist nowhere any more.
 */
class PruneDuringRestoreTest {

    @TempDir
    Path dir;

    @Test
    void pruneNeverDeletesTheBackupAnInPlaceRestoreIsReading() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 1500);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1));
            String old = f.backup("acme");
            Map<String, List<RawBsonDocument>> asOfOld = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("a_notes").deleteMany(new Document()); // the mistake the restore is to undo
            f.backup("acme"); // tonight's cron backup: the newest, with the mistake in it

            // the nightly prune (keep the newest only) runs while the in-place restore is between its two reads of the backup
            Cli other = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    "USER", "cron"));
            AtomicReference<Cli.Result> prune = new AtomicReference<>();
            f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme") && HookedPools.is(cmd, "create") && "a_notes".equals(cmd.getString("create"))
                        && prune.get() == null) {
                    prune.set(other.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0"));
                }
            }));
            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", old, "--in-place", "--drop-existing");

            assertThat(prune.get()).isNotNull();
            boolean backupStillThere = f.storeDir.resolve("acme").resolve(old).resolve("manifest.json").toFile().exists();
            assertThat(r.exitCode()).as("restore: %s%nprune: %s", r, prune.get()).isZero();
            assertThat(backupStillThere).as("the backup being restored was pruned: %s", prune.get()).isTrue();
            f.assertHolds("acme", asOfOld);
            assertThat(prune.get().exitCode()).as(prune.get().toString()).isZero();
            assertThat(prune.get().out()).as("the prune says why it kept it").contains("needed: restore run");

            Cli.Result later = other.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
            assertThat(later.exitCode()).as(later.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(old).resolve("manifest.json")).as("pruned once the restore was done").doesNotExist();
        }
    }
}
