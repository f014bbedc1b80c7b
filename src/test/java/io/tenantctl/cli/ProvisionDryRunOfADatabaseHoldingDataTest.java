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
 * Found by red-teaming (pools and placement). The app (or an old script) already made org_globex on the pool and wrote to it.
 * {@code provision globex --dry-run} says "planned … dry run: nothing written; 1 orgs would be provisioned, 0 already active,
 * 0 cannot be" and exits 0. The real run then refuses the org — provision never takes a database over — exits 1, and
 * leaves a failed row that takes one of the pool's places. The dry run did not tell the truth: it must report the org as
 * one that cannot be provisioned (naming 'orgs adopt', as the real run does) and exit as the real run would.
 */
class ProvisionDryRunOfADatabaseHoldingDataTest {

    @Test
    void theDryRunSaysTheOrgCannotBeProvisionedAsTheRealRunDoes(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            try (MongoClient c = MongoClients.create(pools.uri(0))) {
                c.getDatabase("org_globex").getCollection("users").insertOne(new Document("email", "ceo@globex.example"));
            }
            String schema = CliFixture.smallSchema(dir).toString();

            Cli.Result dry = cli.run("provision", "globex", "--schema", schema, "--dry-run", "-o", "json");
            Cli.Result real = cli.run("provision", "globex", "--schema", schema, "-o", "json");

            // what the real run does (the behaviour README documents): refused, exit 1, pointing at orgs adopt
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            assertThat(strictJson(real).get("failed").get(0).get("error").asText()).contains("orgs adopt");

            // the dry run must have said so
            JsonNode plan = strictJson(dry);
            JsonNode org = plan.get("orgs").get(0);
            assertThat(org.get("outcome").asText()).as("dry run: %s", dry).isEqualTo("failed");
            assertThat(org.get("error").asText()).as("dry run: %s", dry).contains("holds data").contains("orgs adopt");
            assertThat(dry.exitCode()).as("the dry run exits as the real run does: %s", dry).isEqualTo(real.exitCode());
        }
    }

    /**
     * Counts of one were said as many: "1 orgs would be provisioned", "run R created with 1 orgs", "per org: … over 1 orgs".
     * A count of one is said in the singular; -o json keeps its numbers.
     */
    @Test
    void aCountOfOneOrgIsSaidInTheSingular(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();

            Cli.Result dry = CliFixture.ok(cli, "provision", "acme", "--schema", schema, "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("1 org would be provisioned, 0 already active").doesNotContain("1 orgs");

            Cli.Result detached = CliFixture.ok(cli, "provision", "acme", "--schema", schema, "--detach");
            assertThat(detached.out()).as(detached.toString()).contains("created with 1 org; start workers with").doesNotContain("1 orgs");
            String runId = detached.out().replaceAll("(?s).*run (\\S+) created with.*", "$1");

            Cli.Result joined = CliFixture.ok(cli, "provision", "--join", runId);
            assertThat(joined.out()).as(joined.toString()).containsPattern("per org: p50 \\d+ ms, p95 \\d+ ms, max \\d+ ms over 1 org(;|\\R)")
                    .contains("provisioned 1").doesNotContain("1 orgs");
            assertThat(strictJson(cli.run("provision", "acme", "--schema", schema, "--dry-run", "-o", "json")).get("unchanged").asInt()).isEqualTo(1);
        }
    }

    /**
     * A dry run's org on a pool that does not answer got the provision itself as its next step ('tenantctl provision gamma
     * --schema S --pool pool-1'): pasted, or run by a tool that follows next_step, it provisions what the dry run only
     * previewed. It is the dry run again, once the pool answers.
     */
    @Test
    void aDryRunsNextStepForAnOrgOfADeadPoolIsTheDryRunAgain(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            CliFixture.addPool(Cli.withCatalog(url), "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            pools.kill(0);
            Cli cli = Cli.withCatalog(url).quickToGiveUpOnDeadPools();

            Cli.Result dry = cli.run("provision", "gamma", "--schema", schema, "--pool", "pool-1", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            JsonNode failed = strictJson(dry).get("failed");
            assertThat(failed).as(dry.toString()).hasSize(1);
            assertThat(failed.get(0).get("next_step").asText()).as(dry.toString())
                    .isEqualTo("tenantctl provision gamma --schema " + schema + " --pool pool-1 --dry-run");
            assertThat(failed.get(0).get("next_note").asText()).as(dry.toString()).isEqualTo("once pool-1 answers");
            Cli.Result text = cli.run("provision", "gamma", "--schema", schema, "--pool", "pool-1", "--dry-run");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
            assertThat(text.out() + text.err()).as("its table names the pool; no line offers the provision itself: %s", text)
                    .contains("pool-1").doesNotContainPattern("tenantctl provision gamma(?!.*--dry-run)");
            assertThat(strictJson(ok(cli, "orgs", "list", "-o", "json")).toString()).as("a dry run records nothing").doesNotContain("gamma");
        }
    }
}
