package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
import org.bson.Document;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a migrate-all that runs after a move builds the new manifest's indexes on the move's target and records the
 * new hash on the org. {@code rebalance revert} then compares only documents with the ledger, flips the org back to
 * its retained source - which never got those indexes - and keeps the new hash. The org now lacks a unique index its
 * record says it has; every later {@code migrate-all} of that manifest selects nothing (the hash matches), so the
 * constraint stays missing while the application writes duplicates.
 */
class RevertAfterMigrationTest {

    private static final String V2 = CliFixture.smallSchemaWithUniqueUsername(false);

    @TempDir
    Path dir;

    @Test
    void revertDoesNotLeaveAnOrgWithoutTheIndexesItsRecordedManifestPromises() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            assertThat(V2).contains("username_1");
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            f.provision("acme");
            f.notes("acme", "a_notes", 20);
            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();

            ok(f.cli, "migrate-all", "--schema", v2.toString()); // the release after the move: a new unique index, built on pool-1
            Cli.Result revert = f.cli.run("rebalance", "revert", moveId); // no document written since the move, but the indexes changed
            assertThat(revert.exitCode()).as(revert.toString()).isEqualTo(1);
            assertThat(revert.err()).as(revert.toString()).contains("users.username_1").contains("rebalance move acme --to pool-0");

            JsonNode org = f.org("acme");
            MongoDatabase db = f.db("acme");
            boolean hasIndex = db.getCollection("users").listIndexes().into(new ArrayList<>()).stream()
                    .anyMatch(ix -> "username_1".equals(ix.getString("name")));
            String v2Hash = SchemaManifest.load(v2).hash();
            JsonNode again = strictJson(ok(f.cli, "migrate-all", "--schema", v2.toString(), "-o", "json"));
            boolean recordedV2 = v2Hash.equals(org.get("schema_hash").asText());
            assertThat(hasIndex || !recordedV2)
                    .as("org %s records manifest v2 (%s) but its database on %s lacks users.username_1; migrate-all again: %s",
                            org.get("org_id").asText(), recordedV2, org.get("pool_id").asText(), again)
                    .isTrue();
        }
    }
}
