package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs purge} kept a deleting org's database only when a restore or {@code verify --deep} had already found its
 * final backup damaged: a final backup whose files were gone from the store since (a bucket lifecycle rule, a hand
 * clean-up) was taken as good, and the purge dropped the only copy of the org. Purge now looks for the backup's files
 * itself (one listing of the org's backups, as a plain verify does) before it drops anything, and keeps the database
 * when it cannot look (no store given) — saying what to run.
 */
class PurgeChecksTheFinalBackupIsInTheStoreTest {

    @TempDir
    Path dir;

    @Test
    void aFinalBackupGoneFromTheStoreKeepsTheDatabaseUntilABackupHoldsTheOrgAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            Files.delete(f.files("acme", finalBackup).get("notes.ndjson.zst")); // the bucket lost a file; nothing has read it since

            for (String[] purge : new String[][]{{"orgs", "purge", "--older-than", "0", "--dry-run", "-o", "json"},
                    {"orgs", "purge", "--older-than", "0", "-o", "json"}}) {
                Cli.Result r = f.cli.run(purge);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                JsonNode item = strictJson(r).get("orgs").get(0);
                assertThat(item.get("action").asText()).as(r.toString()).isEqualTo("kept");
                assertThat(item.get("detail").asText()).contains("its newest backup " + finalBackup)
                        .contains("notes.ndjson.zst").contains("'tenantctl backup --org acme'");
            }
            assertThat(f.databaseNames("pool-0")).as("the only whole copy of acme").contains("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");

            ok(f.cli, "backup", "--org", "acme"); // what the detail says, then purge
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-back");
            assertThat(f.db("acme-back").getCollection("notes").countDocuments()).isEqualTo(20);
        }
    }

    @Test
    void withNoStoreToLookInThePurgeKeepsTheDatabaseAndNamesTheStore() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");
            String store = dir.resolve("store").toUri().toString().replaceAll("/$", "");
            Cli noStore = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test"));

            Cli.Result r = noStore.run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode item = strictJson(r).get("orgs").get(0);
            assertThat(item.get("action").asText()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains("no store").contains("--store " + store);
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            ok(noStore, "orgs", "purge", "--older-than", "0", "--store", store); // what the detail says
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }

    @Test
    void anOrgDeletedWithoutABackupNeedsNoStore() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            Cli noStore = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test"));
            ok(noStore, "orgs", "purge", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }
}
