package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.args;
import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Fill-then-spill across three small pools, then what happens when the fleet is full. */
class ProvisionCapacityTest {

    private static TestPools pools;

    @BeforeAll
    static void startPools() {
        pools = new TestPools(3);
    }

    @AfterAll
    static void stopPools() {
        pools.close();
    }

    private static Map<String, Integer> fill(Cli cli) {
        JsonNode list = CliFixture.strictJson(ok(cli, "pools", "list", "-o", "json"));
        Map<String, Integer> out = new HashMap<>();
        list.get("pools").forEach(p -> out.put(p.get("pool_id").asText(), p.get("orgs").asInt()));
        return out;
    }

    /**
     * The first pool in fill order does not answer: new orgs spill to the next one instead of being placed there and
     * failing (their failed rows also took the dead pool's places). A pool named with --pool is not passed over.
     */
    @Test
    void newOrgsSpillPastAPoolThatDoesNotAnswer(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "300", "USER", "test"));
        CliFixture.addPool(cli, "pool-dead", "mongodb://127.0.0.1:1/", 20, 1);
        CliFixture.addPool(cli, "pool-live", pools.uri(0), 20, 2);
        Path schemaFile = CliFixture.smallSchema(dir);

        Cli.Result r = cli.run("provision", "sp-1", "sp-2", "sp-3", "--schema", schemaFile.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(CliFixture.strictJson(r).get("provisioned").asInt()).isEqualTo(3);
        assertThat(r.err()).contains("pool pool-dead").contains("new orgs are placed on the other pools");
        assertThat(fill(cli)).containsEntry("pool-dead", 0).containsEntry("pool-live", 3);
        CliFixture.assertClean(url, schemaFile, List.of("sp-1", "sp-2", "sp-3"));

        Cli.Result pinned = cli.run("provision", "sp-4", "--pool", "pool-dead", "--schema", schemaFile.toString(), "-o", "json");
        assertThat(pinned.exitCode()).as(pinned.toString()).isEqualTo(1);
        assertThat(CliFixture.strictJson(pinned).get("failed").get(0).get("error").asText()).contains("pool-dead");
    }

    /**
     * Found in review: a provision pinged the pools its new orgs could go to while it held the lock every provision records
     * its run under, so a pool that did not answer (a whole connect timeout per ping) held every other provision's
     * recording behind it, whatever its orgs and pools. The ping is made before that lock: here the first provision is
     * stopped inside its ping of a silent pool, and a provision of another org onto a live pool records and makes it
     * meanwhile, waiting on no lock; woken, the first spills past the silent pool as before.
     */
    @Test
    void aProvisionPingingASilentPoolHoldsNoOtherProvisionBehindIt(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-silent", pools.uri(0), 20, 1);
        CliFixture.addPool(cli, "pool-live", pools.uri(1), 20, 2);
        String schema = CliFixture.smallSchema(dir).toString();
        try (io.tenantctl.testing.Pause inPing = io.tenantctl.testing.Pause.at(1)) {
            Cli pinging = Cli.withCatalog(url).quickToGiveUpOnDeadPools().decoratePools(real -> io.tenantctl.testing.HookedPools.onPing(
                    io.tenantctl.testing.HookedPools.silentWhile(real, "pool-silent", () -> true), pool -> {
                        if (pool.equals("pool-silent")) {
                            inPing.call();
                        }
                    }));
            java.util.concurrent.CompletableFuture<Cli.Result> first = pinging.start("provision", "held-1", "--schema", schema, "-o", "json");
            inPing.awaitPaused("the first provision's ping of pool-silent");

            java.util.concurrent.CompletableFuture<Cli.Result> second = Cli.withCatalog(url).start("provision", "held-2", "--pool", "pool-live",
                    "--schema", schema, "-o", "json");
            boolean waited = CliFixture.waitsOnAnAdvisoryLock(url, second);
            inPing.wake();
            Cli.Result other = second.get(60, java.util.concurrent.TimeUnit.SECONDS);
            Cli.Result pinged = first.get(60, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(waited).as("the second provision waited on a lock the first held in its ping: %s", other).isFalse();
            assertThat(other.exitCode()).as(other.toString()).isZero();
            assertThat(CliFixture.strictJson(other).get("provisioned").asInt()).isEqualTo(1);
            assertThat(pinged.exitCode()).as(pinged.toString()).isZero();
            assertThat(CliFixture.strictJson(pinged).get("provisioned").asInt()).isEqualTo(1);
            assertThat(pinged.err()).as(pinged.toString()).contains("new orgs are placed on the other pools");
            assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "held-1", "-o", "json")).get("pool_id").asText()).isEqualTo("pool-live");
            assertThat(fill(cli)).containsEntry("pool-silent", 0).containsEntry("pool-live", 2);
            assertThat(CliFixture.count(url, "select count(*) from runs")).as("runs recorded").isEqualTo(2);
        }
    }

    /**
     * Found by probing: 'provision acme --pool pool-b' of an acme that lives on pool-a said "unchanged" and nothing of
     * the --pool it did not apply. It is still unchanged (a signup list re-run stays exit 0), and one line says so.
     */
    @Test
    void aPoolPinThatAnExistingOrgIsNotOnIsSaidNotSilentlyIgnored(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 20, 1);
        CliFixture.addPool(cli, "pool-b", pools.uri(1), 20, 2);
        String schema = CliFixture.smallSchema(dir).toString();
        CliFixture.ok(cli, "provision", "acme", "--schema", schema);

        Cli.Result r = cli.run("provision", "acme", "--pool", "pool-b", "--schema", schema, "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(CliFixture.strictJson(r).get("unchanged").asInt()).isEqualTo(1);
        assertThat(r.err()).contains("1 org exists already on another pool than --pool pool-b").contains("acme (on pool-a)")
                .contains("rebalance move ORG --to pool-b");
        assertThat(fill(cli)).containsEntry("pool-a", 1).containsEntry("pool-b", 0);
        assertThat(cli.run("provision", "acme", "--pool", "pool-a", "--schema", schema).err()).doesNotContain("another pool");
    }

    /**
     * A dry run plans its new orgs a page (1,000) at a time, as the run places them: each page placed as if the pages
     * before it were, so that it spills where the run would, not onto the places the plan already gave away.
     */
    @Test
    void aDryRunOfMoreNewOrgsThanAPageSpillsWhereTheRunWould(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 1001, 1);
        CliFixture.addPool(cli, "pool-b", pools.uri(1), 10, 2);
        Cli.Result r = cli.run(args(List.of("provision", "--dry-run", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json"),
                ids("signup-", 0, 1003)));
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> placed = new ArrayList<>();
        CliFixture.strictJson(r).get("orgs").forEach(o -> placed.add(o.get("org_id").asText() + " " + o.get("pool_id").asText()
                + " " + o.get("outcome").asText()));
        assertThat(placed).hasSize(1003).startsWith("signup-0 pool-a planned")
                .endsWith("signup-1000 pool-a planned", "signup-1001 pool-b planned", "signup-1002 pool-b planned");
        assertThat(fill(cli)).as("a dry run writes nothing").containsEntry("pool-a", 0).containsEntry("pool-b", 0);
    }

    @Test
    void fillsThenSpillsAndRefusesWhatDoesNotFit(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        // priorities deliberately not in name order: placement must follow priority, not pool id
        CliFixture.addPool(cli, "pool-c", pools.uri(0), 20, 1);
        CliFixture.addPool(cli, "pool-a", pools.uri(1), 20, 2);
        CliFixture.addPool(cli, "pool-b", pools.uri(2), 20, 3);
        Path schemaFile = CliFixture.smallSchema(dir);
        String schema = schemaFile.toString();
        List<String> head = List.of("provision", "--schema", schema, "-o", "json");

        // 50 orgs in three runs, as a pipeline would send them in batches
        List<String> first = ids("org-", 0, 50);
        for (List<String> batch : List.of(first.subList(0, 17), first.subList(17, 34), first.subList(34, 50))) {
            Cli.Result r = cli.run(args(head, batch));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(CliFixture.strictJson(r).get("provisioned").asInt()).isEqualTo(batch.size());
        }
        assertThat(fill(cli)).containsExactlyInAnyOrderEntriesOf(Map.of("pool-c", 20, "pool-a", 20, "pool-b", 10));
        JsonNode org0 = CliFixture.strictJson(ok(cli, "orgs", "show", "org-0", "-o", "json"));
        assertThat(org0.get("pool_id").asText()).isEqualTo("pool-c");
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "org-49", "-o", "json")).get("pool_id").asText()).isEqualTo("pool-b");

        // a fourth run with 15 more: 10 fit, 5 do not
        List<String> more = ids("late-", 0, 15);
        Cli.Result r = cli.run(args(List.of("provision", "--schema", schema), more));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        List<String> refused = new ArrayList<>();
        for (String id : more) {
            Cli.Result show = cli.run("orgs", "show", id, "-o", "json");
            if (show.exitCode() == 0) {
                assertThat(show.json().get("status").asText()).as(id).isEqualTo("active");
                assertThat(show.json().get("pool_id").asText()).as(id).isEqualTo("pool-b");
            } else {
                assertThat(show.exitCode()).as(show.toString()).isEqualTo(2);
                refused.add(id);
            }
        }
        assertThat(refused).hasSize(5);
        for (String id : refused) {
            assertThat(r.err()).as("stderr names %s with the reason", id).containsPattern("(?m)^failed: " + id + ": no capacity");
        }
        assertThat(fill(cli)).containsExactlyInAnyOrderEntriesOf(Map.of("pool-c", 20, "pool-a", 20, "pool-b", 20));
        List<String> active = CliFixture.orgIds(cli, "active");
        assertThat(active).hasSize(60);

        // end state: every org provisioned, on all three pools, in a clean run and in the one that ran out of room, has
        // its whole schema (all 60: cheap); the refused ones left no database on any pool
        CliFixture.assertClean(url, schemaFile, active);
        for (int i = 0; i < 3; i++) {
            assertThat(pools.databaseNames(i)).as("pool %d", i).doesNotContainAnyElementsOf(refused.stream().map(MigrateAllFixture::db).toList());
        }
    }
}
