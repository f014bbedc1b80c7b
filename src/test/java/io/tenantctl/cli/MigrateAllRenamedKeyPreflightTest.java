package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming today's {@code migrate-all --replace-conflicting} fix (commit e2a96e3): "a name moved to another
 * key while its old key got a new name is renamed, then created anew". The index created anew goes into a new list
 * ({@code createAfter}) that neither pre-flight looks at: the TTL pre-flight ("would delete at once every document whose
 * date is older than that … before anything changes, unless --allow-expiry") and the unique pre-flight ("every new
 * unique index on an existing collection is checked for duplicate keys (also in a dry run)") only see the plain creates
 * and the replacements.
 * <ul>
 *   <li>TTL: the index is built without --allow-expiry, and the server's TTL monitor deletes every expired session —
 *       documents deleted by a rollout the operator never allowed to delete anything; the dry run's {@code expiring} is
 *       empty.</li>
 *   <li>unique: the dry run says "planned", exit 0; the run renames the old index, then fails on the duplicates (exit 1)
 *       with the org half-changed, where the README promises "nothing was changed — remove or fix the duplicates".</li>
 * </ul>
 */
@Timeout(90)
class MigrateAllRenamedKeyPreflightTest {

    @Test
    void aTtlIndexCreatedUnderAMovedNameIsCheckedForWhatItExpires(@TempDir Path dir) {
        try (MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet()) {
            Cli cli = fleet.provision(MigrateAllFixture.write(dir, "v1.json", """
                    {"collections": [{"name": "sessions", "indexes": [{"name": "session_idx", "key": {"user": 1}}]}]}
                    """), "acme");
            // the name session_idx moves to a TTL on expiresAt; its old key {user: 1} is kept as user_1
            Path v2 = MigrateAllFixture.write(dir, "v2.json", """
                    {"collections": [{"name": "sessions", "indexes": [
                      {"name": "session_idx", "key": {"expiresAt": 1}, "expireAfterSeconds": 0},
                      {"name": "user_1", "key": {"user": 1}}]}]}
                    """);
            MongoCollection<Document> sessions = fleet.db("acme").getCollection("sessions");
            MigrateAllExpiryTest.fiveSessionsThreeExpired(sessions);

            Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
            Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");

            assertThat(ttlIndexes(sessions)).as("no TTL index that deletes 3 existing sessions is built without --allow-expiry: %s", run)
                    .isEmpty();
            for (Cli.Result r : List.of(dry, run)) {
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                assertThat(strictJson(r).get("failed").get(0).get("error").asText()).as(r.toString())
                        .contains("3 documents").contains("--allow-expiry");
            }
            assertThat(sessions.countDocuments()).isEqualTo(5);
        }
    }

    @Test
    void aUniqueIndexCreatedUnderAMovedNameIsCheckedForDuplicatesBeforeAnythingChanges(@TempDir Path dir) {
        try (MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet()) {
            Cli cli = fleet.provision(MigrateAllFixture.write(dir, "v1.json", """
                    {"collections": [{"name": "users", "indexes": [{"name": "lookup", "key": {"a": 1}}]}]}
                    """), "acme");
            Path v2 = MigrateAllFixture.write(dir, "v2.json", """
                    {"collections": [{"name": "users", "indexes": [
                      {"name": "lookup", "key": {"b": 1}, "unique": true},
                      {"name": "a_1", "key": {"a": 1}}]}]}
                    """);
            MongoCollection<Document> users = fleet.db("acme").getCollection("users");
            for (int i = 0; i < 4; i++) {
                users.insertOne(new Document("_id", i).append("a", i).append("b", "same"));
            }
            List<String> before = names(users);

            Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
            Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");

            for (Cli.Result r : List.of(dry, run)) {
                assertThat(r.exitCode()).as("the dry run must find the duplicates the run fails on: %s", r).isEqualTo(1);
                assertThat(strictJson(r).get("failed").get(0).get("error").asText()).as(r.toString()).contains("duplicate");
            }
            assertThat(names(users)).as("the pre-flight refuses before anything changes: %s", run).isEqualTo(before);
        }
    }

    private static List<String> ttlIndexes(MongoCollection<Document> c) {
        List<String> out = new ArrayList<>();
        c.listIndexes().forEach((Document d) -> {
            if (d.containsKey("expireAfterSeconds")) {
                out.add(d.toJson());
            }
        });
        return out;
    }

    private static List<String> names(MongoCollection<Document> c) {
        List<String> out = new ArrayList<>();
        c.listIndexes().forEach((Document d) -> out.add(d.getString("name") + " " + d.get("key", Document.class).toJson()));
        out.sort(String::compareTo);
        return out;
    }
}
