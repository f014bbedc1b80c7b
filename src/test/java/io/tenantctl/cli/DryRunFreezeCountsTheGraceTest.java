package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code move --dry-run} and {@code apply --dry-run} showed the plan's predicted freeze (the copy
 * alone) while --max-freeze is held against the copy plus --freeze-grace, so a dry run could show 2 s against a 5 s
 * --max-freeze and refuse it. The dry run's predicted freeze is now the one the move is held to.
 */
class DryRunFreezeCountsTheGraceTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunShowsTheFreezeMaxFreezeIsHeldTo() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 50);
            String to = f.org("acme").get("pool_id").asText().equals("pool-0") ? "pool-1" : "pool-0";

            JsonNode fits = strictJson(f.cli.run("rebalance", "move", "acme", "--to", to, "--freeze-grace", "3s", "--max-freeze", "10s",
                    "--dry-run", "-o", "json"));
            JsonNode line = fits.get("orgs").get(0);
            assertThat(line.get("outcome").asText()).as(fits.toString()).isEqualTo("planned");
            assertThat(line.get("predicted_freeze_ms").asLong()).as("the grace is part of the freeze").isGreaterThanOrEqualTo(3000);

            Cli.Result over = f.cli.run("rebalance", "move", "acme", "--to", to, "--freeze-grace", "3s", "--max-freeze", "2s",
                    "--dry-run", "-o", "json");
            assertThat(over.exitCode()).as(over.toString()).isEqualTo(1);
            JsonNode refused = strictJson(over).get("orgs").get(0);
            assertThat(refused.get("outcome").asText()).isEqualTo("failed");
            assertThat(refused.get("predicted_freeze_ms").asLong()).as("the figure it was refused for, the one shown")
                    .isGreaterThan(2000);
        }
    }
}
