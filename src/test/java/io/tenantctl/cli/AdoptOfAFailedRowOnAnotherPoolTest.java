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

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code orgs adopt ORG --pool WRONG} of an org whose failed row (a provision that refused a
 * database holding data) is on another pool said "pool WRONG has no database org_ORG … ('tenantctl provision ORG'
 * creates a new one)": that provision fails again on the data and points back to adopt. The failed row is said first,
 * with its pool, and the adopt that takes it over there.
 */
class AdoptOfAFailedRowOnAnotherPoolTest {

    @Test
    void adoptOnTheWrongPoolNamesTheFailedRowAndTheAdoptOnItsPool(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2); MongoClient pool1 = MongoClients.create(pools.uri(0))) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            String schema = CliFixture.smallSchema(dir).toString();
            pool1.getDatabase("org_k6").getCollection("notes").insertOne(new Document("_id", 1));
            Cli.Result provisioned = cli.run("provision", "k6", "--pool", "pool-1", "--schema", schema);
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isEqualTo(1);

            Cli.Result wrong = cli.run("orgs", "adopt", "k6", "--pool", "pool-2", "--schema", schema, "-o", "json");
            assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(1);
            JsonNode org = strictJson(wrong).get("orgs").get(0);
            assertThat(org.get("error").asText()).as(wrong.toString()).contains("org k6 is already in the catalog (failed, database org_k6 on pool pool-1)")
                    .doesNotContain("provision k6");
            String next = org.get("next_step").asText();
            assertThat(next).as(wrong.toString()).startsWith("tenantctl orgs adopt k6 --pool pool-1");
            Cli.Result table = cli.run("orgs", "adopt", "k6", "--pool", "pool-2", "--schema", schema);
            assertThat(table.err()).as(table.toString()).contains("next for k6: tenantctl orgs adopt k6 --pool pool-1");

            ok(cli, next.substring("tenantctl ".length(), next.contains("   (") ? next.indexOf("   (") : next.length()).split(" "));
            JsonNode k6 = strictJson(ok(cli, "orgs", "show", "k6", "-o", "json"));
            assertThat(k6.get("status").asText()).isEqualTo("active");
            assertThat(k6.get("pool_id").asText()).isEqualTo("pool-1");
        }
    }
}
