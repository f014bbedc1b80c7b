package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * backups list of the whole fleet streams the catalog's rows org by org and merges in the orgs only the store knows (a
 * catalog restored from an older snapshot): every org once, in order (ids with hyphens among them), each with its own
 * backups — none twice, none without its catalog rows.
 */
class BackupsListMergesStoreOnlyOrgsTest {

    @TempDir
    Path dir;

    @Test
    void everyOrgOnceInOrderWithItsOwnBackups() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("b-1", "b1", "d");
            String b1 = f.backup("b-1");
            String b2 = f.backup("b1");
            String d = f.backup("d");
            String lost = "20250314T020000Z-lost01";
            for (String org : List.of("a", "b-0", "c", "e")) { // backups of orgs the catalog does not know
                Path m = Files.createDirectories(f.storeDir.resolve(org).resolve(lost)).resolve("manifest.json");
                Files.writeString(m, "{}");
            }

            JsonNode list = strictJson(ok(f.cli, "backups", "list", "-o", "json"));

            List<String> rows = new ArrayList<>();
            list.get("backups").forEach(b -> rows.add(b.get("org_id").asText() + " " + b.get("backup_id").asText() + " "
                    + b.get("status").asText()));
            assertThat(rows).containsExactly("a " + lost + " complete", "b-0 " + lost + " complete", "b-1 " + b1 + " complete",
                    "b1 " + b2 + " complete", "c " + lost + " complete", "d " + d + " complete", "e " + lost + " complete");
            assertThat(strictJson(ok(f.cli, "backups", "list", "--org", "b1,a", "-o", "json")).get("backups"))
                    .as("with --org, the same entries").hasSize(2);
        }
    }
}
