package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs adopt --file}: one org of the batch held by another operation (a re-run provision resuming its failed
 * row) used to stop the whole batch with exit 3, leaving the orgs after it unadopted — and a re-run of the file then
 * failed every org already adopted ("already in the catalog"). Now that org fails naming its holder, with the command
 * that waits for it, and the rest of the batch is adopted (exit 1). A single org keeps its exit 3.
 */
class AdoptFileGoesOnPastAHeldOrgTest {

    @Test
    void aHeldOrgFailsAloneAndTheRestOfTheFileIsAdopted(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            try (MongoClient c = MongoClients.create(pools.uri(0))) {
                for (String org : new String[]{"acme", "globex", "initech"}) {
                    c.getDatabase("org_" + org).getCollection("users").insertOne(new Document("email", "ceo@" + org + ".example"));
                }
            }
            String schema = CliFixture.smallSchema(dir).toString();
            assertThat(cli.run("provision", "acme", "--schema", schema).exitCode()).as("refuses org_acme: it holds data").isEqualTo(1);

            HeldProvision rerun = new HeldProvision(url, "acme", schema); // a re-run of the signup list holds acme

            Path file = Files.writeString(dir.resolve("adopt.txt"), "globex\nacme\ninitech\n");
            Cli.Result batch = cli.run("orgs", "adopt", "--file", file.toString(), "--pool", "pool-1", "--tier", "pro", "--schema", schema, "-o", "json");
            Cli.Result single = cli.run("orgs", "adopt", "acme", "--pool", "pool-1", "--schema", schema);
            assertThat(rerun.release().exitCode()).as("the provision still refuses org_acme").isEqualTo(1);

            assertThat(batch.exitCode()).as(batch.toString()).isEqualTo(1);
            Map<String, JsonNode> lines = new HashMap<>();
            strictJson(batch).get("orgs").forEach(o -> lines.put(o.get("org_id").asText(), o));
            assertThat(lines.get("globex").get("outcome").asText()).isEqualTo("adopted");
            assertThat(lines.get("initech").get("outcome").asText()).as("the org after the held one is adopted too").isEqualTo("adopted");
            assertThat(lines.get("acme").get("outcome").asText()).isEqualTo("failed");
            assertThat(lines.get("acme").get("error").asText()).contains("provision").contains("--wait");
            assertThat(lines.get("acme").get("next_step").asText()).as("the adopt as this one was given: its tier too")
                    .isEqualTo("tenantctl orgs adopt acme --pool pool-1 --tier pro --schema " + schema + " --wait");
            assertThat(single.exitCode()).as("one org named alone: exit 3 as before, " + single).isEqualTo(3);

            for (String org : new String[]{"globex", "initech"}) {
                assertThat(strictJson(ok(cli, "orgs", "show", org, "-o", "json")).get("status").asText()).isEqualTo("active");
            }
            assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("status").asText())
                    .as("left as the provision left it, for the next step").isEqualTo("failed");
            Cli.Result next = cli.run("orgs", "adopt", "acme", "--pool", "pool-1", "--tier", "pro", "--schema", schema, "--wait");
            assertThat(next.exitCode()).as("the next step, followed: " + next).isZero();
            assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("status").asText()).isEqualTo("active");
            assertThat(strictJson(ok(cli, "orgs", "show", "globex", "-o", "json")).get("tier").asText()).isEqualTo("pro");
        }
    }
}
