package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two custom-named indexes both move: "lookup" goes from {email: 1} onto {tenant: 1}, the key "by_tenant" had, and
 * "by_tenant" goes on to {tenant: 1, createdAt: -1}. With --replace-conflicting the rollout is possible (rebuild by_tenant
 * first, which frees {tenant: 1}, then lookup) and migrate-all does it — but only when the manifest happens to list
 * by_tenant before lookup. Listed the other way round (the very same manifest: same hash, since indexes are hashed
 * sorted by name) every org fails, dry run and real run alike, with "list by_tenant under "drop" to supersede it": advice
 * the manifest parser refuses (by_tenant is wanted, and an index cannot be both wanted and dropped), and a next step
 * that is the same failing command.
 */
@Timeout(60)
class ReplaceConflictingOntoAKeyAnotherRebuildVacatesTest {

    private static final String V1 = """
            {"collections": [{"name": "users", "indexes": [
              {"name": "lookup", "key": {"email": 1}},
              {"name": "by_tenant", "key": {"tenant": 1}}]}]}
            """;

    /** lookup listed first. */
    private static final String V2 = """
            {"collections": [{"name": "users", "indexes": [
              {"name": "lookup", "key": {"tenant": 1}},
              {"name": "by_tenant", "key": {"tenant": 1, "createdAt": -1}}]}]}
            """;

    /** The same manifest with its two indexes in the other order (migrate-all handles this one). */
    private static final String V2_REORDERED = """
            {"collections": [{"name": "users", "indexes": [
              {"name": "by_tenant", "key": {"tenant": 1, "createdAt": -1}},
              {"name": "lookup", "key": {"tenant": 1}}]}]}
            """;

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    /**
     * Found by probing: an index name moved to another key while its old key got a new name ("user_1" {user: 1} becomes
     * {conv: 1}, "user_new" takes {user: 1}). Without --replace-conflicting the refusal said "list user_1 under "drop" to
     * supersede it", which the manifest parser then refuses (user_1 is still wanted). It names --replace-conflicting.
     */
    @Test
    void aKeyHeldByAnIndexTheManifestStillListsIsFreedByItsRebuildNotByDrop(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", """
                {"collections": [{"name": "messages", "indexes": [{"name": "user_1", "key": {"user": 1}}]}]}
                """), "acme");
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "messages", "indexes": [
                  {"name": "user_1", "key": {"conv": 1}}, {"name": "user_new", "key": {"user": 1}}]}]}
                """);
        for (String[] args : new String[][] {{"--dry-run"}, {}}) {
            List<String> cmd = new java.util.ArrayList<>(List.of("migrate-all", "--schema", v2.toString(), "-o", "json"));
            cmd.addAll(List.of(args));
            Cli.Result r = cli.run(cmd.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            String error = strictJson(r).get("failed").get(0).get("error").asText();
            assertThat(error).as(error).contains("messages.user_new").doesNotContain("under \"drop\"")
                    .contains("the manifest gives user_1 another key").contains("--replace-conflicting");
        }
        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        SchemaCheck.assertExactly(fleet.url, List.of("acme"), SchemaManifest.load(v2));
    }

    @Test
    void theRolloutSucceedsWhateverOrderTheManifestListsTheIndexesIn(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", V1), "acme");
        MongoDatabase db = fleet.db("acme");
        for (int i = 0; i < 5; i++) {
            db.getCollection("users").insertOne(new Document("email", "u" + i + "@acme.test").append("tenant", "t" + i));
        }
        Path v2 = write(dir, "v2.json", V2);
        assertThat(SchemaManifest.load(v2).hash()).as("the two spellings are one manifest")
                .isEqualTo(SchemaManifest.load(write(dir, "v2-reordered.json", V2_REORDERED)).hash());

        Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as("the dry run: %s", dry).isZero();

        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        JsonNode summary = strictJson(run);
        assertThat(run.exitCode()).as("the rollout: %s", run).isZero();
        assertThat(summary.get("failed")).isEmpty();
        SchemaCheck.assertExactly(fleet.url, List.of("acme"), SchemaManifest.load(v2));
        assertThat(MigrateAllFixture.hashes(cli)).containsEntry("acme", SchemaManifest.load(v2).hash());
        assertThat(db.getCollection("users").countDocuments()).isEqualTo(5);
    }
}
