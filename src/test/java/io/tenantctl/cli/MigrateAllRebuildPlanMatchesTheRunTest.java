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
 * migrate-all --replace-conflicting rebuilds a same-name conflict without looking at the other indexes of the
 * collection: the dry run plans it ("planned", exit 0) and the real run then fails on the server. Both cases are
 * manifests an operator writes when a custom-named index changes its key.
 */
@Timeout(60)
class MigrateAllRebuildPlanMatchesTheRunTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    private Cli acme(Path dir, String v1) {
        Cli cli = fleet.provision(write(dir, "v1.json", v1), "acme");
        MongoDatabase db = fleet.db("acme");
        for (int i = 0; i < 10; i++) {
            db.getCollection("users").insertOne(new Document("email", "u" + i + "@acme.test").append("tenant", "t" + (i % 3))
                    .append("a", i).append("b", i));
        }
        return cli;
    }

    /**
     * v2 points the custom-named index "lookup" at {tenant: 1} and supersedes tenant_1, which has that key. The dry run
     * plans "replaced users.lookup, dropped users.tenant_1"; the real run drops lookup, creates it on {tenant: 1}, which
     * the server refuses (85: tenant_1 still has the key, superseded indexes are dropped only afterwards), puts the old
     * lookup back and fails the org, with a next_step that is the same command: every re-run fails the same way, and the
     * org can never reach v2 although its manifest says exactly what to do.
     */
    @Test
    void aRebuildOntoTheKeyOfASupersededIndexSucceedsAsTheDryRunSaid(@TempDir Path dir) {
        Cli cli = acme(dir, """
                {"collections": [{"name": "users", "indexes": [
                  {"name": "lookup", "key": {"email": 1}},
                  {"name": "tenant_1", "key": {"tenant": 1}}]}]}
                """);
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "users", "indexes": [
                  {"name": "lookup", "key": {"tenant": 1}}], "drop": ["tenant_1"]}]}
                """);

        Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(strictJson(dry).get("orgs").get(0).get("outcome").asText()).isEqualTo("planned");

        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(run.exitCode()).as("the dry run planned it; the run must do it: %s", run).isZero();
        SchemaCheck.assertExactly(fleet.url, List.of("acme"), SchemaManifest.load(v2));
        assertThat(fleet.db("acme").getCollection("users").countDocuments()).isEqualTo(10);
    }

    /**
     * v2 moves the name a_idx to {a: 1, b: 1} and keeps {a: 1} as a_only. The plan replaces a_idx twice ("a_only (was
     * a_idx)" for the same key, and a_idx for the conflict); the run drops a_idx, creates a_only, then drops a_idx again:
     * 27 IndexNotFound, exit 1 after the dry run said "planned", the org left without the new a_idx until a re-run.
     */
    @Test
    void aNameMovedToAnotherKeyWhileItsOldKeyGetsANewNameIsDoneInOneRun(@TempDir Path dir) {
        Cli cli = acme(dir, """
                {"collections": [{"name": "users", "indexes": [
                  {"name": "a_idx", "key": {"a": 1}}]}]}
                """);
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "users", "indexes": [
                  {"name": "a_idx", "key": {"a": 1, "b": 1}},
                  {"name": "a_only", "key": {"a": 1}}]}]}
                """);

        Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        JsonNode plan = strictJson(dry).get("orgs").get(0).get("plan");
        assertThat(plan.get("replaced").toString()).contains("a_only");

        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(run.exitCode()).as("the dry run planned it; the run must do it: %s", run).isZero();
        SchemaCheck.assertExactly(fleet.url, List.of("acme"), SchemaManifest.load(v2));
        assertThat(fleet.db("acme").getCollection("users").countDocuments()).isEqualTo(10);
    }
}
