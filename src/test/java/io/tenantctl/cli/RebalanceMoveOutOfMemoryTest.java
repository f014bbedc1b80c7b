package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (memory at scale, round two): the first pass made a restore that runs out of memory clean up
 * like any failure, but not a move. An org holding a 16 MB document (the server's maximum: an attachment, an embedded
 * image) moved by 'rebalance move' under a small heap runs out while its first copy writes that document to the target
 * — on the run's worker thread, not the read-ahead one. Mover.move catches RuntimeException only, so the Error skips
 * its roll-back: the move stays {@code planned} for ever (its place on the target reserved, its half-written target
 * database left there, and — had it come after the freeze — the org left read_only); RunEngine.process releases the
 * org's lease in a finally, so no lease recovery ever rolls it back; RunEngine wraps the Error as "unexpected
 * IllegalStateException: java.lang.OutOfMemoryError" (category internal, not the out-of-memory line saying how to give
 * the JVM more), and hints 'rebalance apply --resume RUN'. Followed, that hint fails (exit 1: "org acme is already being
 * moved (move …, planned)"), and so does the move run again with a bigger heap: only 'rebalance resume', which nothing
 * names, would put it right.
 */
class RebalanceMoveOutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    void aMoveThatRunsOutOfMemoryIsRolledBackSaysSoAndCanBeRunAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.db("acme").getCollection("blobs", BsonDocument.class).insertOne(new BsonDocument("_id", new BsonInt32(1))
                    .append("raw", new BsonString("x".repeat(16 * 1024 * 1024 - 100))));
            f.notes("acme", "notes", 10);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            // 48 MB of heap cannot copy a 16 MB document: the move must fail, and fail cleanly
            ChildJvm.Exit move = RestoreOfManyLargeDocumentsTest.child(f, "move", "-Xmx48m", "rebalance", "move", "acme", "--to", "pool-1",
                    "--freeze-grace", "0", "-o", "json");

            assertThat(move.err()).as("no stack trace without -v").doesNotContain("Exception in thread").doesNotContain("\tat ");
            assertThat(move.code()).as(move.err()).isEqualTo(1);
            // nothing was flipped: the org is where it was, writable, with every document, and no move of it left unfinished
            JsonNode org = f.org("acme");
            assertThat(org.get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(org.get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", before);
            JsonNode moves = strictJson(CliFixture.ok(f.cli, "rebalance", "status", "-o", "json"));
            assertThat(moves.findValues("state").stream().map(JsonNode::asText).toList()).as("the move is ended, not left planned")
                    .doesNotContain("planned", "frozen", "copying", "verifying");

            JsonNode result = strictJson(new Cli.Result(move.code(), move.out(), move.err()));
            assertThat(result.toString()).as("the move's one document says it ran out of memory and how to give the JVM more")
                    .contains("ran out of memory").contains("JAVA_TOOL_OPTIONS=-Xmx")
                    // scripts/tenantctl puts TENANTCTL_JAVA_OPTS on java's command line, whose -Xmx wins over JAVA_TOOL_OPTIONS
                    .contains("TENANTCTL_JAVA_OPTS=-Xmx").doesNotContain("IllegalStateException");

            // given more memory, the operator runs the same move again: it goes through
            Cli.Result again = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before);
        }
    }
}
