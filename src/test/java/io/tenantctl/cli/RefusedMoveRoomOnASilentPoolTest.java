package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found a move refused for its target (draining, full) advising the move to the pool placement would
 * choose with no ping: a registered pool that does not answer (first by priority) was named in {@code room_on} and the
 * next step, and that move, run as printed, was refused with exit 3 ("pool … does not answer"). The pool with room a
 * refused move names must be one that answers, as provision's placement and {@code rebalance plan} pass over silent
 * ones; when none that answers has room, the next step says so and names the silent one.
 */
class RefusedMoveRoomOnASilentPoolTest {

    @TempDir
    Path dir;

    @Test
    void theSuggestedPoolAnswers() {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provisionTier("free", "pool-1", "acme");
            CliFixture.addPool(f.cli, "pool-9", "mongodb://127.0.0.1:1/", 3, 0);
            ok(f.cli, "pools", "drain", "pool-0");
            Cli.Result r = f.cli.run("rebalance", "move", "acme", "--to", "pool-0", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("next_step").asText()).as(r.toString()).isEqualTo("tenantctl rebalance move acme --to pool-2");
            assertThat(failed.toString()).doesNotContain("pool-9");
            Cli.Result next = f.cli.run("rebalance", "move", "acme", "--to", "pool-2", "--freeze-grace", "0");
            assertThat(next.exitCode()).as(next.toString()).isZero();
        }
    }

    @Test
    void whenOnlyASilentPoolHasRoomTheNextStepSaysSo() {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provisionTier("free", "pool-1", "acme");
            f.provisionTier("free", "pool-2", "globex");
            ok(f.cli, "pools", "set-capacity", "pool-2", "--capacity", "1");
            CliFixture.addPool(f.cli, "pool-9", "mongodb://127.0.0.1:1/", 3, 0);
            ok(f.cli, "pools", "drain", "pool-0");
            Cli.Result r = f.cli.run("rebalance", "move", "acme", "--to", "pool-0", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("next_step").asText()).as(r.toString()).doesNotContain("--to pool-9");
            assertThat(failed.get("next_note").asText()).as(r.toString()).contains("no active pool that answers has room")
                    .contains("pool-9 has room but does not answer");
        }
    }
}
