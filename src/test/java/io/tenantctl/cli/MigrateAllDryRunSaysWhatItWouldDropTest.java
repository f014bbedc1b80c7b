package io.tenantctl.cli;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * v2 supersedes users.user_1 with users.user_1_tenant_1 (README's own example of "drop"). The dry run's table and summary
 * speak only of what is created, of conflicts and of extras: "would create 0 collections and 1 indexes; 0 conflicts, 0
 * extra indexes" — not a word that user_1 goes (nor, for a same-key rename, that an index is dropped and rebuilt) — and
 * then the real run drops it. The one destructive step of the rollout is the one the operator's dry run hides.
 */
@Timeout(60)
class MigrateAllDryRunSaysWhatItWouldDropTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void aSupersededIndexTheRunDropsIsInTheDryRunsOutput(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", """
                {"collections": [{"name": "messages", "indexes": [
                  {"name": "conv_1", "key": {"conversationId": 1}},
                  {"name": "user_1", "key": {"user": 1}}]}]}
                """), "acme");
        MongoDatabase db = fleet.db("acme");
        db.getCollection("messages").insertOne(new Document("conversationId", "c1").append("user", "u1").append("tenantId", "t1"));
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "messages", "indexes": [
                  {"name": "conv_1", "key": {"conversationId": 1}},
                  {"name": "user_1_tenant_1", "key": {"user": 1, "tenantId": 1}}], "drop": ["user_1"]}]}
                """);

        Cli.Result dry = ok(cli, "migrate-all", "--schema", v2.toString(), "--dry-run");

        ok(cli, "migrate-all", "--schema", v2.toString());
        assertThat(fleet.indexes("acme").get("messages")).as("the real run dropped it").doesNotContainKey("user_1");
        assertThat(dry.out()).as("the dry run must say that messages.user_1 would be dropped: %s", dry)
                .containsPattern("(?i)\\bdrop|\\buser_1\\b");
        // counts of one said as one (it said "1 orgs selected", "1 indexes", "drop 1 indexes")
        assertThat(dry.out()).as(dry.toString()).contains("dry run, nothing written: 1 org selected (0 already up to date, 0 skipped); "
                + "would create 0 collections and 1 index; would replace 0 and drop 1 index (messages.user_1); 0 conflicts, 0 extra indexes");
    }
}
