package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A newest backup whose bytes went bad without changing its size passes every check but a read. Once a restore (or a
 * deep verify) has read it and found it corrupt, the catalog remembers: prune no longer keeps it as "the newest
 * restorable backup (always kept)" while deleting every older, good one, backups list says so, and the next deep
 * verify reads it again instead of trusting the read it made before the damage.
 */
class BackupFoundDamagedIsRememberedTest {

    @TempDir
    Path dir;

    @Test
    void aBackupARestoreFoundCorruptIsNotTheNewestRestorableOneForPrune() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            String older = f.backup("acme");
            String newest = f.backup("acme");
            ok(f.cli, "verify", "--deep", "--org", "acme"); // read back whole, remembered as good
            f.flipABit("acme", newest, "notes");

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "-o", "json");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err() + restore.out()).contains("corrupt");
            // found by a probing helper: its dry run said "planned", exit 0, for the backup the restore had just found damaged
            Cli.Result dry = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(dry.err()).contains("backup " + newest + " of org acme was found damaged").contains("'tenantctl restore --org acme --backup " + older + "'");
            ok(f.cli, "restore", "--org", "acme", "--backup", older, "--dry-run");

            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            assertThat(listed.toString()).as("backups list says what the restore found").contains("damaged: ");

            Cli.Result verify = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            assertThat(verify.exitCode()).as("read again, not trusted from before the damage: " + verify).isEqualTo(4);
            assertThat(verify.out()).contains("backup_corrupt").contains(newest);

            Cli.Result pruned = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0",
                    "--keep-weekly", "0", "--grace-hours", "0");
            assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(older).resolve("manifest.json"))
                    .as("the only restorable backup was pruned while the damaged newest one was kept: %s", pruned).exists();
            assertThat(f.storeDir.resolve("acme").resolve(newest).resolve("manifest.json")).as("the damaged one is kept for a person").exists();
            ok(f.cli, "restore", "--org", "acme", "--backup", older);
            f.assertHolds("acme", data);

            // the store's copy mended (the same bit flipped back): read back whole by a restore, it is no longer damaged
            f.flipABit("acme", newest, "notes");
            ok(f.cli, "restore", "--org", "acme", "--backup", newest);
            f.assertHolds("acme", data);
            assertThat(strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).toString()).doesNotContain("damaged: ");
        }
    }
}
