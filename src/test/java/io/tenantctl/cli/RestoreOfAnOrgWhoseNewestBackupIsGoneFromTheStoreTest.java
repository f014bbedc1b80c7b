package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (g): the README's "restore without --backup takes the newest complete one ... a damaged one refused, naming
 * it, rather than quietly taking an older one". A newest backup that lost one file is refused that way
 * (PruneKeepsTheLastRestorableBackupTest). One that lost all of its files — the catalog says complete, the store has
 * nothing (a lifecycle rule, a hand-run delete, a store restored from an older replica; {@code backups list} calls it
 * {@code missing}, prune keeps its row "check the store", verify --deep reports it) — is skipped by
 * Backups.newestComplete, which only looks at entries the store lists complete: {@code restore --org acme} quietly
 * brings back the older backup, exit 0, and every write between the two backups is gone from the org's live pointer
 * with nothing said.
 */
@Timeout(120)
class RestoreOfAnOrgWhoseNewestBackupIsGoneFromTheStoreTest {

    @TempDir
    Path dir;

    @Test
    void restoreRefusesRatherThanQuietlyTakingAnOlderBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String older = f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "written between the two backups"));
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));
            String newest = f.backup("acme");
            f.removeFromStore("acme", newest); // the catalog still says complete

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode())
                    .as("restore quietly took the older backup %s although the newest %s is gone: %s", older, newest, restore)
                    .isNotZero();
            assertThat(restore.err()).contains(newest).contains("'tenantctl restore --org acme --backup " + older + "'");
            f.assertHolds("acme", live); // left on its own data
        }
    }

    /**
     * Not one backup gone but the whole store: its directory missing (a volume not mounted) while the catalog records
     * backups there. Exit 3, one line, as verify says it, not the newest refused and every backup of the org marked damaged
     * (which outlived the remount: restore then refused the very backup that was whole).
     */
    @Test
    void aStoreDirectoryThatIsNotThereIsExit3_andMarksNothingDamaged() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String newest = f.backup("acme");
            Path mounted = dir.resolve("volume");
            java.nio.file.Files.move(f.storeDir, mounted); // unmounted

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(3);
            assertThat(restore.err().strip().lines().count()).as("one line: " + restore).isEqualTo(1);
            assertThat(restore.err()).contains("does not exist").contains("1 complete backup of 1 org").contains("mount");

            java.nio.file.Files.move(mounted, f.storeDir); // mounted again: its newest backup restores
            Cli.Result again = f.cli.run("restore", "--org", "acme", "-o", "json");
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(CliFixture.strictJson(again).get("backup_id").asText()).isEqualTo(newest);
        }
    }
}
