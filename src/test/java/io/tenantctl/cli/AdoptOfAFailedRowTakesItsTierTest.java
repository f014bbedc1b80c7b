package io.tenantctl.cli;

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
 * {@code orgs adopt ID --tier T} over the failed row a provision left (its database held data) records T, as it does
 * for a new row; without {@code --tier} the row keeps the tier its provision was given, not adopt's "free".
 */
class AdoptOfAFailedRowTakesItsTierTest {

    @Test
    void theTierGivenIsRecordedAndAnUngivenOneKeepsTheProvisionsTier(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient client = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Path schema = CliFixture.smallSchema(dir);
            for (String id : new String[] {"given", "kept"}) {
                client.getDatabase("org_" + id).getCollection("users").insertOne(new Document("email", "a@" + id));
                Cli.Result refused = cli.run("provision", id, "--tier", "growth", "--schema", schema.toString());
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
                assertThat(strictJson(ok(cli, "orgs", "show", id, "-o", "json")).get("status").asText()).isEqualTo("failed");
            }

            ok(cli, "orgs", "adopt", "given", "--pool", "pool-1", "--tier", "pro", "--schema", schema.toString());
            ok(cli, "orgs", "adopt", "kept", "--pool", "pool-1", "--schema", schema.toString());

            assertThat(strictJson(ok(cli, "orgs", "show", "given", "-o", "json")).get("tier").asText()).isEqualTo("pro");
            assertThat(strictJson(ok(cli, "orgs", "show", "kept", "-o", "json")).get("tier").asText()).isEqualTo("growth");
            assertThat(strictJson(ok(cli, "orgs", "show", "kept", "-o", "json")).get("status").asText()).isEqualTo("active");
            // a new row still gets the default
            client.getDatabase("org_fresh").getCollection("users").insertOne(new Document("email", "a@fresh"));
            ok(cli, "orgs", "adopt", "fresh", "--pool", "pool-1", "--schema", schema.toString());
            assertThat(strictJson(ok(cli, "orgs", "show", "fresh", "-o", "json")).get("tier").asText()).isEqualTo("free");
        }
    }
}
