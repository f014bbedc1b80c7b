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
 * Red-team: {@code rebalance revert MOVE_ID --dry-run} runs "every check on the data as it is" (Rebalance.revert) but
 * not the check the real revert meets at its flip: the source pool must still be active and have room (placement may
 * have filled the place the move freed, or the pool was drained since). acme moves pool-0 → pool-1; pool-0's place is
 * then taken by a new org (capacity 1). The dry run says "org acme would be back on pool-0/org_acme (active); both sides
 * still equal the ledger", exit 0; the real revert is refused "pool pool-0 is full (1 orgs) … nothing was reverted",
 * exit 1. The same with pool-0 drained instead. A dry run must say the revert would be refused, and why.
 */
class RevertDryRunIntoAFullPoolTest {

    @TempDir
    Path dir;

    @Test
    void aRevertDryRunSaysARevertIntoAFullSourcePoolWouldBeRefused() {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            f.seedNotes("acme", 20);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
            f.provisionTier("free", "pool-0", "globex");
            ok(f.cli, "pools", "set-capacity", "pool-0", "--capacity", "1");

            Cli.Result dry = f.cli.run("rebalance", "revert", moveId, "--dry-run", "-o", "json");
            Cli.Result real = f.cli.run("rebalance", "revert", moveId, "-o", "json");
            assertThat(real.exitCode()).as("the real revert into full pool-0: %s", real).isNotZero();
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            JsonNode doc = strictJson(dry);
            assertThat(dry.exitCode()).as("the dry run of a revert the real one refuses:%n%s%nreal:%n%s", dry, real)
                    .isEqualTo(real.exitCode());
            assertThat(doc.toString()).as("the dry run says why").contains("full");
        }
    }
}
