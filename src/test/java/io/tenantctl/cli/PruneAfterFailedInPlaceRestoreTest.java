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

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: an in-place restore that fails after it dropped the org's database leaves the org restoring, its
 * data only in the backup it was restoring, and tells the operator to "re-run the restore". It releases the org's lease
 * when it exits, and {@code backups prune} neither looks at the org's status nor at the unfinished restore: the nightly
 * prune deletes that backup (an older one, outside retention - the one chosen to undo a mistake). Re-running the restore
 * as told then fails ("no backup"), the org stays restoring with part of its data, and the documents as of that backup
 * exist nowhere any more.
 */
class PruneAfterFailedInPlaceRestoreTest {

    @TempDir
    Path dir;

    @Test
    void pruneKeepsTheBackupAnUnfinishedInPlaceRestoreNeedsToBeReRun() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 1500);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1));
            String old = f.backup("acme");
            Map<String, List<RawBsonDocument>> asOfOld = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("a_notes").deleteMany(new Document()); // the mistake the restore is to undo
            f.backup("acme"); // tonight's cron backup: the newest, with the mistake in it

            // the in-place restore of the old backup fails after the drop (the pool refuses one create): acme stays restoring
            Cli failing = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    "USER", "test")).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                        if (db.equals("org_acme") && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))) {
                            throw HookedPools.commandError(13, "not authorized");
                        }
                    }));
            Cli.Result inPlace = failing.run("restore", "--org", "acme", "--backup", old, "--in-place", "--drop-existing");
            assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
            assertThat(inPlace.err()).contains("re-run the restore");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");

            // the nightly prune (keep the newest only) runs before the operator gets to re-run it
            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(old).resolve("manifest.json"))
                    .as("the backup an unfinished in-place restore needs was pruned: %s", prune).exists();

            // re-run the restore, as the failure said
            Cli.Result again = f.cli.run("restore", "--org", "acme", "--backup", old, "--in-place", "--drop-existing");
            assertThat(again.exitCode()).as(again.toString()).isZero();
            f.assertHolds("acme", asOfOld);
            ok(f.cli, "backups", "list", "--org", "acme");
        }
    }
}
