package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After the catalog came back from a snapshot older than an org's last backup, {@code restore} without {@code --backup}
 * takes that newer, store-only backup (prune keeps it as the newest too). {@code verify --deep} read the catalog's
 * newest instead: a corrupt store-only backup — the one the on-call restore would take — passed as healthy.
 */
@Timeout(120)
class VerifyDeepReadsTheBackupRestoreWouldTakeTest {

    @TempDir
    Path dir;

    @Test
    void aCorruptNewestBackupOnlyTheStoreKnowsIsFound() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String older = f.backup("acme");
            String newer = f.backup("acme");
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.executeUpdate("delete from backups where backup_id = '" + newer + "'"); // the catalog's snapshot predates it
                // taken an hour before (a store-only backup is ordered by its id's second, the catalog's by recorded_at)
                s.executeUpdate("update backups set started_at = started_at - interval '1 hour', recorded_at = recorded_at - interval "
                        + "'1 hour' where backup_id = '" + older + "'");
            }
            f.flipABit("acme", newer, "notes"); // the bucket lost a bit

            JsonNode deep = strictJson(f.cli.run("verify", "--deep", "-o", "json"));

            List<String> corrupt = new ArrayList<>();
            deep.get("findings").forEach(x -> {
                if (x.get("kind").asText().equals("backup_corrupt")) {
                    corrupt.add(x.get("org_id").asText() + " " + x.get("detail").asText());
                }
            });
            assertThat(corrupt).as("the backup restore would take is the one read: %s", deep).singleElement().asString().startsWith("acme the newest backup of org acme (" + newer + ")");
        }
    }
}
