package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the catalog-lost drill: verify of a fresh catalog offered each orphan's adopt as a command to run. For a name
 * no org owns on two pools (a move's stale source and its live target) it offered 'orgs adopt acme --pool pool-0' — the
 * stale one, runnable — and told the live one to "choose another" id; for a restore's fresh database (org_beta__r…) it
 * offered a new org 'beta__r…', and the database that restore replaced as 'beta', runnable. The first is a note naming
 * both copies; the restore's copy is adopted as beta, and the replaced one's note names the restore's copy.
 */
class VerifyOfOrphansALostCatalogLeavesTest {

    @TempDir
    Path dir;

    @Test
    void oneOrgsCopiesAreNotOfferedAsTwoOrgs() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", 1));
            f.database("pool-1", "org_acme").getCollection("notes").insertOne(new Document("_id", 2));
            f.database("pool-1", "org_beta__r20250314020000k3x9qa").getCollection("notes").insertOne(new Document("_id", 1));
            f.database("pool-0", "org_beta").getCollection("notes").insertOne(new Document("_id", 1)); // the database it replaced

            JsonNode v = strictJson(f.cli.run("verify", "-o", "json"));
            Map<String, JsonNode> byWhere = new HashMap<>();
            v.get("findings").forEach(x -> byWhere.put(x.get("pool_id").asText() + "/" + x.get("detail").asText().split(" ")[0], x));
            for (String pool : new String[]{"pool-0", "pool-1"}) {
                JsonNode acme = byWhere.get(pool + "/org_acme");
                assertThat(acme).as("%s", v).isNotNull();
                assertThat(acme.get("fix").isNull()).as("no runnable adopt of either copy: %s", acme).isTrue();
                assertThat(acme.get("fix_note").asText()).contains("too, no org's there either").doesNotContain("choose another");
            }
            JsonNode beta = byWhere.get("pool-1/org_beta__r20250314020000k3x9qa");
            assertThat(beta.get("fix_note").asText()).as("%s", beta)
                    .contains("tenantctl orgs adopt beta --pool pool-1 --database org_beta__r20250314020000k3x9qa");
            JsonNode replaced = byWhere.get("pool-0/org_beta");
            assertThat(replaced.get("fix").isNull()).as("the replaced copy is no adopt to paste: %s", replaced).isTrue();
            assertThat(replaced.get("fix_note").asText()).contains("a restore of org beta replaced it")
                    .contains("org_beta__r20250314020000k3x9qa on pool pool-1");
        }
    }
}
