package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code rebalance move ORG --to POOL} into a disabled pool that was also down refused as
 * "pool … does not answer … see 'tenantctl pools stats'" (exit 3): the operator mends the connection and is then refused
 * for what was true all along, the pool is not active. A target the catalog refuses (not active, or full) is refused for
 * that, before anyone pings it — as a draining one is.
 */
class MoveIntoADisabledPoolThatIsDownTest {

    @TempDir
    Path dir;

    @Test
    void aDisabledTargetIsRefusedAsDisabledNotAsSilent() {
        try (BackupFixture f = new BackupFixture(1, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            CliFixture.addPool(f.cli, "pool-9", "mongodb://127.0.0.1:1/", 10, 9);
            TestCatalog.execute(f.catalogUrl, "update pools set status = 'disabled' where pool_id = 'pool-9'");
            for (boolean dry : new boolean[]{true, false}) {
                Cli.Result r = dry ? f.cli.run("rebalance", "move", "acme", "--to", "pool-9", "--freeze-grace", "0", "--dry-run")
                        : f.cli.run("rebalance", "move", "acme", "--to", "pool-9", "--freeze-grace", "0");
                assertThat(r.out() + r.err()).as("dry run %s: %s", dry, r).contains("pool pool-9 is disabled: moves only go to active pools")
                        .doesNotContain("does not answer");
                assertThat(r.exitCode()).as("%s", r).isNotIn(0, 3);
            }
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
        }
    }
}
