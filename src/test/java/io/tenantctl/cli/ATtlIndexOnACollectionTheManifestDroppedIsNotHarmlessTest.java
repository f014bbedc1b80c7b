package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 *
 * <p>Found on call: that way was "drop it on the pool: db.getSiblingDB('org_a1').sessions.dropIndex('expiresAt_1')",
 * naming no server to connect to. It is now one line to paste, as verify's missing_database fix is: mongosh on the pool's
 * URI as shown (its ${VAR}s left to the shell) --quiet --eval '…'.
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
            Cli.Result diff = f.cli.run("schema", "diff", "a1", "--schema", v3.toString());
            assertThat(diff.exitCode()).as("it goes on deleting documents: a problem %s", diff).isEqualTo(4);
            assertThat(diff.out()).as(diff.toString())
                    .containsPattern("sessions\\.expiresAt_1 .*deletes documents 600 s after their expiresAt").doesNotContain("user_1");
            Matcher line = Pattern.compile("drop it on the pool: (mongosh \"([^\"]+)\" --quiet --eval "
                    + "'db\\.getSiblingDB\\(\"([^\"]+)\"\\)\\.(\\w+)\\.dropIndex\\(\"([^\"]+)\"\\)')$", Pattern.MULTILINE).matcher(diff.out());
            assertThat(line.find()).as("one line to paste: %s", diff.out()).isTrue();
            String byHand = line.group(1);
            assertThat(line.group(2)).as("the pool's URI as pools show shows it").isEqualTo(f.pools.uri(0));
            JsonNode json = strictJson(f.cli.run("schema", "diff", "a1", "--schema", v3.toString(), "-o", "json"));
            assertThat(json.get("differences").findValues("index").stream().map(JsonNode::asText).toList()).as(json.toString())
                    .contains("expiresAt_1").doesNotContain("user_1");
            json.get("differences").forEach(d -> {
                if (d.get("index").asText().equals("expiresAt_1")) {
                    assertThat(d.get("kind").asText()).isEqualTo("extra");
                    assertThat(d.get("effect").asText()).contains("deletes documents 600 s");
                }
            });

            Cli.Result verify = f.cli.run("verify", "--org", "a1", "-o", "json");
            assertThat(verify.exitCode()).as("a problem, as schema diff says: %s", verify).isEqualTo(4);
            List<JsonNode> extra = findings(strictJson(verify), "schema_extra_constraining");
            assertThat(extra).as(verify.toString()).hasSize(1);
            assertThat(extra.get(0).get("severity").asText()).isEqualTo("problem");
            assertThat(extra.get(0).get("detail").asText()).as(extra.get(0).toString())
                    .contains("sessions.expiresAt_1 (TTL: deletes documents 600 s after their expiresAt)");
            assertThat(findings(strictJson(verify), "schema_extra")).singleElement().satisfies(x -> assertThat(x.get("detail").asText())
                    .contains("harmless;", "sessions (collection)").doesNotContain("expiresAt_1"));
            assertThat(extra.get(0).get("fix_note").asText()).as(extra.get(0).toString()).contains(byHand);

            // followed as printed (mongosh's --eval sent through the driver: no mongosh here), the index is gone
            try (MongoClient client = MongoClients.create(line.group(2))) {
                client.getDatabase(line.group(3)).getCollection(line.group(4)).dropIndex(line.group(5));
            }
            Cli.Result after = ok(f.cli, "schema", "diff", "a1", "--schema", v3.toString());
            assertThat(after.out()).as(after.toString()).doesNotContain("expiresAt_1", "not harmless");
            assertThat(f.db("a1").getCollection("sessions").listIndexes().map(d -> d.getString("name")).into(new java.util.ArrayList<>()))
                    .containsExactlyInAnyOrder("_id_", "user_1");
        }
    }
}
