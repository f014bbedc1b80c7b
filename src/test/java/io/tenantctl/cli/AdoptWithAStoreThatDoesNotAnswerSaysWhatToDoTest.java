package io.tenantctl.cli;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A helper found that 'orgs adopt' with a store that does not answer exited 3 saying only that the store failed: not
 * that the store is what to set right, nor that the org can be adopted without it, nor what that costs (its tier and
 * status are then not taken from its newest backup: free, active). It says both now, and the way without it works.
 */
@Timeout(120)
class AdoptWithAStoreThatDoesNotAnswerSaysWhatToDoTest {

    @Test
    void theRefusalNamesTheStoreAndTheAdoptWithoutItAndWhatThatCosts() {
        try (TestPools pools = new TestPools(1); MongoClient client = MongoClients.create(pools.uri(0))) {
            String catalog = CliFixture.initialisedCatalog();
            Map<String, String> env = new HashMap<>(Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "test",
                    "TENANTCTL_STORE", "s3://backups/x", "TENANTCTL_S3_ENDPOINT", "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID", "id",
                    "AWS_SECRET_ACCESS_KEY", "secret-not-shown", "AWS_REGION", "us-east-1"));
            Cli cli = new Cli(env);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            client.getDatabase("org_acme").getCollection("notes").insertOne(new Document("_id", 1));

            Cli.Result r = cli.run("orgs", "adopt", "acme", "--pool", "pool-1");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).as(r.toString()).contains("s3://backups/x").doesNotContain("secret-not-shown")
                    .contains("--store ''").contains("free").contains("active").contains("nothing adopted");
            assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);

            // the way without the store, as said: adopted free and active
            ok(cli, "orgs", "adopt", "acme", "--pool", "pool-1", "--store", "");
            var acme = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
            assertThat(acme.get("tier").asText()).isEqualTo("free");
            assertThat(acme.get("status").asText()).isEqualTo("active");
        }
    }
}
