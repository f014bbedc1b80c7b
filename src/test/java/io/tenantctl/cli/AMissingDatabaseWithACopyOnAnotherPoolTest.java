package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that when an org's database was gone from its pool while a copy of it (copied by hand, the
 * same name) sat on another pool, verify's missing_database advised the restore from backup — losing every write since
 * — and its stray_copy called the gone database the org's live one and advised dropping the copy, the only one left.
 * Now both point the org at the copy ({@code orgs adopt ORG --pool P}), the restore the second choice, and the adopt
 * works as pasted.
 */
@Timeout(120)
class AMissingDatabaseWithACopyOnAnotherPoolTest {

    @TempDir
    Path dir;

    @Test
    void verifyPointsTheOrgAtItsCopyInsteadOfRestoringOrDroppingIt() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provisionTier("free", "pool-1", "y1");
            f.notes("y1", "notes", 5);
            f.backup("y1");
            f.db("y1").getCollection("notes").insertOne(new Document("_id", "after-backup").append("text", "written since"));

            MongoDatabase from = f.database("pool-1", "org_y1");
            MongoDatabase to = f.database("pool-0", "org_y1");
            for (String name : from.listCollectionNames()) {
                to.createCollection(name);
                for (Document index : from.getCollection(name).listIndexes()) {
                    if (!index.getString("name").equals("_id_")) {
                        index.remove("v");
                        index.remove("ns");
                        to.runCommand(new Document("createIndexes", name).append("indexes", java.util.List.of(index)));
                    }
                }
                java.util.List<Document> docs = from.getCollection(name).find().into(new java.util.ArrayList<>());
                if (!docs.isEmpty()) {
                    to.getCollection(name).insertMany(docs);
                }
            }
            from.drop();

            Cli.Result verify = f.cli.run("verify", "-o", "json");
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(4);
            JsonNode missing = finding(strictJson(verify), "missing_database");
            assertThat(missing.get("detail").asText()).as(verify.toString()).contains("pool-0");
            assertThat(missing.get("fix").asText()).isEqualTo("tenantctl orgs adopt y1 --pool pool-0");
            assertThat(missing.get("fix_note").asText()).contains("tenantctl restore --org y1");
            JsonNode stray = finding(strictJson(verify), "stray_copy");
            assertThat(stray.get("detail").asText()).as(verify.toString()).doesNotContain("the org lives in")
                    .contains("only copy");
            assertThat(String.valueOf(stray.get("fix")) + stray.get("fix_note")).doesNotContain("dropDatabase");
            assertThat(stray.get("fix").asText()).isEqualTo(missing.get("fix").asText());

            String[] pasted = missing.get("fix").asText().split(" ");
            ok(f.cli, Arrays.copyOfRange(pasted, 1, pasted.length));
            JsonNode org = f.org("y1");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(org.get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.db("y1").getCollection("notes").find(new Document("_id", "after-backup")).first())
                    .as("the write made since the backup").isNotNull();
            Cli.Result after = f.cli.run("verify", "-o", "json");
            assertThat(after.exitCode()).as(after.toString()).isZero();
        }
    }

    private static JsonNode finding(JsonNode doc, String kind) {
        for (JsonNode x : doc.get("findings")) {
            if (x.get("kind").asText().equals(kind)) {
                return x;
            }
        }
        throw new AssertionError("no " + kind + ": " + doc.toPrettyString());
    }
}
