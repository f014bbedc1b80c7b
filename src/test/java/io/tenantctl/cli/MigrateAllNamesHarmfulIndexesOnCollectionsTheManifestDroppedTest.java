package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probe found that a rollback to a manifest that no longer lists a collection (B had files, with a unique file_id_1, and
 * a TTL index on sessions; A has neither) named only sessions.expiresAt_1 among the extras kept that are not harmless:
 * migrate-all diffed the manifest's own collections only, while schema diff and verify read the indexes of the collections
 * it does not list too, and give the command that drops such an index by hand (no rollout touches that collection, not
 * even --prune). migrate-all's summary and its -o json now say the same; --prune still leaves it.
 */
class MigrateAllNamesHarmfulIndexesOnCollectionsTheManifestDroppedTest {

    private static final String SESSIONS = """
              {"name": "sessions", "indexes": [
                {"name": "user_1", "key": {"user": 1}}%s
              ]},
            """;
    private static final String B = CliFixture.SMALL_SCHEMA.replace("{\"collections\": [", "{\"collections\": [\n"
            + SESSIONS.formatted(",\n    {\"name\": \"expiresAt_1\", \"key\": {\"expiresAt\": 1}, \"expireAfterSeconds\": 600}")
            + "  {\"name\": \"files\", \"indexes\": [{\"name\": \"file_id_1\", \"key\": {\"file_id\": 1}, \"unique\": true}]},");
    private static final String A = CliFixture.SMALL_SCHEMA.replace("{\"collections\": [", "{\"collections\": [\n" + SESSIONS.formatted(""));

    @TempDir
    Path dir;

    @Test
    void theSummarySaysWhatSchemaDiffSaysAboutAnIndexOnACollectionTheManifestNoLongerLists() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path b = Files.writeString(dir.resolve("b.json"), B);
            Path a = Files.writeString(dir.resolve("a.json"), A);
            ok(f.cli, "provision", "--schema", b.toString(), "b1");
            // the line to paste, on the pool's URI as shown (ATtlIndexOnACollectionTheManifestDroppedIsNotHarmlessTest follows it)
            String byHand = "mongosh \"" + f.pools.uri(0) + "\" --quiet --eval 'db.getSiblingDB(\"org_b1\").files.dropIndex(\"file_id_1\")'";
            Cli.Result diff = f.cli.run("schema", "diff", "b1", "--schema", a.toString());
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
            assertThat(diff.out()).as(diff.toString()).contains("files.file_id_1", "sessions.expiresAt_1", byHand);

            Cli.Result dry = ok(f.cli, "migrate-all", "--org", "b1", "--schema", a.toString(), "--replace-conflicting", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("files.file_id_1 (unique", "sessions.expiresAt_1 (TTL", byHand);

            Cli.Result run = ok(f.cli, "migrate-all", "--org", "b1", "--schema", a.toString(), "--replace-conflicting");
            assertThat(run.out()).as(run.toString())
                    .contains("sessions.expiresAt_1 (TTL: deletes documents 600 s after their expiresAt) on b1")
                    .contains("files.file_id_1 (unique: refuses writes that the manifest allows) on b1")
                    .contains("not even --prune", byHand);
            assertThat(indexes(f, "files")).contains("file_id_1"); // kept: reported, never dropped

            JsonNode json = strictJson(ok(f.cli, "migrate-all", "--org", "b1", "--schema", a.toString(), "--force", "--dry-run", "-o", "json"));
            JsonNode plan = json.findValue("plan");
            assertThat(plan.get("constraining").toString()).as(json.toString()).contains("files.file_id_1", "sessions.expiresAt_1");
            assertThat(plan.get("drop_by_hand")).as(json.toString()).hasSize(1);
            assertThat(plan.get("extras").toString()).as("what --prune would drop: %s", json).isEqualTo("[\"sessions.expiresAt_1\"]");
            assertThat(plan.get("drop_by_hand").get(0).get("index").asText()).isEqualTo("files.file_id_1");
            assertThat(plan.get("drop_by_hand").get(0).get("command").asText()).isEqualTo(byHand);

            // the way back the summary gives for the one on a listed collection drops it; the other stays, and is still named
            Cli.Result pruned = ok(f.cli, "migrate-all", "--org", "b1", "--schema", a.toString(), "--force", "--prune");
            assertThat(pruned.out()).as(pruned.toString()).contains("files.file_id_1 (unique", byHand).doesNotContain("expiresAt_1 (TTL");
            assertThat(indexes(f, "sessions")).doesNotContain("expiresAt_1");
            assertThat(indexes(f, "files")).contains("file_id_1");
        }
    }

    @Test
    void aManifestThatOnlyStopsListingACollectionStillReadsItsIndexes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path b = Files.writeString(dir.resolve("b.json"), B);
            // B without files: every collection it still lists is unchanged, so nothing else would be inspected
            Path c = Files.writeString(dir.resolve("c.json"), B.replace(
                    "  {\"name\": \"files\", \"indexes\": [{\"name\": \"file_id_1\", \"key\": {\"file_id\": 1}, \"unique\": true}]},", ""));
            ok(f.cli, "provision", "--schema", b.toString(), "b1");
            Cli.Result run = ok(f.cli, "migrate-all", "--schema", c.toString());
            assertThat(run.out()).as(run.toString()).contains("files.file_id_1 (unique: refuses writes that the manifest allows) on b1",
                    "mongosh \"" + f.pools.uri(0) + "\" --quiet --eval 'db.getSiblingDB(\"org_b1\").files.dropIndex(\"file_id_1\")'");
        }
    }

    private static List<String> indexes(BackupFixture f, String collection) {
        return f.db("b1").getCollection(collection).listIndexes().map(d -> d.getString("name")).into(new ArrayList<>());
    }
}
