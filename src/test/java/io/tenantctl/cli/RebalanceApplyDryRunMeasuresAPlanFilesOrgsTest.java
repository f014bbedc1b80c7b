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
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: 'rebalance apply --plan FILE --dry-run' held each move to --max-freeze with the sizes the file was
 * saved with, while the apply measures the org again: an org grown since passed the dry run ("planned", exit 0) and was
 * refused by the apply (exit 1). The dry run measures it as the move will.
 */
class RebalanceApplyDryRunMeasuresAPlanFilesOrgsTest {

    @Test
    void aDryRunOfASavedPlanHoldsEachMoveToTheOrgsSizeNow(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            ok(cli, "provision", "acme", "--schema", schema.toString(), "--pool", "pool-1");
            ok(cli, "pools", "drain", "pool-1");
            Path planFile = dir.resolve("plan.json");
            Files.writeString(planFile, ok(cli, "rebalance", "plan", "-o", "json").out()); // acme empty, as it was then
            try (MongoClient c = MongoClients.create(pools.uri(0))) { // it has grown since
                List<Document> docs = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    docs.add(new Document("_id", i).append("text", "x".repeat(1_000)));
                }
                c.getDatabase("org_acme").getCollection("messages").insertMany(docs);
            }

            String[] apply = {"rebalance", "apply", "--plan", planFile.toString(), "--max-freeze", "1ms", "--freeze-grace", "0", "-o", "json"};
            List<String> dryArgs = new ArrayList<>(List.of(apply));
            dryArgs.add("--dry-run");
            Cli.Result dry = cli.run(dryArgs.toArray(String[]::new));
            Cli.Result real = cli.run(apply);
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            assertThat(dry.exitCode()).as("the dry run says what the apply does: %s", dry).isEqualTo(1);
            JsonNode line = strictJson(dry).get("orgs").get(0);
            assertThat(line.get("outcome").asText()).isEqualTo("failed");
            assertThat(line.get("error").asText()).contains("2000 documents").contains("--max-freeze");
            assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("pool_id").asText()).isEqualTo("pool-1");
        }
    }
}
