package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the catalog-lost drill: after a move (acme from pool-0 to pool-1, its source kept until gc) the catalog is
 * lost and a fresh one made; {@code orgs adopt --discover} run pool by pool, as the README says, offered "acme org_acme"
 * on both pools. Adopting pool-0's file first registered the move's stale source as acme (writable, the writes since the
 * move missing), and verify then called the live copy on pool-1 a stray whose fix ends in dropDatabase(). A database
 * name no org owns on two pools is one org's two copies: neither is offered, each line says where the other is, and
 * adopt names the other copy. Likewise a restore's fresh database (org_beta__r…, the org's live data) was offered as a new
 * org 'beta__r…' and the database it replaced as 'beta': it is beta's, alone offered as beta, beside the replaced one
 * offered on neither.
 */
class AdoptDiscoverOfACopyOnTwoPoolsTest {

    @TempDir
    Path dir;

    @Test
    void aNameNoOrgOwnsOnTwoPoolsIsOfferedOnNeitherAndAdoptNamesTheOtherCopy() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", 1)); // the move's source
            f.database("pool-1", "org_acme").getCollection("notes").insertMany(List.of(new Document("_id", 1), new Document("_id", 2)));
            f.database("pool-0", "org_solo").getCollection("notes").insertOne(new Document("_id", 1));

            // beta was restored (default mode: a fresh database, the one it replaced kept), then moved; gamma restored only
            f.database("pool-0", "org_beta").getCollection("notes").insertOne(new Document("_id", 1));
            f.database("pool-1", "org_beta__r20250314020000k3x9qa").getCollection("notes").insertOne(new Document("_id", 2));
            f.database("pool-1", "org_gamma__r20250314020000abcdef").getCollection("notes").insertOne(new Document("_id", 1));

            Cli.Result d0 = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0");
            assertThat(d0.out().lines()).as("%s", d0).contains("solo org_solo");
            assertThat(d0.out().lines().filter(l -> !l.startsWith("#"))).as("%s", d0).noneMatch(l -> l.contains("org_acme"));
            assertThat(d0.out()).as("%s", d0).contains("# acme org_acme").contains("pool pool-1");

            assertThat(d0.out()).as("%s", d0).contains("# beta org_beta  (a restore of org beta replaced org_beta");

            Cli.Result d1text = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-1");
            assertThat(d1text.out().lines()).as("a restore's copy of an org with no row is that org's: %s", d1text)
                    .contains("gamma org_gamma__r20250314020000abcdef")
                    .noneMatch(l -> l.startsWith("beta__r") || l.startsWith("gamma__r") || l.startsWith("beta "));
            assertThat(d1text.out()).contains("# beta org_beta__r20250314020000k3x9qa  (org_beta__r20250314020000k3x9qa is named as a restore of org beta");

            JsonNode d1 = strictJson(ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-1", "-o", "json"));
            JsonNode acme = d1.get("databases").get(0);
            assertThat(acme.get("database_name").asText()).isEqualTo("org_acme");
            assertThat(acme.get("suggested_org_id").isNull()).as("%s", d1).isTrue();
            assertThat(acme.get("also_on_pools").toString()).isEqualTo("[\"pool-0\"]");
            assertThat(acme.get("why_no_id").asText()).contains("pool pool-0");

            Cli.Result a = ok(f.cli, "orgs", "adopt", "acme", "--pool", "pool-0", "--dry-run");
            assertThat(a.err()).as("%s", a).contains("org_acme is on pool pool-1 too");

            // verify's fix for the replaced org_beta names its one copy as one (it said "its copies … are")
            Cli.Result verify = f.cli.run("verify");
            assertThat(verify.out()).as("%s", verify).contains("a restore of org beta replaced it (it holds none of the writes made "
                    + "since): its copy org_beta__r20250314020000k3x9qa on pool pool-1 is that org's data too; compare them");
        }
    }
}
