package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: when the fleet is full, provision fails each org with "no capacity: no active pool has room
 * (pool-0 full 1/1) — add a pool ('tenantctl pools add'), enable one or raise a capacity" (orgs adopt says "raise its
 * capacity", rebalance plan "add a pool or raise a capacity"). There is no command that raises an existing pool's
 * capacity: {@code pools} has add/list/show/drain/enable/set-uri/stats/set-admin-url, and {@code pools add} of the same name
 * is refused ("already exists"). The on-call at 3 a.m. is told to do something tenantctl cannot do (short of editing the
 * catalog by hand). Either the hint names a command that does it — and following it, the org provisions — or it does not
 * offer that remedy.
 */
class NoCapacityHintTest {

    @Test
    void theNoCapacityHintOnlyOffersRemediesTenantctlHasACommandFor(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 1, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "--schema", schema);

            Cli.Result full = cli.run("provision", "globex", "--schema", schema, "-o", "json");
            assertThat(full.exitCode()).as(full.toString()).isEqualTo(1);
            JsonNode failed = strictJson(full).get("failed").get(0);
            String error = failed.get("error").asText();
            assertThat(error).contains("no capacity");

            if (error.matches("(?s).*raise (a|its) capacity.*")) {
                Matcher m = Pattern.compile("'(tenantctl pools [^']*capacity[^']*)'").matcher(error);
                assertThat(m.find()).as("the hint says to raise a capacity; it must name the command that does: %s", error).isTrue();
                List<String> command = new ArrayList<>(Arrays.asList(m.group(1).split("\\s+")));
                command.remove(0); // "tenantctl"
                command.replaceAll(w -> w.equals("POOL") ? "pool-0" : w.equals("N") ? "2" : w);
                ok(cli, command.toArray(String[]::new));
                Cli.Result again = cli.run("provision", "globex", "--schema", schema);
                assertThat(again.exitCode()).as("provision once the capacity was raised as the hint said: %s", again).isZero();
            }
        }
    }

    /**
     * A dry run writes no row, so its orgs that would fail have nothing to forget: their next steps (text and -o json)
     * name only what makes sense for the real run, not 'or: tenantctl orgs forget ORG'.
     */
    @Test
    void aDryRunsNextStepsOfferNoForgetOfARowItNeverWrote(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 2, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "--schema", schema);
            try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(pools.uri(0))) {
                client.getDatabase("org_taken").getCollection("users").insertOne(new org.bson.Document("email", "a@b.example"));
            }

            Cli.Result json = cli.run("provision", "taken", "globex", "--schema", schema, "--dry-run", "-o", "json");
            Cli.Result text = cli.run("provision", "taken", "globex", "--schema", schema, "--dry-run");

            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
            JsonNode failed = strictJson(json).get("failed");
            assertThat(failed.findValuesAsText("org_id")).containsExactly("taken", "globex");
            assertThat(failed.get(0).get("next_step").asText()).as(json.toString()).isEqualTo("tenantctl orgs adopt taken --pool pool-0");
            assertThat(failed.get(1).get("error").asText()).startsWith("no capacity");
            for (JsonNode f : failed) {
                assertThat(f.get("next_step").asText("") + " " + f.get("next_note").asText("")).as(json.toString()).doesNotContain("orgs forget");
            }
            assertThat(text.err()).as(text.toString()).doesNotContain("orgs forget");
            assertThat(ok(cli, "orgs", "list", "-o", "json").out()).as("a dry run writes nothing").doesNotContain("taken", "globex");
        }
    }

    @Test
    void setCapacityNeverGoesBelowTheOrgsAPoolHoldsAndItsDryRunWritesNothing(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 3, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "globex", "--schema", schema);

            Cli.Result below = cli.run("pools", "set-capacity", "pool-0", "--capacity", "1", "-o", "json");
            assertThat(below.exitCode()).as(below.toString()).isEqualTo(2);
            assertThat(strictJson(below).get("error").get("message").asText()).contains("holds 2 orgs");
            JsonNode dry = strictJson(ok(cli, "pools", "set-capacity", "pool-0", "--capacity", "2", "--dry-run", "-o", "json"));
            assertThat(dry.get("capacity").asInt()).isEqualTo(2);
            assertThat(strictJson(ok(cli, "pools", "show", "pool-0", "-o", "json")).get("capacity").asInt()).as("dry run").isEqualTo(3);
            ok(cli, "pools", "set-capacity", "pool-0", "--capacity", "2");
            Cli.Result full = cli.run("provision", "initech", "--schema", schema);
            assertThat(full.exitCode()).as("pool-0 is full at its new capacity: %s", full).isEqualTo(1);
        }
    }
}
