package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a {@code restore --to-org NEW} holds NEW's org lease only, not the lease of the org whose backup it
 * reads. {@code backups prune} protects an org's backups by taking that org's lease, so it finds the source org free and
 * deletes the very backup the restore is streaming (an older one, outside retention: exactly the one an operator restores
 * into a side org to fish out what was deleted since). The restore then fails with "the backup is damaged; choose another
 * backup" and the documents as of that backup exist nowhere any more.
 */
class PruneDuringToOrgRestoreTest {

    @TempDir
    Path dir;

    @Test
    void pruneNeverDeletesTheBackupARestoreToAnotherOrgIsReading() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 1500);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1));
            String old = f.backup("acme");
            Map<String, List<RawBsonDocument>> asOfOld = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("a_notes").deleteMany(new Document()); // the mistake to be looked into
            f.backup("acme"); // tonight's cron backup: the newest, with the mistake in it

            // the nightly prune (keep the newest only) runs while the restore into a side org is streaming the old backup
            Cli other = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    "USER", "cron"));
            AtomicReference<Cli.Result> prune = new AtomicReference<>();
            f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme_old") && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))
                        && prune.get() == null) {
                    prune.set(other.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0"));
                }
            }));
            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", old, "--to-org", "acme-old");

            assertThat(prune.get()).as("the restore got as far as its second collection").isNotNull();
            boolean backupStillThere = f.storeDir.resolve("acme").resolve(old).resolve("manifest.json").toFile().exists();
            assertThat(r.exitCode()).as("restore: %s%nprune: %s", r, prune.get()).isZero();
            assertThat(backupStillThere).as("the backup being restored was pruned: %s", prune.get()).isTrue();
            f.assertHolds("acme-old", asOfOld);
            assertThat(prune.get().exitCode()).as(prune.get().toString()).isZero();
        }
    }
}
