package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: README promises that {@code restore} without --backup takes the backup {@code backups prune}
 * keeps as the org's "newest restorable backup (always kept)". After the catalog is restored from an older snapshot
 * (disaster recovery of its PostgreSQL), the org's last backup is only in the store ("not recorded in the catalog").
 * Prune calls that one the newest restorable and keeps it; restore without --backup takes the catalog's newest instead,
 * an older backup, and silently brings the org back without what the last backup holds.
 */
class RestoreAndPruneAgreeOnTheNewestTest {

    @TempDir
    Path dir;

    @Test
    void restoreWithoutBackupTakesTheBackupPruneKeepsAsTheNewestRestorable() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String older = f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "written after the older backup"));
            String last = f.backup("acme");
            // the catalog comes back from a snapshot taken between the two backups: the last one is only in the store
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("delete from backups where backup_id = '" + last + "'")).isEqualTo(1);
                // the older one an hour older (the two must not fall in one second of the ids' clock)
                s.executeUpdate("update backups set started_at = started_at - interval '1 hour', recorded_at = recorded_at - interval '1 hour', "
                        + "finished_at = finished_at - interval '1 hour' where backup_id = '" + older + "'");
            }

            JsonNode prune = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--dry-run", "-o", "json"));
            String keptAsNewest = null;
            for (JsonNode d : prune.get("decisions")) {
                if (d.get("reason").asText().startsWith("newest restorable")) {
                    keptAsNewest = d.get("backup_id").asText();
                }
            }
            assertThat(keptAsNewest).as("prune's newest restorable: %s", prune).isEqualTo(last);

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            assertThat(plan.get("backup_id").asText()).as("restore without --backup (the older one is %s): %s", older, plan)
                    .isEqualTo(keptAsNewest);
        }
    }

    /** The backup prune --dry-run keeps as the org's "newest restorable backup (always kept)". */
    private static String keptAsNewest(BackupFixture f) {
        JsonNode prune = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--dry-run", "-o", "json"));
        for (JsonNode d : prune.get("decisions")) {
            if (d.get("reason").asText().startsWith("newest restorable backup (")) {
                return d.get("backup_id").asText();
            }
        }
        throw new AssertionError("no newest restorable: " + prune);
    }

    /**
     * A folder copied by hand under a later id (no catalog row; its manifest still names the backup it was copied from):
     * restore takes it as the newest and refuses it, naming the catalog's backup as the one to restore instead; prune
     * finds it damaged and keeps that one as the newest restorable. They agree: this pins it.
     */
    @Test
    void aHandCopiedFolderUnderALaterIdIsNotWhatPruneKeepsAsTheNewestRestorable() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            f.backup("acme");
            String real = f.backup("acme");
            f.copyBackupByHand("acme", real);

            Cli.Result plan = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
            assertThat(plan.err()).as(plan.toString()).contains("the next older one is " + real);
            assertThat(keptAsNewest(f)).isEqualTo(real);
        }
    }

    /**
     * Found by a probing helper: a backup only in the store under a later id (a future timestamp), its manifest whole and
     * naming it, so restore takes it (there is no catalog sha256 to check it against) and prune keeps it as the newest
     * restorable: they agree. But a byte of it changed (no listing sees that) makes the restore fail, and no catalog row can
     * record the damage: every restore takes it again and names the catalog's backup to restore instead, and a
     * 'prune --keep-last 1 --keep-daily 0' deleted that one, leaving the org nothing that restores. Prune keeps it.
     */
    @Test
    void pruneKeepsTheCatalogsNewestWhileANewerOneOnlyInTheStoreIsWhatRestoreTakes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String real = f.backup("acme");
            f.copyBackupByHand("acme", real);
            String copy = "20991231T235959Z-zzzzzz";
            Path manifest = f.storeDir.resolve("acme").resolve(copy).resolve("manifest.json");
            ObjectNode m = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(manifest));
            m.put("backupId", copy).put("startedAt", "2099-12-31T23:59:59Z").put("finishedAt", "2099-12-31T23:59:59Z");
            Files.writeString(manifest, m.toPrettyString());

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            assertThat(plan.get("backup_id").asText()).as("%s", plan).isEqualTo(copy);
            assertThat(keptAsNewest(f)).isEqualTo(copy);

            f.flipABit("acme", copy, "notes");
            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).as(restore.toString()).contains("the next older one is " + real);

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(real).resolve("manifest.json"))
                    .as("the backup restore names instead was pruned: %s", prune).exists();
            assertThat(prune.out()).as(prune.toString()).contains("newest restorable backup the catalog records");
            Cli.Result instead = f.cli.run("restore", "--org", "acme", "--backup", real);
            assertThat(instead.exitCode()).as(instead.toString()).isZero();
        }
    }
}
