package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a move whose target was drained while it copied ({@code pools drain TARGET} meanwhile) is
 * aborted and rolled back at its flip, as README says — but its next step was "tenantctl rebalance status (then, to try
 * again: tenantctl rebalance move acme --to TARGET)", the same move into the pool now draining, which is refused. The
 * next step is a move to a pool that takes it (or a new plan).
 */
class AMoveWhoseTargetWasDrainedMidCopyTest {

    @Test
    void theNextStepOfAMoveAbortedByADrainOfItsTargetDoesNotNameThatTarget(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String from = f.org("acme").get("pool_id").asText();
            String to = from.equals("pool-1") ? "pool-2" : "pool-1";
            String third = java.util.stream.Stream.of("pool-0", "pool-1", "pool-2").filter(p -> !p.equals(from) && !p.equals(to))
                    .findFirst().orElseThrow();
            // the target is drained as soon as the move reaches it after recording itself (during its copy)
            String drain = "update pools set status = 'draining' where pool_id = '" + to + "' and exists "
                    + "(select 1 from moves where org_id = 'acme' and state in ('planned', 'frozen', 'copying', 'verifying'))";
            Cli cli = f.newCli().decoratePools(real -> HookedPools.databases(real, (poolId, uri, database) -> {
                if (poolId.equals(to)) {
                    TestCatalog.execute(f.catalogUrl, drain);
                }
                return real.database(poolId, uri, database);
            }));

            Cli.Result r = cli.run("rebalance", "move", "acme", "--to", to, "--freeze-grace", "0", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).as(r.toString()).contains("draining now");
            assertThat(f.org("acme").get("pool_id").asText()).as("rolled back: on its source").isEqualTo(from);
            JsonNode failed = strictJson(r).get("failed").get(0);
            String next = failed.get("next_step").asText();
            assertThat(next).as(r.toString()).doesNotContain("--to " + to).startsWith("tenantctl rebalance move acme --to " + third);
        }
    }
}
