package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: prune's "the newest complete backup is always kept" means "the newest backup that has a
 * manifest.json", never whether the files the manifest lists are there. When the newest backup lost a collection file
 * (a bucket lifecycle rule, a clean-up by hand, or a backup whose files vanished before its manifest was written), prune
 * keeps that one as "newest complete (always kept)" and deletes the older, intact ones as "outside retention": the org
 * is left with no backup that can be restored.
 */
class PruneKeepsTheLastRestorableBackupTest {

    @TempDir
    Path dir;

    @Test
    void pruneNeverDeletesTheOnlyRestorableBackupWhenTheNewestHasLostAFile() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 1500);
            Map<String, List<RawBsonDocument>> seeded = BackupFixture.contents(f.db("acme"));
            String good = f.backup("acme");
            String newest = f.backup("acme");
            Files.delete(f.files("acme", newest).get("notes.ndjson.zst")); // the newest lost a file; its manifest is still there

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(good).resolve("manifest.json"))
                    .as("the only restorable backup was pruned while the damaged newest one was kept: %s", prune).exists();

            // restore's default is the newest backup: refused, naming it and how to choose another
            Cli.Result latest = f.cli.run("restore", "--org", "acme");
            assertThat(latest.exitCode()).as(latest.toString()).isNotZero();
            assertThat(latest.err()).contains(newest).contains("'tenantctl backups list --org acme'")
                    .contains("'tenantctl restore --org acme --backup " + good + "'");
            assertThat(f.org("acme").get("status").asText()).as("nothing was claimed").isEqualTo("active");

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", good);
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            f.assertHolds("acme", seeded);
        }
    }
}
