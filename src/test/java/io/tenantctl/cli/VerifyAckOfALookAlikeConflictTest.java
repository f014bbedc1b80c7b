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
 * 985cc4f made schema_missing and schema_superseded subjects unambiguous for dotted names, but schema_conflict still
 * builds its subject from SchemaDiff.Conflict.describe(), i.e. collection + "." + index + specs. A unique index
 * {@code profile.email} of {@code users} rebuilt without unique, and the unique index {@code email} of
 * {@code users.profile} rebuilt without unique, are both "users.profile.email: manifest wants {email:1} unique,
 * database has {email:1}": one finding id. An ack of the first silences the second (verify exit 0, "acked"), although
 * it is another collection losing its uniqueness.
 */
@Timeout(90)
class VerifyAckOfALookAlikeConflictTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    private static List<JsonNode> conflicts(JsonNode verify) {
        List<JsonNode> out = new ArrayList<>();
        verify.get("findings").forEach(f -> {
            if (f.get("kind").asText().equals("schema_conflict")) {
                out.add(f);
            }
        });
        return out;
    }

    @Test
    void anAckForOneConflictDoesNotSilenceAnotherCollectionsConflictSpelledAlike(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "profile.email", "key": {"email": 1}, "unique": true}]},
                  {"name": "users.profile", "indexes": [{"name": "email", "key": {"email": 1}, "unique": true}]}]}
                """), "acme");

        // users' unique index rebuilt by hand without unique
        fleet.db("acme").getCollection("users").dropIndex("profile.email");
        fleet.db("acme").getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("profile.email"));
        Cli.Result first = cli.run("verify", "-o", "json");
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(4);
        JsonNode usersConflict = conflicts(strictJson(first)).get(0);
        ok(cli, "verify", "ack", usersConflict.get("finding_id").asText(), "--until", "7d", "--reason", "users rebuilt by hand, known");

        // users is put right; now users.profile loses its uniqueness the same way
        fleet.db("acme").getCollection("users").dropIndex("profile.email");
        fleet.db("acme").getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("profile.email").unique(true));
        fleet.db("acme").getCollection("users.profile").dropIndex("email");
        fleet.db("acme").getCollection("users.profile").createIndex(new Document("email", 1), new IndexOptions().name("email"));

        Cli.Result second = cli.run("verify", "-o", "json");
        List<JsonNode> now = conflicts(strictJson(second));
        assertThat(now).as(second.toString()).singleElement().satisfies(f ->
                assertThat(f.get("state").asText()).as("another collection's unique index lost is a new finding, not the acked one: %s", f)
                        .isNotEqualTo("acked"));
        assertThat(second.exitCode()).as("users.profile's unique index 'email' is no longer unique: %s", second).isEqualTo(4);
    }
}
