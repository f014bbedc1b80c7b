package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code rebalance revert MOVE_ID --dry-run} printing "dry run: dry run: org acme would be back
 * on …": the command added the prefix to a message that already carries it.
 */
class RevertDryRunSaysDryRunOnceTest {

    @TempDir
    Path dir;

    @Test
    void aRevertDryRunSaysDryRunOnce() {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();

            Cli.Result dry = ok(f.cli, "rebalance", "revert", moveId, "--dry-run");
            assertThat(dry.out().strip()).as(dry.toString())
                    .startsWith("dry run: org acme would be back on pool-0/org_acme")
                    .doesNotContain("dry run: dry run");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
        }
    }
}
