package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A helper found that a failed row's next steps from 'orgs adopt … --schema FILE' ("tenantctl orgs adopt ORG --pool
 * POOL" for a failed row on another pool, "tenantctl provision ORG" for a database the pool lacks) dropped --schema:
 * pasted, they compared with or created the built-in LibreChat model instead. They carry it now.
 */
class AdoptNextStepsOfAFailedRowCarryTheSchemaTest {

    @Test
    void theAdoptOnTheFailedRowsPoolComparesWithTheSchemaGiven(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2); MongoClient pool1 = MongoClients.create(pools.uri(0))) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            Path schema = CliFixture.smallSchema(dir);
            pool1.getDatabase("org_k6").getCollection("notes").insertOne(new Document("_id", 1));
            assertThat(cli.run("provision", "k6", "--pool", "pool-1", "--schema", schema.toString()).exitCode()).isEqualTo(1);

            Cli.Result wrong = cli.run("orgs", "adopt", "k6", "--pool", "pool-2", "--schema", schema.toString(), "-o", "json");
            String next = strictJson(wrong).get("orgs").get(0).get("next_step").asText();
            assertThat(next).as(wrong.toString()).startsWith("tenantctl orgs adopt k6 --pool pool-1 --schema " + schema);

            JsonNode pasted = strictJson(ok(cli, args(next, "-o", "json")));
            assertThat(pasted.get("schema_hash").asText()).as("compared with the --schema given").isEqualTo(SchemaManifest.load(schema).hash());
        }
    }

    @Test
    void theProvisionOfADatabaseThePoolLacksCarriesTheSchemaGiven(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Path schema = CliFixture.smallSchema(dir);

            Cli.Result none = cli.run("orgs", "adopt", "ghost", "--pool", "pool-1", "--schema", schema.toString(), "-o", "json");
            assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
            String next = strictJson(none).get("orgs").get(0).get("next_step").asText();
            assertThat(next).as(none.toString()).isEqualTo("tenantctl provision ghost --schema " + schema);

            ok(cli, args(next));
            JsonNode ghost = strictJson(ok(cli, "orgs", "show", "ghost", "-o", "json"));
            assertThat(ghost.get("schema_hash").asText()).as("provisioned with the --schema given").isEqualTo(SchemaManifest.load(schema).hash());
        }
    }

    private static String[] args(String next, String... extra) {
        String cmd = next.contains("   (") ? next.substring(0, next.indexOf("   (")) : next;
        List<String> a = new ArrayList<>(List.of(cmd.substring("tenantctl ".length()).split(" ")));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }
}
