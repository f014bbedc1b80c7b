package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left by an earlier session: a collection a newer manifest no longer lists (v2 had sessions, with a TTL index on
 * expiresAt; v3 dropped it from the manifest, tenantctl never drops a collection) keeps its TTL index, which goes on
 * deleting its documents. schema diff called it only "extra collection … harmless" and verify's schema_extra "harmless;
 * the application may make its own", while a TTL index on a listed collection is said not harmless
 * (ExtraIndexesThatConstrainWritesAreNotHarmlessTest). Both now name it and what it does, and how to drop it by hand
 * (no rollout touches a collection its manifest does not list).
 */
class ATtlIndexOnACollectionTheManifestDroppedIsNotHarmlessTest {

    @TempDir
    Path dir;

    @Test
    void schemaDiffAndVerifySayTheTtlIndexDeletesDocuments() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v3 = Files.writeString(dir.resolve("v3.json"), CliFixture.SMALL_SCHEMA);
            ok(f.cli, "provision", "--schema", v3.toString(), "a1");
            // what v2 built and v3 no longer lists
            f.db("a1").getCollection("sessions").createIndex(new Document("expiresAt", 1),
                    new IndexOptions().name("expiresAt_1").expireAfter(600L, TimeUnit.SECONDS));
            f.db("a1").getCollection("sessions").createIndex(new Document("user", 1), new IndexOptions().name("user_1"));
            String byHand = "db.getSiblingDB('org_a1').sessions.dropIndex('expiresAt_1')";

            Cli.Result diff = ok(f.cli, "schema", "diff", "a1", "--schema", v3.toString());
            assertThat(diff.out()).as(diff.toString())
                    .containsPattern("sessions\\.expiresAt_1 .*deletes documents 600 s after their expiresAt")
                    .contains(byHand).doesNotContain("user_1");
            JsonNode json = strictJson(ok(f.cli, "schema", "diff", "a1", "--schema", v3.toString(), "-o", "json"));
            assertThat(json.get("differences").findValues("index").stream().map(JsonNode::asText).toList()).as(json.toString())
                    .contains("expiresAt_1").doesNotContain("user_1");
            json.get("differences").forEach(d -> {
                if (d.get("index").asText().equals("expiresAt_1")) {
                    assertThat(d.get("kind").asText()).isEqualTo("extra");
                    assertThat(d.get("effect").asText()).contains("deletes documents 600 s");
                }
            });

            Cli.Result verify = f.cli.run("verify", "--org", "a1", "-o", "json");
            List<JsonNode> extra = findings(strictJson(verify), "schema_extra");
            assertThat(extra).as(verify.toString()).hasSize(1);
            assertThat(extra.get(0).get("detail").asText()).as(extra.get(0).toString()).doesNotContain("harmless;")
                    .contains("sessions.expiresAt_1 (TTL: deletes documents 600 s after their expiresAt)");
            assertThat(extra.get(0).toString()).contains(byHand);
        }
    }
}
