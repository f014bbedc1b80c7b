package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming the catalog upgrade to version 9. V9 adds {@code backups.recorded_at} ("the catalog's clock when
 * the backup started": what "newest" means for prune and restore) and fills it for existing rows with their
 * {@code started_at} — the clock of the worker that took them, the very clock V9 stopped trusting. A backup taken before
 * the upgrade by a worker whose clock ran ahead (3 h here) thus keeps a catalog time in the future: after the upgrade it
 * stays the org's "newest" backup until real time passes it, ahead of every backup taken since (whose recorded_at is the
 * catalog's real now). Then {@code restore} without --backup restores the older data, and {@code backups prune}
 * ("never deletes an org's newest restorable backup") deletes the backup actually taken last — the only copy of what was
 * written in between — and keeps the old one.
 * <p>
 * Before V9 both backups were ordered by the same (skewed) worker clock, so the order was right; the upgrade is what
 * mixes the worker's clock (old rows) with the catalog's (new rows). Every pre-V9 backup started no later than the
 * migration's own {@code now()}, and the catalog did record its run's start in {@code runs.started_at} by its own clock.
 * <p>
 * A catalog from before V9 is made here from a current one, exactly as V9 found it: its column and history row taken out
 * (V9 is nothing else), then {@code tenantctl init} upgrades it.
 */
class UpgradeKeepsBackupOrderTest {

    @TempDir
    Path dir;

    @Test
    void afterTheUpgradeRestoreWithoutBackupTakesTheBackupTakenLast() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String[] backups = backupBeforeAndAfterTheUpgrade(f);
            String before = backups[0];
            String last = backups[1];

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));

            assertThat(plan.toString()).as("restore without --backup takes the backup taken last (%s), not %s", last, before)
                    .contains(last);
        }
    }

    @Test
    void afterTheUpgradePruneNeverDeletesTheBackupTakenLast() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String last = backupBeforeAndAfterTheUpgrade(f)[1];

            JsonNode pruned = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0",
                    "-o", "json"));

            assertThat(Files.exists(f.storeDir.resolve("acme").resolve(last).resolve("manifest.json")))
                    .as("prune keeps the newest restorable backup, the one taken last (the only one with the new note): %s", pruned)
                    .isTrue();
        }
    }

    /**
     * acme backed up before the upgrade by a worker whose clock is 3 h ahead, the catalog upgraded to version 9, a note
     * written, acme backed up again: the two backup ids, oldest first.
     */
    private static String[] backupBeforeAndAfterTheUpgrade(BackupFixture f) throws Exception {
        f.provision("acme");
        f.notes("acme", "notes", 10);
        String before = PruneClockSkewTest.backupByAWorkerAt(f, "acme", Instant.now().plus(Duration.ofHours(3)));
        downgradeToVersion8(f.catalogUrl);

        ok(f.cli, "init"); // the upgrade to version 9

        f.db("acme").getCollection("notes").insertOne(new Document("_id", "written after the old backup"));
        String last = f.backup("acme"); // taken after the upgrade: holds the new note
        return new String[]{before, last};
    }

    /**
     * What a version 8 catalog is: V9 only added backups.recorded_at. (A later migration that fixes this by correcting data
     * is re-applied by init as well; one that adds schema has to be taken out here too, as versions 11's to 14's and 16's to 18's are.)
     */
    private static void downgradeToVersion8(String catalogUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(catalogUrl); Statement s = c.createStatement()) {
            s.execute("alter table backups drop column recorded_at");
            s.execute("alter table orgs drop column deleted_fingerprint"); // version 11's
            s.execute("alter table orgs drop column status_before_delete"); // version 12's
            s.execute("alter table runs drop column heartbeat_by"); // version 13's
            s.execute("drop table catalog_identity"); // version 14's
            s.execute("alter table findings drop column fix_command, drop column fix_note"); // version 16's
            s.execute("drop table finding_sightings"); // version 17's
            s.execute("drop index backups_complete_location_idx"); // version 18's
            s.execute("alter table findings drop column only_deep_finds, drop column fix_puts_right"); // version 19's
            s.execute("alter table org_verifications drop column rules_version"); // version 20's
            s.execute("delete from flyway_schema_history where version is not null and cast(version as int) >= 9");
        }
    }
}
