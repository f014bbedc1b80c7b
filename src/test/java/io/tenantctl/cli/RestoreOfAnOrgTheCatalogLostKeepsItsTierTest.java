package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: after the catalog is lost (or comes back from a dump older than the org), the way an org
 * comes back from its backup is {@code restore --org acme --backup ID --to-org acme}. It was recorded tier {@code free}
 * and {@code active} whatever the backup's manifest said: an enterprise org was then backed up weekly instead of every
 * 4 h, and {@code backups prune} kept 2 of its backups for 14 days instead of 30 for 90; a suspended org was made
 * writable behind its suspension. {@code orgs adopt} of the same database takes both from the newest backup's manifest
 * (README, On call): the restore takes them from the backup it restores, as the catalog said them when it was taken.
 */
@Timeout(180)
class RestoreOfAnOrgTheCatalogLostKeepsItsTierTest {

    @TempDir
    Path dir;

    @Test
    void theRestoredOrgHasTheTierAndSuspensionItsBackupRecords() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("enterprise", "pool-0", "acme");
            f.notes("acme", "notes", 30);
            ok(f.cli, "orgs", "suspend", "acme");
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            String id = f.backup("acme");
            f.db("acme").drop();

            // a catalog from before acme existed: its pool registered, acme unknown
            String older = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", older, "TENANTCTL_STORE", f.storeDir.toUri().toString(), "USER", "test"));
            CliFixture.addPool(cli, "pool-0", f.pools.uri(0), 100, 1);

            ok(cli, "restore", "--org", "acme", "--backup", id, "--to-org", "acme");

            JsonNode org = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
            assertThat(org.get("tier").asText()).as("the tier acme's backup records: %s", org).isEqualTo("enterprise");
            assertThat(org.get("status").asText()).as("acme was suspended when its backup was taken: %s", org).isEqualTo("read_only");
            assertThat(BackupFixture.contents(f.database(org.get("pool_id").asText(), org.get("database_name").asText())))
                    .as("acme's documents").isEqualTo(data);
        }
    }
}
