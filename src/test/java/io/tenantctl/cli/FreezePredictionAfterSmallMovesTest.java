package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
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
 * Red-team: the predicted freeze is "bytes ÷ the copy speed measured over the last 20 moves" (README), and that speed is
 * sum(bytes) ÷ sum(copy_ms) of past moves. A move's copy_ms is mostly fixed cost (freeze bookkeeping, listing
 * collections and indexes, fingerprinting and verifying both sides), so after a drain has moved a couple of small orgs
 * (a fresh LibreChat org is 47 empty collections) the "measured speed" is a few bytes per millisecond: here two
 * one-document orgs make it ~0.00 MB/s, and the next org, 10,000 documents / 2.3 MB, is "predicted to be frozen
 * 10,835,203 ms, over --max-freeze 30000 ms" and refused — its real freeze, forced, is about 0.6 s. Every org of any
 * size is refused from then on (for 20 moves), so {@code rebalance apply --max-freeze 30s}, the on-call drain, fails
 * every real org, and the only way through is {@code --force}, which disables the very check.
 */
class FreezePredictionAfterSmallMovesTest {

    @TempDir
    Path dir;

    @Test
    void aFewSmallMovesDoNotMakeEveryLaterMovePredictedOverMaxFreeze() {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("tiny-a", "tiny-b", "big");
            f.notes("tiny-a", "notes", 1);
            f.notes("tiny-b", "notes", 1);
            f.seedNotes("big", 10_000);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("big"));
            ok(f.cli, "rebalance", "move", "tiny-a", "--to", "pool-1", "--freeze-grace", "0");
            ok(f.cli, "rebalance", "move", "tiny-b", "--to", "pool-1", "--freeze-grace", "0");

            Cli.Result moved = f.cli.run("rebalance", "move", "big", "--to", "pool-2", "--freeze-grace", "0", "--max-freeze", "30s", "-o", "json");
            assertThat(moved.exitCode()).as("a 2.3 MB org whose copy and verification take well under a second, with --max-freeze 30s: %s", moved)
                    .isZero();
            JsonNode org = strictJson(moved).get("orgs").get(0);
            assertThat(org.get("outcome").asText()).isEqualTo("moved");
            assertThat(org.get("freeze_ms").asLong()).isLessThan(30_000);
            assertThat(f.org("big").get("pool_id").asText()).isEqualTo("pool-2");
            f.assertHolds("big", before);
        }
    }
}
