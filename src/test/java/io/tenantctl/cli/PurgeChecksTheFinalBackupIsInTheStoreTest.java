package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs purge} looks for a deleting org's final backup in the store before it drops the database (a final backup
 * gone from the store keeps it: {@code PurgeOfAnOrgWhoseFinalBackupIsDamagedTest}), so it keeps the database when it
 * cannot look — no store given — saying what to run; an org deleted without a backup needs no store.
 */
class PurgeChecksTheFinalBackupIsInTheStoreTest {

    @TempDir
    Path dir;

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

    /**
     * The dry run ended 'dry run: would drop 1 database; nothing written' and named no purge to run: it names the purge
     * it previews, as given — the --store typed on its line too, without which that purge keeps the org (no store to
     * look in) — in its text and -o json's next_step; run as printed, it drops the database.
     */
    @Test
    void theDryRunNamesThePurgeItPreviewsWhichDropsTheDatabase() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme");
            String store = dir.resolve("store").toUri().toString().replaceAll("/$", "");
            Cli noStore = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test"));
            String named = "tenantctl orgs purge --older-than 0d --store " + store;

            Cli.Result dry = ok(noStore, "orgs", "purge", "--older-than", "0", "--store", store, "--dry-run");
            assertThat(dry.out()).contains("next: " + named + "   (");
            JsonNode json = strictJson(ok(noStore, "orgs", "purge", "--older-than", "0", "--store", store, "--dry-run", "-o", "json"));
            assertThat(json.get("next_step").asText()).isEqualTo(named);
            assertThat(f.databaseNames("pool-0")).as("a dry run drops nothing").contains("org_acme");

            CliFixture.followNextStep(noStore, dry.out().substring(dry.out().indexOf("next: ")));
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(CliFixture.orgIds(noStore, "deleted")).containsExactly("acme");
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
