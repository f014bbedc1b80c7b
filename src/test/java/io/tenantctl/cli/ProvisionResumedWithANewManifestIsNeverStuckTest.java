package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provision fails half-way (users and its email_1 built, messages' createIndexes refused). Meanwhile the release moves
 * on: email_1 becomes unique. The operator provisions the org with the new manifest; provision resumes the half-made
 * database by sending every index in one createIndexes, which the server refuses (86, same name, other options). The
 * next step it prints is "re-run provision (resumes it)" — the same command, failing the same way forever. "Failed orgs
 * are never stuck": following the printed next step must move the org on (migrate-all's path, which sees the conflict
 * and can rebuild it, would).
 */
@Timeout(120)
class ProvisionResumedWithANewManifestIsNeverStuckTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void theNextStepAfterAResumeThatMeetsAnOldIndexFinishesTheOrg(@TempDir Path dir) throws Exception {
        AtomicBoolean failMessages = new AtomicBoolean(true);
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog()).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (failMessages.get() && HookedPools.is(cmd, "createIndexes") && "messages".equals(cmd.getString("createIndexes"))) {
                throw new IllegalStateException("injected: createIndexes refused");
            }
        }));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path v1 = Files.writeString(dir.resolve("v1.json"), """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}}]},
                  {"name": "messages", "indexes": [{"name": "conv_1", "key": {"conversationId": 1}}]}]}
                """);
        Path v2 = Files.writeString(dir.resolve("v2.json"), """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}, "unique": true}]},
                  {"name": "messages", "indexes": [{"name": "conv_1", "key": {"conversationId": 1}}]}]}
                """);
        assertThat(cli.run("provision", "acme", "--schema", v1.toString()).exitCode()).isEqualTo(1);
        failMessages.set(false);

        Cli.Result resumed = cli.run("provision", "acme", "--schema", v2.toString(), "-o", "json");
        if (resumed.exitCode() != 0) {
            // follow the printed next step, as the operator would, twice at most
            for (int i = 0; i < 2 && resumed.exitCode() != 0; i++) {
                JsonNode failed = strictJson(resumed).get("failed");
                assertThat(failed).as(resumed.toString()).hasSize(1);
                String next = failed.get(0).get("next_step").asText().split(" {3}\\(")[0].trim();
                List<String> command = new ArrayList<>(List.of(next.split(" ")));
                assertThat(command.remove(0)).isEqualTo("tenantctl");
                command.addAll(List.of("-o", "json"));
                Cli.Result followed = cli.run(command.toArray(String[]::new));
                assertThat(followed.toString()).as("the printed next step must not be the same failing command again: " + next)
                        .doesNotContain("IndexKeySpecsConflict");
                resumed = followed;
            }
        }
        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", v2.toString());
        assertThat(diff.exitCode()).as(diff.toString()).isZero();
    }
}
