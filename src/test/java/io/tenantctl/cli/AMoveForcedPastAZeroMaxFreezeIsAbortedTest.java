package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Probing helper: 'rebalance move … --max-freeze 0 --force' moved the org (frozen ~1 s, exit 0), while '--max-freeze
 * 1ms --force' was aborted as README promises ("a copy that runs past it anyway is aborted and the org unfrozen"). The
 * prediction held a move to 0 ms (without --force it was refused as over --max-freeze 0 ms); the mover read 0 as no
 * limit at all. 0 is a limit like any other.
 */
@Timeout(120)
class AMoveForcedPastAZeroMaxFreezeIsAbortedTest {

    @TempDir
    Path dir;

    @Test
    void aForcedMoveWithAZeroMaxFreezeIsAbortedAndTheOrgUnfrozen() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2000);
            Cli.Result refused = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "--max-freeze", "0", "--freeze-grace", "0");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("over --max-freeze 0 ms");

            Cli.Result forced = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "--max-freeze", "0", "--freeze-grace", "0",
                    "--force", "-o", "json");
            assertThat(forced.exitCode()).as(forced.toString()).isEqualTo(1);
            assertThat(strictJson(forced).toString()).as(forced.toString()).contains("--max-freeze");
            assertThat(f.org("acme").get("pool_id").asText()).as("rolled back").isEqualTo("pool-0");
            assertThat(f.org("acme").get("status").asText()).as("unfrozen").isEqualTo("active");
            assertThat(f.databaseNames("pool-1")).as("the rollback dropped its target").doesNotContain("org_acme");

            // found in an audit: the revert of this move that never happened said only "move M is aborted: only a retained
            // move (flipped, source kept) can be reverted", not where the org is nor that there is nothing to undo
            String moveId = strictJson(CliFixture.ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
            String why = "move " + moveId + " of org acme cannot be reverted: it was aborted and rolled back before its flip, so the "
                    + "org never left pool-0; org acme is on pool-0/org_acme (active): nothing to revert";
            Cli.Result revert = f.cli.run("rebalance", "revert", moveId);
            assertThat(revert.exitCode()).as(revert.toString()).isEqualTo(1);
            assertThat(revert.err().strip()).isEqualTo("error: " + why);
            Cli.Result dry = f.cli.run("rebalance", "revert", moveId, "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(strictJson(dry).get("error").get("message").asText()).isEqualTo(why);
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
        }
    }
}
