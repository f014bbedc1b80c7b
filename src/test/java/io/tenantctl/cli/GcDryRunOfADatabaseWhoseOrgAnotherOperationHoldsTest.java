package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore onto pool-1 retires acme's old database on pool-0; while a move of acme was at work (its lease held),
 * {@code rebalance gc --dry-run} said that database would be dropped (would_drop, exit 0), while the real gc, refused
 * the org's lease, skips it (skipped, naming the holder, exit 1). The dry run looks at the lease, taking nothing, and
 * says the same, as {@code orgs purge --dry-run} does.
 */
class GcDryRunOfADatabaseWhoseOrgAnotherOperationHoldsTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunSkipsTheHeldOrgsDatabaseAsTheGcDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String id = f.backup("acme");
            ok(f.cli, "restore", "--org", "acme", "--backup", id, "--target-pool", "pool-1");
            f.heldBy("acme", "move");
            List<String> catalogBefore = f.catalogRows();
            var dataBefore = BackupFixture.contents(f.database("pool-0", "org_acme"));

            Cli.Result dry = f.cli.run("rebalance", "gc", "--older-than", "0s", "--dry-run", "-o", "json");
            assertThat(f.catalogRows()).as("the dry run writes nothing to the catalog: %s", dry).isEqualTo(catalogBefore);
            assertThat(BackupFixture.contents(f.database("pool-0", "org_acme"))).as("nor to the retired database").isEqualTo(dataBefore);

            Cli.Result real = f.cli.run("rebalance", "gc", "--older-than", "0s", "-o", "json");
            JsonNode gone = strictJson(real).get("items").get(0);
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            assertThat(gone.get("action").asText()).as(real.toString()).isEqualTo("skipped");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            JsonNode planned = strictJson(dry).get("items").get(0);
            assertThat(dry.exitCode()).as("the dry run ends as the gc did: %s", dry).isEqualTo(real.exitCode());
            assertThat(planned.get("pool_id").asText() + "/" + planned.get("database_name").asText()).as(dry.toString())
                    .isEqualTo(gone.get("pool_id").asText() + "/" + gone.get("database_name").asText());
            assertThat(planned.get("action").asText()).as(dry.toString()).isEqualTo(gone.get("action").asText());
            assertThat(gone.get("detail").asText()).as(real.toString()).contains("org acme is busy: move by");
            assertThat(planned.get("detail").asText()).as("naming the holder the gc names: %s", dry).contains("org acme is busy: move by");
        }
    }
}
