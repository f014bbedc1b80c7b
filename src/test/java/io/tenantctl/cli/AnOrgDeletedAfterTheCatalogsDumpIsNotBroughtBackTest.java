package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DR drill, the catalog restored from an older dump: acme was deleted (its final backup in the store) and purged after the
 * dump, so the catalog still says it is active while its database is gone. verify's fix for that missing database was
 * "tenantctl restore --org acme", from the newest backup the dump records: a deleted org brought back, with data older
 * than its delete. The final backup's manifest says it was a delete's: verify now says the org was deleted since, and
 * its fix records the delete instead.
 */
@Timeout(180)
class AnOrgDeletedAfterTheCatalogsDumpIsNotBroughtBackTest {

    @TempDir
    Path dir;

    @Test
    void verifySaysTheOrgWasDeletedSinceAndItsFixRecordsTheDelete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 3);
            f.backup("acme"); // recorded in the dump
            f.backup("beta"); // a live org beside it: verify counts no problem once the delete is recorded
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).path("backup_id").asText();
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            olderDump(f, finalBackup);

            JsonNode v = strictJson(f.cli.run("verify", "-o", "json"));
            List<JsonNode> missing = findings(v, "missing_database");
            assertThat(missing).as("%s", v).hasSize(1);
            String fix = missing.get(0).path("fix").asText();
            assertThat(missing.get(0).path("detail").asText()).as("%s", missing).contains("deleted").contains(finalBackup);
            assertThat(fix).as("%s", missing).startsWith("tenantctl orgs delete acme --no-backup").doesNotStartWith("tenantctl restore");

            // nor does a restore of it, its newest backup taken: bringing a deleted org back is chosen by naming the backup
            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(2);
            assertThat(restore.err()).contains("final backup of a delete").contains("nothing restored")
                    .contains("'tenantctl restore --org acme --backup " + finalBackup + "'");
            assertThat(f.databaseNames("pool-0")).as("nothing was brought back").doesNotContain("org_acme");

            // followed as printed: the delete is recorded again, and verify no longer counts a problem for acme
            ok(f.cli, fix.substring("tenantctl ".length()).split("   ")[0].split(" "));
            assertThat(f.org("acme").path("status").asText()).isEqualTo("deleting");
            Cli.Result after = f.cli.run("verify", "-o", "json");
            assertThat(after.exitCode()).as(after.toString()).isZero();
            assertThat(f.databaseNames("pool-0")).as("nothing was brought back").doesNotContain("org_acme");
        }
    }

    @Test
    void theFinalBackupNamedBringsTheOrgBackAsItWasWhenDeleted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.notes("acme", "later", 2); // written after that backup: only the final backup holds it
            java.util.Map<String, java.util.List<org.bson.RawBsonDocument>> atDelete = BackupFixture.contents(f.db("acme"));
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).path("backup_id").asText();
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            olderDump(f, finalBackup);

            ok(f.cli, "restore", "--org", "acme", "--backup", finalBackup);
            f.assertHolds("acme", atDelete);
        }
    }

    @Test
    void anOrgWhoseNewestBackupTheCatalogRecordsKeepsTheRestoreFix() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.database("pool-0", "org_acme").drop(); // lost, not deleted: restore is the way back

            List<JsonNode> missing = findings(strictJson(f.cli.run("verify", "-o", "json")), "missing_database");
            assertThat(missing).hasSize(1);
            assertThat(missing.get(0).path("fix").asText()).as("%s", missing).startsWith("tenantctl restore --org acme");
        }
    }

    /**
     * The delete undone before the dump was restored: acme lives on (its database on its pool, written since), and its
     * newest backup is the delete's final one, which this catalog does not record. A restore of it is no bringing back of
     * a deleted org: it must not be refused as one, nor point the operator at recording a delete of a live org (whose
     * purge would then drop the writes made since).
     */
    @Test
    void aRestoreOfAnOrgWhoseDeleteWasUndoneIsNotRefusedAsADeletedOnes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).path("backup_id").asText();
            ok(f.cli, "orgs", "resume", "acme");
            f.notes("acme", "later", 2); // written after the delete was undone
            olderDump(f, finalBackup);

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.err() + restore.out()).doesNotContain("orgs delete").doesNotContain("final backup of a delete");
            assertThat(f.org("acme").path("status").asText()).isEqualTo("active");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
        }
    }

    /** The catalog as a dump taken before acme's delete would bring it back: acme active, its final backup unknown. */
    private static void olderDump(BackupFixture f, String finalBackup) throws Exception {
        try (PreparedStatement org = f.sql().prepareStatement("update orgs set status = 'active', deleted_at = null, "
                + "status_before_delete = null, deleted_fingerprint = null where org_id = 'acme'");
             PreparedStatement backup = f.sql().prepareStatement("delete from backups where backup_id = ?")) {
            org.executeUpdate();
            backup.setString(1, finalBackup);
            assertThat(backup.executeUpdate()).isEqualTo(1);
        }
    }
}
