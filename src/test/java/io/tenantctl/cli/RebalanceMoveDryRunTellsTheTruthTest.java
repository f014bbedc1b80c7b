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
 * Red-team: "Every mutating verb has --dry-run (prints the plan, changes nothing)"; the on-call page says "--dry-run
 * first says what it would do". {@code rebalance move ORG --to POOL --dry-run} checks nothing the move itself checks
 * first: into a pool that is full (1/1), into a draining pool, it prints "planned … dry run: nothing moved; 1 move(s)
 * would run", exit 0 — and the same command without --dry-run is refused at once ("pool pool-2 is full (1/1, counting
 * orgs moving in)", "pool pool-1 is draining: moves only go to active pools"), exit 1. The operator checks first,
 * is told yes, and is refused. A dry run must report the refusal the real move meets (target not active or full).
 */
class RebalanceMoveDryRunTellsTheTruthTest {

    @TempDir
    Path dir;

    @Test
    void aDryRunOfAMoveIntoAFullOrDrainingPoolSaysItWouldBeRefused() {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            f.provisionTier("free", "pool-2", "initech");
            ok(f.cli, "pools", "drain", "pool-1");
            ok(f.cli, "pools", "set-capacity", "pool-2", "--capacity", "1");

            for (String[] target : new String[][]{{"pool-2", "full"}, {"pool-1", "draining"}}) {
                Cli.Result dry = f.cli.run("rebalance", "move", "acme", "--to", target[0], "--freeze-grace", "0", "--dry-run", "-o", "json");
                Cli.Result real = f.cli.run("rebalance", "move", "acme", "--to", target[0], "--freeze-grace", "0", "-o", "json");
                assertThat(real.exitCode()).as("the real move into %s pool %s is refused: %s", target[1], target[0], real).isNotZero();
                assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");

                JsonNode doc = strictJson(dry);
                assertThat(doc.path("counts").path("planned").asInt())
                        .as("the dry run of a move into %s pool %s says the move would run, the real one is refused:%n%s%nreal:%n%s",
                                target[1], target[0], dry, real)
                        .isZero();
                assertThat(dry.out() + dry.err()).as("the dry run says why it would be refused").contains(target[1]);
            }
            // a move that would run: one move, said in the singular ('1 move(s) would run' before)
            ok(f.cli, "pools", "set-capacity", "pool-2", "--capacity", "10");
            Cli.Result dry = ok(f.cli, "rebalance", "move", "acme", "--to", "pool-2", "--freeze-grace", "0", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("dry run: nothing moved; 1 move would run (freeze_ms is the prediction)");
        }
    }
}
