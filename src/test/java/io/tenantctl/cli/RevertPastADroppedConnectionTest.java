package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rebalance revert} reads both sides whole (each taken as the ledger was) before it flips the org back. Those reads
 * were not made again after a dropped connection: one cut halfway through the target's read failed the revert, the org
 * left where it was, and the operator had to run it again by hand. They read on from the last _id they read.
 */
class RevertPastADroppedConnectionTest {

    @TempDir
    Path dir;

    @Test
    void theRevertsReadOfTheTargetGoesOnAfterADroppedConnection() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500); // three batches
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0s", "-o", "json"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();

            AtomicBoolean dropped = new AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.databases(real, (pool, uri, name) -> !pool.equals("pool-1")
                    ? real.database(pool, uri, name)
                    : HookedPools.aroundCollectionCall(real.database(pool, uri, name), "find", (collection, args, find) ->
                            !collection.equals("notes") ? find.get()
                                    : HookedPools.dropsItsCursor(find.get(), 500, projection -> dropped.compareAndSet(false, true)))));
            Cli.Result r = cli.run("rebalance", "revert", moveId);

            assertThat(dropped).as("the revert's read of the target lost its connection: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            f.assertHolds("acme", before);
        }
    }

    /**
     * Found by probing: a revert (and its dry run) whose target or retained source pool does not answer failed with
     * 'unexpected MongoTimeoutException: Timed out while waiting for a server …', exit 1, after waiting out its retries;
     * each side is pinged first, and one that does not answer is named, exit 3, before the org is frozen.
     */
    @Test
    void aPoolThatDoesNotAnswerIsNamedBeforeTheOrgIsFrozen() {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme"); // moved pool-0 → pool-1, then pool-1 (its target, where it is) stops
            f.provisionTier("free", "pool-2", "beta"); // moved pool-2 → pool-0, then pool-2 (its retained source) stops
            f.notes("acme", "notes", 20);
            f.notes("beta", "notes", 20);
            Map<String, String> moveOf = new java.util.HashMap<>();
            for (String[] m : List.of(new String[]{"acme", "pool-1"}, new String[]{"beta", "pool-0"})) {
                moveOf.put(m[0], strictJson(ok(f.cli, "rebalance", "move", m[0], "--to", m[1], "--freeze-grace", "0s", "-o", "json"))
                        .get("orgs").get(0).get("move_id").asText());
            }
            Map<String, List<RawBsonDocument>> acme = BackupFixture.contents(f.db("acme")), beta = BackupFixture.contents(f.db("beta"));
            f.pools.kill(1);
            f.pools.kill(2);
            Cli cli = f.newCli().quickToGiveUpOnDeadPools();
            for (String dryRun : List.of("--dry-run", "--no-progress")) {
                Cli.Result a = cli.run("rebalance", "revert", moveOf.get("acme"), dryRun, "-o", "json");
                assertThat(a.exitCode()).as(a.toString()).isEqualTo(3);
                assertThat(strictJson(a).get("error").get("message").asText()).as(a.toString())
                        .startsWith("pool pool-1 (org acme's pool, the move's target) does not answer: ").contains("see 'tenantctl pools stats pool-1'");
                Cli.Result b = cli.run("rebalance", "revert", moveOf.get("beta"), dryRun);
                assertThat(b.exitCode()).as(b.toString()).isEqualTo(3);
                assertThat(b.err()).as(b.toString()).startsWith("error: pool pool-2 (the move's retained source) does not answer: ")
                        .contains("see 'tenantctl pools stats pool-2'").doesNotContain("unexpected");
                assertThat(b.err().lines()).hasSize(1);
            }
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertHolds("beta", beta);
            assertThat(f.org("beta").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(strictJson(ok(f.cli, "rebalance", "status", "-o", "json"))).allSatisfy(m -> assertThat(m.get("state").asText()).isEqualTo("retained"));
        }
    }

    /**
     * Found by probing: the target answered the revert's ping and stopped as the revert read it, the org frozen: the org
     * was thawed, but the line was 'unexpected MongoTimeoutException: …' (exit 1, internal); it names the pool, exit 3.
     */
    @Test
    void aPoolThatStopsAnsweringDuringTheRevertIsNamedAndTheOrgThawed() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String moveId = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0s", "-o", "json"))
                    .get("orgs").get(0).get("move_id").asText();
            AtomicBoolean killed = new AtomicBoolean();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300", "USER", "test"))
                    .decoratePools(real -> HookedPools.databases(real, (pool, uri, name) -> !pool.equals("pool-1") ? real.database(pool, uri, name)
                            : HookedPools.beforeEach(real.database(pool, uri, name), "getCollection", args -> {
                        if (killed.compareAndSet(false, true)) {
                            f.pools.kill(1);
                        }
                    })));
            Cli.Result r = cli.run("rebalance", "revert", moveId, "-o", "json");

            assertThat(killed).as("pool-1 stopped during the revert: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).startsWith("revert of move " + moveId
                    + " stopped: pool pool-1 stopped answering (").contains("org acme is on pool-1/org_acme as it was")
                    .contains("tenantctl pools stats pool-1").doesNotContain("unexpected");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.org("acme").get("status").asText()).as("thawed").isEqualTo("active");
            assertThat(strictJson(ok(f.cli, "rebalance", "status", moveId, "-o", "json")).get("state").asText()).isEqualTo("retained");
        }
    }
}
