package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code rebalance plan} counting an org whose move was in flight on both its pools: on its
 * target (the place the move reserved) and still on its source. pool-0 (room for 2) holds a1 and a2, pool-1 (room for 24)
 * ten orgs; while a1's move to pool-1 was frozen, the plan saw pool-0 still full (2 orgs, load 1.0), planned a2 off it too
 * and printed pool-0 "after" at 1 org, which the apply then made 0: a worse spread than a1's move alone, and the next plan
 * moved an org straight back. README: queued moves "are counted on their target pools (and off their sources), as moves in
 * flight are". A move in flight still holds its source's place (nothing may be placed into it until the flip), but for the
 * balance the org has left.
 */
class PlanCountsAMoveInFlightOffItsSourceTest {

    @TempDir
    Path dir;

    @Test
    void aMoveInFlightCountsOffItsSourceSoThePlanDoesNotMoveASecondOrgOffIt() {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 24)) {
            f.provision("a1", "a2");
            f.provisionTier("free", "pool-1", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10");
            ok(f.cli, "pools", "set-capacity", "pool-0", "--capacity", "2");
            JsonNode first = strictJson(ok(f.cli, "rebalance", "plan", "-o", "json"));
            assertThat(first.get("moves")).as("with nothing in flight one org leaves the full pool-0: %s", first.toPrettyString()).hasSize(1);

            // a1's move to pool-1 in flight (frozen), its lease held by this live process
            TestCatalog.execute(f.catalogUrl, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, "
                    + "prior_status) values ('m-1', 'a1', 'pool-0', 'org_a1', 'pool-1', 'org_a1__m1', 'frozen', 'active')");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only' where org_id = 'a1'");
            Worker me = Worker.current("test");
            TestCatalog.execute(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('a1', '" + me.host() + "/" + ProcessHandle.current().pid() + "/live', '" + me.host() + "', "
                    + ProcessHandle.current().pid() + ", 'move', null, now() + interval '5 minutes')");

            JsonNode plan = strictJson(ok(f.cli, "rebalance", "plan", "-o", "json"));
            assertThat(plan.get("moves")).as("a1 is on its way out of pool-0: a2 stays%n%s", plan.toPrettyString()).isEmpty();
            Map<String, JsonNode> pools = new HashMap<>();
            plan.get("pools").forEach(p -> pools.put(p.get("pool_id").asText(), p));
            assertThat(pools.get("pool-0").get("orgs_after").asInt()).as("pool-0 after a1's move: a2 alone").isEqualTo(1);
            assertThat(pools.get("pool-1").get("orgs_after").asInt()).as("pool-1: its ten and a1").isEqualTo(11);
        }
    }
}
