package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: after a restore (a fresh database {@code org_acme__r…}), {@code provision acme} reported
 * the org unchanged in database {@code org_acme} — the name derived from the id, which is now the restore's retired
 * copy that {@code rebalance gc} drops — in its table, its -o json and its --dry-run. An org that exists is shown with
 * the database its catalog row names.
 */
class ProvisionOfAnOrgInAnotherDatabaseShowsItsDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void anUnchangedOrgIsShownInTheDatabaseTheCatalogNames() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            ok(f.cli, "restore", "--org", "acme");
            String database = f.org("acme").get("database_name").asText();
            assertThat(database).as("restored into a fresh database").isNotEqualTo("org_acme");

            for (String dryRun : new String[] {"--no-progress", "--dry-run"}) {
                JsonNode json = strictJson(ok(f.cli, "provision", "acme", dryRun, "-o", "json"));
                assertThat(json.get("orgs").get(0).get("database_name").asText()).as("%s %s", dryRun, json.toPrettyString())
                        .isEqualTo(database);
            }
            Cli.Result table = ok(f.cli, "provision", "acme");
            assertThat(table.out()).as(table.toString()).contains(database);
            assertThat(strictJson(ok(f.cli, "provision", "fresh", "-o", "json")).get("orgs").get(0).get("database_name").asText())
                    .as("a new org: the database it got").isEqualTo("org_fresh");
        }
    }
}
