package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A schema finding's subject is "the exact set of what is missing" (README, verify), written as collection + "." +
 * index. Index {@code profile.email} of {@code users} and index {@code email} of {@code users.profile} are both
 * "users.profile.email": one finding id. An ack given for the first (a person rebuilding it by hand) silences the
 * second, a different index missing from a different collection: verify exits 0 and calls it acked, although the README
 * promises that a different missing index is another finding.
 */
@Timeout(90)
class VerifyAckOfALookAlikeMissingIndexTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    private static List<JsonNode> schemaMissing(JsonNode verify) {
        List<JsonNode> out = new ArrayList<>();
        verify.get("findings").forEach(f -> {
            if (f.get("kind").asText().equals("schema_missing")) {
                out.add(f);
            }
        });
        return out;
    }

    @Test
    void anAckForOneMissingIndexDoesNotSilenceAnotherThatIsSpelledAlike(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "profile.email", "key": {"email": 1}}]},
                  {"name": "users.profile", "indexes": [{"name": "email", "key": {"address": 1}}]}]}
                """), "acme");

        fleet.db("acme").getCollection("users").dropIndex("profile.email");
        Cli.Result first = cli.run("verify", "-o", "json");
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(4);
        JsonNode missingUsersIndex = schemaMissing(strictJson(first)).get(0);
        ok(cli, "verify", "ack", missingUsersIndex.get("finding_id").asText(), "--until", "7d", "--reason", "users.profile.email rebuilt by hand");

        // the index is back; now another collection's index is missing
        fleet.db("acme").getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("profile.email"));
        fleet.db("acme").getCollection("users.profile").dropIndex("email");

        Cli.Result second = cli.run("verify", "-o", "json");
        List<JsonNode> now = schemaMissing(strictJson(second));
        assertThat(now).as(second.toString()).singleElement().satisfies(f -> {
            assertThat(f.get("detail").asText()).contains("users.profile");
            assertThat(f.get("state").asText()).as("a different index missing is a new finding, not the acked one: %s", f)
                    .isNotEqualTo("acked");
        });
        assertThat(second.exitCode()).as("users.profile lacks its index 'email': %s", second).isEqualTo(4);
    }
}
