package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: a {@code migrate-all --dry-run} that finds an org its expiry pre-flight refuses
 * (a TTL index that would delete documents) gave as that org's next step the same dry run again — pasted, the same
 * refusal. Its step is the real command with {@code --allow-expiry} (the dry run has just counted what it deletes).
 */
class MigrateAllDryRunOfAnExpiryRefusalNamesTheAllowingStepTest {

    @Test
    void theDryRunsNextStepForAnExpiryRefusalIsTheRunWithAllowExpiry(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            Cli cli = MigrateAllAbortedByAnExpiryRefusalTest.fleet(pools, dir, "a-exp");
            MigrateAllExpiryTest.fiveSessionsThreeExpired(direct.getDatabase("org_a_exp").getCollection("sessions"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllExpiryTest.V2_TTL);

            Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            JsonNode failed = strictJson(dry).get("failed").get(0);
            // the step a tool may run as it is deletes nothing: the backup; the run that lets the documents go comes after it
            assertThat(failed.get("next_step").asText()).as(dry.toString()).isEqualTo("tenantctl backup --org a-exp");
            String then = failed.get("next_note").asText();
            assertThat(then).as(dry.toString()).startsWith("then: tenantctl migrate-all ").contains("--allow-expiry").doesNotContain("--dry-run");
            String next = then.substring("then: ".length(), then.indexOf("   ("));
            Cli.Result table = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run");
            assertThat(table.err()).as(table.toString()).contains("next: tenantctl backup --org a-exp, then: " + next);

            // pasted, it does what the dry run's refusal asked for, not the same refusal
            List<String> command = new java.util.ArrayList<>(List.of(next.substring("tenantctl ".length()).trim().split("\\s+")));
            command.addAll(List.of("-o", "json"));
            JsonNode done = strictJson(ok(cli, command.toArray(String[]::new)));
            assertThat(done.get("migrated").asInt()).as(done.toString()).isEqualTo(1);
            assertThat(strictJson(ok(cli, "orgs", "show", "a-exp", "-o", "json")).get("schema_hash").asText())
                    .as("migrated with the manifest it was dry-run with").startsWith(strictJson(dry).get("schema_hash").asText().substring(0, 12));
        }
    }
}
