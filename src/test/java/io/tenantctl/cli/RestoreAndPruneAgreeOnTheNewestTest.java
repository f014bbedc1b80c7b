package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
