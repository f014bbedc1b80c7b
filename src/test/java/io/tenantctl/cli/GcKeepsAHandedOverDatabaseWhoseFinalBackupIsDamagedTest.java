package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deleted org's database an earlier purge handed over but could not drop is kept by the next purge once the org's
 * final backup is found damaged (it is then the only whole copy of the org). {@code rebalance gc}, which drops the same
 * handed-over databases, compared them only with what the delete recorded and dropped this one: the org was gone for
 * good. gc keeps it as purge does, for a person (exit 1), naming the damaged backup.
 */
class GcKeepsAHandedOverDatabaseWhoseFinalBackupIsDamagedTest {

    @Test
    void theOnlyWholeCopyOfADeletedOrgIsKeptByGcAsByPurge(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            TestCatalog.execute(f.catalogUrl, "update orgs set deleted_at = now() - interval '40 days' where org_id = 'acme'");
            Cli dropFails = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_acme")
                    ? HookedPools.failing(db, "drop", 1, "pool hiccup (test)") : db));
            assertThat(dropFails.run("orgs", "purge").exitCode()).isEqualTo(1); // handed over, not dropped
            // a restore or verify --deep reads the final backup back and finds it damaged (recorded as they record it)
            TestCatalog.execute(f.catalogUrl, "update backups set error = 'damaged: notes.ndjson.zst does not match its sha256' "
                    + "where backup_id = '" + finalBackup + "'");
            Cli.Result purge = f.cli.run("orgs", "purge");
            assertThat(purge.exitCode()).as(purge.toString()).isEqualTo(1);
            assertThat(purge.out()).contains("found damaged");

            for (String[] args : new String[][]{{"rebalance", "gc", "--older-than", "0", "--dry-run", "-o", "json"},
                    {"rebalance", "gc", "--older-than", "0", "-o", "json"}}) {
                Cli.Result gc = f.cli.run(args);
                assertThat(gc.exitCode()).as("kept for a person: %s", gc).isEqualTo(1);
                JsonNode item = strictJson(gc).get("items").get(0);
                assertThat(item.get("action").asText()).as(gc.toString()).isEqualTo("kept");
                assertThat(item.get("detail").asText()).contains(finalBackup).contains("found damaged");
            }
            assertThat(f.databaseNames("pool-0")).as("the only whole copy of acme").contains("org_acme");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments()).isEqualTo(20);
        }
    }
}
