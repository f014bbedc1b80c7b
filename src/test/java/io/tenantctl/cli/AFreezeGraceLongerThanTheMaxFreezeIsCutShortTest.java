package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Probing helper: 'rebalance move a3 --to pool-2 --max-freeze 2s --freeze-grace 12s --force' kept the org read_only
 * ~12 s before aborting it: the grace wait did not look at the freeze's deadline, so --force let a grace longer than
 * --max-freeze keep the org frozen past it. The grace now ends at the deadline, and the move is aborted and the org
 * unfrozen there, as a copy past --max-freeze is.
 */
class AFreezeGraceLongerThanTheMaxFreezeIsCutShortTest {

    @TempDir
    Path dir;

    @Test
    void aForcedMoveIsAbortedAtTheMaxFreezeNotAfterTheGrace() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 20);
            // the old code waited out the 10 minute grace first: the bound fails it instead of hanging
            Cli.Result aborted = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> f.cli.run("rebalance", "move", "acme",
                    "--to", "pool-1", "--max-freeze", "1ms", "--freeze-grace", "10m", "--force", "-o", "json"));
            assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
            assertThat(strictJson(aborted).toString()).as(aborted.toString()).contains("ran past --max-freeze");
            assertThat(f.org("acme").get("pool_id").asText()).as("rolled back").isEqualTo("pool-0");
            assertThat(f.org("acme").get("status").asText()).as("unfrozen").isEqualTo("active");
            assertThat(f.databaseNames("pool-1")).as("the rollback dropped its target").doesNotContain("org_acme");
        }
    }
}
