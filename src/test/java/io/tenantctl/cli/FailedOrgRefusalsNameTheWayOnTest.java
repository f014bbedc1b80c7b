package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code orgs suspend/resume/delete} of a failed org refused with "re-run 'tenantctl
 * provision ORG'" whatever made it fail — for an org whose database holds data that provision can never finish (adopt
 * does), and for an org a cancelled {@code --schema} run left, the bare re-run builds the built-in manifest — and
 * {@code orgs show} of a failed org gave no next step at all. Each now names the step verify's org_failed fix names.
 */
class FailedOrgRefusalsNameTheWayOnTest {

    @Test
    void theRefusalsAndOrgsShowOfAFailedOrgNameTheStepThatFinishesIt(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Path schema = CliFixture.smallSchema(dir);

            // a database that holds someone's data: provision refuses it, and adopt is what registers it
            direct.getDatabase("org_k6").getCollection("notes").insertOne(new Document("_id", 1));
            assertThat(cli.run("provision", "k6", "--schema", schema.toString()).exitCode()).isEqualTo(1);
            String adopt = "tenantctl orgs adopt k6 --pool pool-1";
            for (List<String> verb : List.of(List.of("orgs", "suspend", "k6"), List.of("orgs", "resume", "k6"),
                    List.of("orgs", "delete", "k6", "--no-backup"))) {
                Cli.Result refused = cli.run(verb.toArray(String[]::new));
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
                assertThat(refused.err()).as(refused.toString()).contains("org k6 is failed").contains(adopt)
                        .contains("tenantctl orgs forget k6").doesNotContain("re-run 'tenantctl provision k6'");
            }
            assertThat(ok(cli, "orgs", "show", "k6").out()).contains("next").contains(adopt);
            String next = strictJson(ok(cli, "orgs", "show", "k6", "-o", "json")).get("next").asText();
            assertThat(next).startsWith(adopt);
            ok(cli, command(next)); // pasted, it does what it promises
            assertThat(strictJson(ok(cli, "orgs", "show", "k6", "-o", "json")).get("status").asText()).isEqualTo("active");

            // an org a cancelled --schema run had begun: the bare re-run would build the built-in manifest
            String runId = strictJson(cli.run("provision", "c1", "--schema", schema.toString(), "--tier", "growth", "--detach", "-o", "json"))
                    .get("run_id").asText();
            TestCatalog.execute(url, "update orgs set status = 'failed' where org_id = 'c1'"); // as a dead worker's begun org is left
            ok(cli, "runs", "cancel", runId);
            String hash = SchemaManifest.load(schema).hash();
            String again = "tenantctl provision c1 --schema-hash " + hash + " --tier growth";
            Cli.Result refused = cli.run("orgs", "suspend", "c1");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).as(refused.toString()).contains(again);
            String shown = strictJson(ok(cli, "orgs", "show", "c1", "-o", "json")).get("next").asText();
            assertThat(shown).startsWith(again);
            ok(cli, command(shown));
            JsonNode c1 = strictJson(ok(cli, "orgs", "show", "c1", "-o", "json"));
            assertThat(c1.get("status").asText()).isEqualTo("active");
            assertThat(c1.get("schema_hash").asText()).isEqualTo(hash);
        }
    }

    /** A next step's command, as an operator pastes it: up to its explanation, without "tenantctl". */
    private static String[] command(String next) {
        String cmd = next.contains("   (") ? next.substring(0, next.indexOf("   (")) : next;
        return cmd.substring("tenantctl ".length()).split(" ");
    }
}
