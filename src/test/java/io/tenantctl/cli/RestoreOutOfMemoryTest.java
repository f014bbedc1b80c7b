package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.ChildJvm;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (memory and scale): what the operator sees when a restore does run out of memory on its own
 * thread. An --in-place restore verifies the whole backup on the main thread before it drops anything; a 16 MB document
 * under a small heap (a container's default -Xmx) throws OutOfMemoryError there. Restore.restore catches RuntimeException
 * only, so nothing is cleaned up: the org stays {@code restoring} (not writable for the application, though its database
 * was never touched), the restore run stays {@code running} for ever, OrgLeases.Held.close deletes the lease and with it
 * the recovery state (so no later sweep puts the org back), and the Error escapes picocli and main: the JVM prints
 * "Exception in thread main java.lang.OutOfMemoryError" with its stack trace, -o json gets no document at all.
 */
class RestoreOutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    void anInPlaceRestoreThatRunsOutOfMemoryBeforeItsDropLeavesTheOrgWritableAndSaysSoInOneLine() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").getCollection("blobs", BsonDocument.class).insertOne(new BsonDocument("_id", new BsonInt32(1))
                    .append("raw", new BsonString("x".repeat(16 * 1024 * 1024 - 100))));
            f.notes("acme", "notes", 10);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            // 32 MB of heap cannot hold a 16 MB document while it is parsed: the restore must fail, and fail cleanly
            ChildJvm.Exit restore = RestoreOfManyLargeDocumentsTest.child(f, "restore", "-Xmx32m", "restore", "--org", "acme",
                    "--backup", backupId, "--in-place", "--drop-existing", "-o", "json");

            assertThat(restore.err()).as("one error line, no stack trace without -v").doesNotContain("Exception in thread")
                    .doesNotContain("\tat ");
            assertThat(restore.code()).as(restore.err()).isEqualTo(1);
            JsonNode error = strictJson(new io.tenantctl.testing.Cli.Result(restore.code(), restore.out(), restore.err()));
            assertThat(error.path("error").path("message").asText()).as("-o json: one error document").contains("memory");
            // nothing was dropped, so nothing is lost: the org is back as it was, writable, with every document
            f.assertHolds("acme", before);
            JsonNode runs = strictJson(ok(f.cli, "runs", "list", "-o", "json"));
            assertThat(runs.findValues("verb").stream().map(JsonNode::asText).toList()).contains("restore");
            for (JsonNode run : runs.get("runs")) {
                if (run.get("verb").asText().equals("restore")) {
                    assertThat(run.get("status").asText()).as("the restore's run is ended, not left running").isEqualTo("failed");
                }
            }
        }
    }
}
