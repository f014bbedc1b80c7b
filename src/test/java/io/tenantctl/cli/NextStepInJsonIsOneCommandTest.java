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
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tool that pipes {@code -o json} runs {@code next_step} as it is; it used to carry a parenthesised explanation or
 * alternatives ("tenantctl orgs adopt k6 --pool pool-1   (or: tenantctl orgs forget k6)", "tenantctl pools add … / pools
 * enable …, then: …"), which no shell runs. {@code next_step} is one command that runs as it is, or null when the way on
 * needs a choice first (a value to pick, a pool to add); the explanation is {@code next_note} beside it. The text
 * output's {@code next:} line keeps both.
 */
class NextStepInJsonIsOneCommandTest {

    /** One command, pasteable as it is: no explanation, no alternatives, no placeholder to fill in. */
    private static final String ONE_COMMAND = "^tenantctl [^()…]*$";

    @Test
    void everyNextStepInJsonIsOneCommandAndItsExplanationIsTheNote(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2); MongoClient pool1 = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 1, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 1, 2);
            String schema = CliFixture.smallSchema(dir).toString();
            pool1.getDatabase("org_k6").getCollection("notes").insertOne(new Document("_id", 1));

            // provision refuses a database that holds data: adopt it (or forget the row)
            Cli.Result refused = cli.run("provision", "k6", "--pool", "pool-1", "--schema", schema, "-o", "json");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            JsonNode k6 = strictJson(refused).get("failed").get(0);
            assertOneCommand(k6, "tenantctl orgs adopt k6 --pool pool-1");
            assertThat(k6.get("next_note").asText()).contains("tenantctl orgs forget k6");
            Cli.Result text = cli.run("provision", "k6", "--pool", "pool-1", "--schema", schema);
            assertThat(text.err()).as("the text line keeps the command and its note")
                    .contains("next: tenantctl orgs adopt k6 --pool pool-1   (or: tenantctl orgs forget k6)");

            // a rollout that includes it fails it the same way
            Cli.Result rollout = cli.run("migrate-all", "--schema", schema, "--include-failed", "-o", "json");
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            JsonNode rolled = strictJson(rollout).get("failed").get(0);
            assertOneCommand(rolled, "tenantctl orgs adopt k6 --pool pool-1");
            assertThat(rolled.get("next_note").asText()).isNotBlank();

            // adopt on the wrong pool: the failed row's own next step (OrgNext), its reason in the note
            Cli.Result wrong = cli.run("orgs", "adopt", "k6", "--pool", "pool-2", "--schema", schema, "-o", "json");
            assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(1);
            JsonNode adopt = strictJson(wrong).get("orgs").get(0);
            assertOneCommand(adopt, "tenantctl orgs adopt k6 --pool pool-1 --schema " + io.tenantctl.NextStep.shellWord(schema)); // as adopt was given it
            assertThat(adopt.get("next_note").asText()).contains("holds data").contains("tenantctl orgs forget k6");

            // runs list of an abandoned run: go on with it; cancelling it is the alternative, in the note
            String runId = strictJson(ok(cli, "provision", "n-1", "--schema", schema, "--detach", "-o", "json")).get("run_id").asText();
            sql(url, "update runs set heartbeat_at = now() - interval '5 minutes' where run_id = '" + runId + "'");
            JsonNode listed = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(listed.get("status").asText()).as("%s", listed).isEqualTo("abandoned");
            assertOneCommand(listed, "tenantctl provision --resume " + runId);
            assertThat(listed.get("next_note").asText()).contains("tenantctl runs cancel " + runId);
            ok(cli, "runs", "cancel", runId);

            // a full fleet: the way on is a pool to add or a capacity to raise — a choice, so no command, all in the note
            ok(cli, "provision", "acme", "--schema", schema);
            Cli.Result full = cli.run("provision", "globex", "--schema", schema, "-o", "json");
            assertThat(full.exitCode()).as(full.toString()).isEqualTo(1);
            JsonNode globex = strictJson(full).get("failed").get(0);
            assertThat(globex.get("next_step").isNull()).as("%s", globex).isTrue();
            assertThat(globex.get("next_note").asText()).contains("pools add").contains("then: tenantctl provision globex");
            Cli.Result pinned = cli.run("provision", "globex", "--schema", schema, "--pool", "pool-2", "-o", "json");
            JsonNode pinnedGlobex = strictJson(pinned).get("failed").get(0);
            assertThat(pinnedGlobex.get("next_step").isNull()).as("%s", pinnedGlobex).isTrue();
            assertThat(pinnedGlobex.get("next_note").asText()).contains("tenantctl pools set-capacity pool-2 --capacity N");

            // and the command runs as it is
            ok(cli, adopt.get("next_step").asText().substring("tenantctl ".length()).split(" "));
            assertThat(strictJson(ok(cli, "orgs", "show", "k6", "-o", "json")).get("status").asText()).isEqualTo("active");
        }
    }

    private static void assertOneCommand(JsonNode holder, String expected) {
        assertThat(holder.has("next_note")).as("next_note beside next_step: %s", holder).isTrue();
        String step = holder.get("next_step").asText();
        assertThat(step).as("%s", holder).matches(ONE_COMMAND).doesNotContain(" or ").doesNotContain(" / ").isEqualTo(expected);
    }
}
