package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red-team: a plan leaves out the orgs a detached rebalance run has still to move (README: "so a second apply never
 * takes that run's orgs from under its workers"), but not the places that run will take on its targets: a queued move
 * reserves nothing until its worker starts it. So a second plan sees the first run's target as empty and plans into it.
 * <p>
 * pool-0 (draining) holds acme and globex; pool-1 has room for 2; pool-2 is 4/4. The on-call engineer starts
 * {@code rebalance apply --detach} (acme, globex → pool-1, the only pool with room). A colleague runs
 * {@code rebalance apply}: pool-2 at 1.0 against pool-1 "at 0/2", so it moves initech into pool-1 at once. When the
 * first run's worker joins, pool-1 has room for one: globex fails "pool pool-1 is full", the run exits 1 and pool-0
 * still holds globex. A plan must count the moves another run has queued into a pool, as it counts moves in flight.
 */
class SecondPlanIgnoresAQueuedRunsTargetsTest {

    @TempDir
    Path dir;

    @Test
    void aSecondPlanDoesNotSpendTheRoomAQueuedRunWasPlannedInto() {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provisionTier("free", "pool-0", "acme", "globex");
            f.provisionTier("free", "pool-2", "initech", "umbrella", "hooli", "vandelay");
            List<String> orgs = List.of("acme", "globex", "initech", "umbrella", "hooli", "vandelay");
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(orgs, 50);
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "2");
            ok(f.cli, "pools", "set-capacity", "pool-2", "--capacity", "4");
            ok(f.cli, "pools", "drain", "pool-0");

            JsonNode detached = strictJson(ok(f.cli, "rebalance", "apply", "--freeze-grace", "0", "--detach", "-o", "json"));
            String first = detached.get("run_id").asText();
            assertThat(detached.get("orgs")).as("the first run drains acme and globex into pool-1").hasSize(2);

            JsonNode plan = strictJson(ok(f.cli, "rebalance", "plan", "-o", "json"));
            assertThat(plan.get("moves")).as("pool-1's two places belong to run %s's queued moves: a second plan has nowhere to "
                    + "put an org%n%s", first, plan.toPrettyString())
                    .noneSatisfy(m -> assertThat(m.get("to_pool").asText()).isEqualTo("pool-1"));

            Cli.Result second = f.cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(second.exitCode()).as(second.toString()).isZero();
            Cli.Result joined = f.cli.run("rebalance", "apply", "--join", first, "-o", "json");
            assertThat(joined.exitCode()).as("the first run's worker, joining as its --detach said: %s", joined).isZero();

            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.org("globex").get("pool_id").asText()).isEqualTo("pool-1");
            for (String o : orgs) {
                f.assertHolds(o, before.get(o));
            }
            for (JsonNode p : strictJson(ok(f.cli, "pools", "list", "-o", "json")).path("pools")) {
                assertThat(p.path("orgs").asInt()).as("pool %s within capacity", p.path("pool_id").asText())
                        .isLessThanOrEqualTo(p.path("capacity").asInt());
            }
        }
    }
}
