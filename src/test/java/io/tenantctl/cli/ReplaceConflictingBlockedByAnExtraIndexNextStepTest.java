package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * v2 points the index "lookup" at {tenant: 1} and no longer lists "legacy", which has that key (an extra now, not under
 * "drop"). migrate-all --replace-conflicting refuses the org, rightly ("list legacy under "drop" to supersede it";
 * --prune would also let legacy go first) — but the next step it prints is the very command that just failed, so an
 * operator who follows it gets the same refusal for ever.
 */
@Timeout(60)
class ReplaceConflictingBlockedByAnExtraIndexNextStepTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void theNextStepIsNotTheCommandThatJustFailed(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", """
                {"collections": [{"name": "users", "indexes": [
                  {"name": "lookup", "key": {"email": 1}},
                  {"name": "legacy", "key": {"tenant": 1}}]}]}
                """), "acme");
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "users", "indexes": [
                  {"name": "lookup", "key": {"tenant": 1}}]}]}
                """);
        String command = "tenantctl migrate-all --org acme --schema " + v2 + " --replace-conflicting";

        Cli.Result run = cli.run("migrate-all", "--org", "acme", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode failed = strictJson(run).get("failed").get(0);
        assertThat(failed.get("error").asText()).contains("legacy");
        String next = failed.get("next_step").asText();

        // following the hint literally: the same refusal again
        Cli.Result again = cli.run("migrate-all", "--org", "acme", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(strictJson(again).get("failed").get(0).get("error").asText()).isEqualTo(failed.get("error").asText());

        assertThat(next).as("next_step after: %s", failed.get("error").asText()).isNotEqualTo(command);
        assertThat(next).as("a way on: supersede legacy (\"drop\") or let --prune drop it").containsAnyOf("--prune", "drop");
    }
}
