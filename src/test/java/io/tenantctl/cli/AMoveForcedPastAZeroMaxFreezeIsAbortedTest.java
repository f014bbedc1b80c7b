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
        }
    }
}
