package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
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
 * {@code rebalance revert} refuses to flip an org back to a retained source whose indexes are not the target's (a
 * migrate-all since the move built new ones on the target only: RevertAfterMigrationTest). It compares the two sides
 * through one map per side keyed {@code collection + "." + indexName}. Collection names may contain dots and so may
 * index names (the default name of an index on a nested field is {@code profile.email_1}): collection {@code users}
 * with index {@code profile.email_1} and collection {@code users.profile} with index {@code email_1} are both
 * {@code "users.profile.email_1"}, the later listing overwrites the earlier, and the new unique index the migrate-all
 * built on {@code users.profile} is never compared. The revert goes through; the org is back on a source without that
 * unique index while its record says the manifest that has it, and migrate-all of that manifest selects nothing.
 */
class RevertWithADottedCollectionNameTest {

    private static final String V1 = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "profile.email_1", "key": {"profile.email": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1_created_-1", "key": {"conversationId": 1, "createdAt": -1}}
              ]},
              {"name": "users.profile", "indexes": [
                {"name": "owner_1", "key": {"owner": 1}}
              ]}
            ]}
            """;

    /** The release after the move: profiles' emails become unique. */
    private static final String V2 = V1.replace("{\"name\": \"owner_1\", \"key\": {\"owner\": 1}}",
            "{\"name\": \"owner_1\", \"key\": {\"owner\": 1}},\n    {\"name\": \"email_1\", \"key\": {\"email\": 1}, \"unique\": true}");

    @TempDir
    Path dir;

    @Test
    void revertDoesNotLeaveAnOrgWithoutAUniqueIndexOfADottedCollection() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            assertThat(V2).contains("\"email_1\", \"key\": {\"email\": 1}, \"unique\": true}");
            Path v1 = Files.writeString(dir.resolve("v1.json"), V1);
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            ok(f.cli, "provision", "--schema", v1.toString(), "--pool", "pool-0", "acme");
            f.notes("acme", "a_notes", 20);
            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();

            ok(f.cli, "migrate-all", "--schema", v2.toString()); // builds users.profile.email_1 (unique) on pool-1 only
            Cli.Result revert = f.cli.run("rebalance", "revert", moveId);

            JsonNode org = f.org("acme");
            MongoDatabase db = f.db("acme");
            boolean hasIndex = db.getCollection("users.profile").listIndexes().into(new ArrayList<>()).stream()
                    .anyMatch(ix -> "email_1".equals(ix.getString("name")));
            boolean recordedV2 = SchemaManifest.load(v2).hash().equals(org.get("schema_hash").asText());
            JsonNode again = strictJson(ok(f.cli, "migrate-all", "--schema", v2.toString(), "-o", "json"));
            assertThat(hasIndex || !recordedV2)
                    .as("revert: exit %d %s; org %s records manifest v2 (%s) but its database on %s lacks users.profile.email_1; "
                                    + "migrate-all again: %s", revert.exitCode(), revert.out() + revert.err(),
                            org.get("org_id").asText(), recordedV2, org.get("pool_id").asText(), again)
                    .isTrue();
        }
    }
}
