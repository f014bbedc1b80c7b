package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (pools and placement). The app made org_acme and wrote to it; {@code provision acme} refused it (never
 * takes a database over) and left acme {@code failed}, next step "tenantctl orgs adopt acme --pool pool-1". The on-call adopts
 * it while the signup pipeline re-runs its provision list (README: re-running is safe; a failed org is resumed). Adopt takes
 * no org lease (README, forget: "made under the org's lease, as every single-org change is"): it sets acme active and says
 * "adopted" (exit 0) — then the resumed provision, which held the org, refuses the database again and writes acme back to
 * {@code failed}. The tenant the operator was told is adopted is not in the routing view: the app cannot find its data.
 * Either adopt is refused while the provision holds the org (exit 3 naming it, as forget is), or what it reports holds.
 */
class AdoptOfAFailedOrgBeingProvisionedTest {

    @Test
    void anOrgAdoptReportsAdoptedStaysAdopted(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            try (MongoClient c = MongoClients.create(pools.uri(0))) {
                c.getDatabase("org_acme").getCollection("users").insertOne(new Document("email", "ceo@acme.example"));
            }
            String schema = CliFixture.smallSchema(dir).toString();

            Cli.Result refused = cli.run("provision", "acme", "--schema", schema, "-o", "json");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(strictJson(refused).get("failed").get(0).get("next_step").asText()).contains("orgs adopt acme --pool pool-1");

            // the pipeline re-runs the provision; it holds acme and is about to look at org_acme's collections
            HeldProvision rerun = new HeldProvision(url, "acme", schema);

            // meanwhile the on-call follows the next step
            Cli.Result adopt = cli.run("orgs", "adopt", "acme", "--pool", "pool-1", "--schema", schema, "-o", "json");
            Cli.Result provision = rerun.release();
            assertThat(provision.exitCode()).as(provision.toString()).isEqualTo(1); // it still refuses the database: right

            if (adopt.exitCode() == 0) {
                JsonNode said = strictJson(adopt);
                assertThat(said.get("orgs").get(0).get("outcome").asText()).isEqualTo("adopted");
                JsonNode acme = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
                assertThat(acme.get("status").asText()).as("adopt said 'adopted'; the org is now: %s", acme).isEqualTo("active");
                assertThat(routed(url, "acme")).as("the adopted org is in the routing view the app reads").isTrue();
            } else {
                assertThat(adopt.exitCode()).as(adopt.toString()).isEqualTo(3);
                assertThat(strictJson(adopt).get("error").get("message").asText()).contains("provision");
            }
        }
    }

    private static boolean routed(String url, String orgId) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
             var ps = c.prepareStatement("select 1 from routing where org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
