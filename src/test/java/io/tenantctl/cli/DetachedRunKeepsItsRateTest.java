package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * '--detach --per-pool 2' is recorded on the run and every worker that joins keeps it; '--detach --rate 2' ("production
 * hours: start at most 2 orgs a second per pool") was neither recorded nor refused: the run was created, exit 0, and the
 * workers of the Job ('--join RUN', as deploy/ runs them) started orgs as fast as they could. --rate is each worker's
 * own, so with --detach it is refused (exit 2, nothing recorded), as flags typed with --join or --resume are.
 */
@Timeout(90)
class DetachedRunKeepsItsRateTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void aRateGivenToDetachIsRefusedOrKeptByTheWorkersThatJoin(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Map<String, Long> firstCommand = new ConcurrentHashMap<>();
        Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (db.startsWith("org_r")) {
                firstCommand.putIfAbsent(db, System.nanoTime());
            }
        }));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path schema = CliFixture.smallSchema(dir);

        Cli.Result detached = cli.run("provision", "r1", "r2", "r3", "r4", "--schema", schema.toString(), "--rate", "2", "--detach",
                "-o", "json");
        assertThat(detached.exitCode()).as("refused, not silently dropped: " + detached).isEqualTo(2);
        assertThat(strictJson(detached).toString()).contains("--rate").contains("--join");
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).as("nothing recorded").isEmpty();
        assertThat(firstCommand).as("no org touched").isEmpty();
    }
}
