package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.runItem;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code runs show} names each org's outcome in its verb's word, which each verb spells once where it runs its run:
 * the word in the verb's own -o json and the one {@code runs show} gives are one and the same, for every fan-out verb.
 */
class RunsShowOutcomeIsTheVerbsOwnWordTest {

    @TempDir
    Path dir;

    @Test
    void eachVerbsRunIsShownInTheWordsItsOwnJsonUsed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), CliFixture.smallSchemaWithUniqueUsername(true));
            JsonNode provisioned = strictJson(ok(f.cli, "provision", "acme", "--schema", f.schema.toString(), "-o", "json"));
            assertSameWord(f, provisioned, "provisioned");
            assertSameWord(f, strictJson(ok(f.cli, "migrate-all", "--schema", v2.toString(), "-o", "json")), "migrated");
            assertSameWord(f, strictJson(ok(f.cli, "backup", "--org", "acme", "-o", "json")), "backed_up");
        }
    }

    /**
     * Found by probing: a migrate-all whose canary failed on a dead pool told each org it held back "not started: run
     * aborted", but 'runs show' gave those orgs as "held", no error: at 3 a.m. that reads as orgs still waiting on
     * something. It says what the verb said: why they were not started.
     */
    @Test
    void theOrgsAnEndedRunDidNotStartSayWhyAsTheVerbSaid() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provisionTier("free", "pool-0", "a1", "a2");
            f.provisionTier("free", "pool-1", "b1", "b2");
            f.pools.kill(1);
            io.tenantctl.testing.Cli cli = f.cli.quickToGiveUpOnDeadPools();
            io.tenantctl.testing.Cli.Result aborted = cli.run("migrate-all", "--schema", f.schema.toString(), "--force", "--canary", "2",
                    "--per-pool", "1", "--no-progress", "-o", "json");
            assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
            JsonNode live = strictJson(aborted);
            assertThat(live.get("status").asText()).isEqualTo("aborted");
            JsonNode shown = strictJson(ok(cli, "runs", "show", live.get("run_id").asText(), "-o", "json"));
            int notStarted = 0;
            for (JsonNode org : live.get("orgs")) {
                if (org.get("outcome").asText().equals("not_started")) {
                    notStarted++;
                    assertThat(org.get("error").asText()).isEqualTo("not started: run aborted");
                    assertThat(runItem(shown, org.get("org_id").asText()).path("error").asText()).as(shown.toPrettyString())
                            .isEqualTo("not started: run aborted");
                }
            }
            assertThat(notStarted).as(live.toPrettyString()).isPositive();
            String table = ok(cli, "runs", "show", live.get("run_id").asText()).out();
            assertThat(table).as(table).contains("not started: run aborted");
        }
    }

    private static void assertSameWord(BackupFixture f, JsonNode live, String word) {
        JsonNode shown = strictJson(ok(f.cli, "runs", "show", live.get("run_id").asText(), "-o", "json"));
        assertThat(runItem(shown, "acme").path("outcome").asText()).as(shown.toPrettyString()).isEqualTo(word);
        assertThat(shown.get("counts")).as("%s%n%s", live.toPrettyString(), shown.toPrettyString()).isEqualTo(live.get("counts"));
    }
}
