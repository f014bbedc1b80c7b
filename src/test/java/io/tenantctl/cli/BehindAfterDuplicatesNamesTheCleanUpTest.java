package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found verify's {@code schema_behind} fix, and {@code orgs show}'s next, for an org the rollout failed
 * on duplicate keys (its unique pre-flight found them) to be the bare {@code migrate-all --org b2 --schema-hash …}: pasted,
 * it fails again the same way, exit 1. migrate-all itself says "remove the duplicate documents named above, then: …"
 * with no next_step. README: a fix is null "when the way on needs a hand … documents … to change".
 */
class BehindAfterDuplicatesNamesTheCleanUpTest {

    private static final String V2 = CliFixture.smallSchemaWithUniqueUsername(true);

    @TempDir
    Path dir;

    @Test
    void anOrgARolloutFailedOnDuplicatesIsNotToldToRunItAgainAsItIs() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            f.provision("b1", "b2");
            f.db("b2").getCollection("users").insertMany(List.of(new Document("email", "x@b2").append("username", "dup"),
                    new Document("email", "y@b2").append("username", "dup")));
            Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            JsonNode failed = strictJson(rollout).get("failed").get(0);
            assertThat(failed.get("next_step").isNull()).as(rollout.toString()).isTrue();

            Cli.Result verify = f.cli.run("verify", "--org", "b2", "-o", "json");
            List<JsonNode> behind = findings(strictJson(verify), "schema_behind");
            assertThat(behind).as(verify.toString()).hasSize(1);
            assertThat(behind.get(0).get("fix").isNull()).as("pasted, the bare migrate-all fails again: %s", behind.get(0)).isTrue();
            assertThat(behind.get(0).get("fix_note").asText()).as(behind.get(0).toString())
                    .contains("duplicate").contains("tenantctl migrate-all --org b2 --schema-hash");

            JsonNode shown = strictJson(CliFixture.ok(f.cli, "orgs", "show", "b2", "-o", "json"));
            assertThat(shown.get("next").asText()).as(shown.toString()).startsWith("remove the duplicate documents")
                    .contains("tenantctl migrate-all --org b2 --schema-hash");
        }
    }
}
