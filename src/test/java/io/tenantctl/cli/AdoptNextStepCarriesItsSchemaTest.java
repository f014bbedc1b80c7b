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

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code orgs adopt leg1 --pool pool-1 --schema small.json} of a database that lacks some of
 * small.json's collections reported them missing against small.json, then advised "next for leg1: tenantctl migrate-all
 * --org leg1 --dry-run" — without --schema, so the pasted command planned the built-in LibreChat manifest instead. A
 * next step carries the --schema it was given (README: "A next step carries what the command was given").
 */
class AdoptNextStepCarriesItsSchemaTest {

    @TempDir
    Path dir;

    @Test
    void theMigrateAllAnAdoptNamesPlansTheManifestTheAdoptWasGiven() {
        try (TestPools pools = new TestPools(1); MongoClient client = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Path schema = CliFixture.smallSchema(dir);
            client.getDatabase("org_leg1").getCollection("users").insertOne(new Document("email", "a@leg1"));

            Cli.Result text = ok(cli, "orgs", "adopt", "leg1", "--pool", "pool-1", "--schema", schema.toString(), "--dry-run");
            String expected = "tenantctl migrate-all --org leg1 --schema " + schema + " --dry-run";
            assertThat(text.err()).as(text.toString()).contains("next for leg1: " + expected);

            JsonNode org = strictJson(ok(cli, "orgs", "adopt", "leg1", "--pool", "pool-1", "--schema", schema.toString(), "-o", "json"))
                    .get("orgs").get(0);
            assertThat(org.get("missing").asInt()).as("missing against small.json").isPositive();
            assertThat(org.get("next_step").asText()).isEqualTo(expected);

            // followed as pasted: it plans small.json, not the built-in model
            JsonNode plan = strictJson(ok(cli, (expected.substring("tenantctl ".length()) + " -o json").split(" ")));
            assertThat(plan.get("schema_hash").asText()).isEqualTo(SchemaManifest.load(schema).hash());
        }
    }
}
