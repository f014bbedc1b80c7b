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

    private static void assertSameWord(BackupFixture f, JsonNode live, String word) {
        JsonNode shown = strictJson(ok(f.cli, "runs", "show", live.get("run_id").asText(), "-o", "json"));
        assertThat(runItem(shown, "acme").path("outcome").asText()).as(shown.toPrettyString()).isEqualTo(word);
        assertThat(shown.get("counts")).as("%s%n%s", live.toPrettyString(), shown.toPrettyString()).isEqualTo(live.get("counts"));
    }
}
