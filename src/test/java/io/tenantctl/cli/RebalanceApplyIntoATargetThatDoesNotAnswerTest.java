package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: a plan saved while its target pool answered, then applied once that pool had stopped answering.
 * The dry run said every move would run (exit 0, all planned) while the apply failed all of them, each with only the
 * server's address ("timed out waiting for the server"), a TO column of '-' and the next step 'rebalance move ORG --to
 * POOL', a literal placeholder. Both now refuse each move before anything is written, naming the target pool as
 * 'rebalance move' does, with a next step that can be pasted.
 */
class RebalanceApplyIntoATargetThatDoesNotAnswerTest {

    private static final String[] ORGS = {"a1", "a2", "a3", "a4"};

    @Test
    void theDryRunOfASavedPlanFailsTheMovesIntoAPoolThatDoesNotAnswer(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = drainedWithASavedPlanAndTheTargetDown(pools, dir);
            Path plan = dir.resolve("plan.json");

            Cli.Result dry = cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as("the apply fails these moves, so does its dry run: %s", dry).isEqualTo(1);
            JsonNode doc = strictJson(dry);
            assertThat(doc.get("planned").asInt()).as(doc.toString()).isZero();
            assertThat(doc.get("orgs")).hasSize(4).allSatisfy(o -> {
                assertThat(o.get("outcome").asText()).isEqualTo("failed");
                assertThat(o.get("to_pool").asText()).isEqualTo("pool-2");
                assertThat(o.get("error").asText()).contains("pool pool-2 (the move's target) does not answer");
                // the pool named once, no URI: it read "… does not answer: pool pool-2 (mongodb://…) is unreachable: …"
                assertThat(o.get("error").asText().split("pool pool-2 ", -1)).as(o.toString()).hasSize(2);
                assertThat(o.get("error").asText()).as(o.toString()).doesNotContain("mongodb://").doesNotContain("is unreachable")
                        .contains(" — see 'tenantctl pools stats pool-2'");
            });

            Cli.Result text = cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "--dry-run");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
            assertThat(text.out()).contains("0 moves would run").contains("4 would be refused");

            // planned now, the pool that does not answer is left out: no room for the drain is said, exit 1 (as before)
            Cli.Result live = cli.run("rebalance", "apply", "--freeze-grace", "0", "--dry-run");
            assertThat(live.exitCode()).as(live.toString()).isEqualTo(1);
            assertThat(live.err()).contains("bring back a pool the notes say does not answer");
            for (String org : ORGS) {
                assertThat(strictJson(ok(cli, "orgs", "show", org, "-o", "json")).get("pool_id").asText()).isEqualTo("pool-1");
            }
        }
    }

    @Test
    void eachFailedMoveNamesItsTargetAndANextStepThatCanBePasted(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = drainedWithASavedPlanAndTheTargetDown(pools, dir);
            Path plan = dir.resolve("plan.json");

            Cli.Result real = cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            JsonNode doc = strictJson(real);
            assertThat(doc.get("orgs")).hasSize(4).allSatisfy(o -> {
                assertThat(o.get("outcome").asText()).isEqualTo("failed");
                assertThat(o.get("to_pool").asText()).as(o.toString()).isEqualTo("pool-2");
                assertThat(o.get("error").asText()).contains("pool pool-2 (the move's target) does not answer")
                        .contains("tenantctl pools stats pool-2");
            });
            assertThat(doc.get("failed")).hasSize(4).allSatisfy(f -> assertThat(f.get("next_step").asText() + "   (" + f.get("next_note").asText() + ")").as(f.toString())
                    .startsWith("tenantctl pools stats pool-2")
                    .contains("tenantctl rebalance move " + f.get("org_id").asText() + " --to pool-2")
                    .doesNotContain("POOL"));
            // a target that does not answer may answer later: runs show still names the run's --resume
            String runId = doc.get("run_id").asText();
            assertThat(strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("next_step").asText())
                    .isEqualTo("tenantctl rebalance apply --resume " + runId);

            Cli.Result text = cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
            assertThat(text.out()).containsPattern("a1 +pool-1 +pool-2 +failed");
            assertThat(text.err()).contains("next: tenantctl pools stats pool-2").doesNotContain("--to POOL");
            for (String org : ORGS) {
                assertThat(strictJson(ok(cli, "orgs", "show", org, "-o", "json")).get("pool_id").asText()).isEqualTo("pool-1");
            }
        }
    }

    /**
     * The target answered its ping and stopped before the move's first read of it: the driver's own error, which failed
     * the org with no target (TO '-', next step '--to POOL'), still names the target and a move that can be pasted.
     */
    @Test
    void aTargetThatStopsAfterItsPingIsStillNamed(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(2)) {
            // each of the four moves waits out its reads' retries on the silent target: with a 300 ms connect timeout (as
            // OnCallDeadPoolMessagesTest's) rather than 1 s, as the retries, not their length, are what is tested
            Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", drainedWithASavedPlanAndTheTargetDown(pools, dir).catalogUrl(),
                    io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300", "USER", "test")).decoratePools(real -> new PoolConnector() {
                @Override
                public MongoDatabase database(String poolId, String uri, String database) {
                    return real.database(poolId, uri, database);
                }

                @Override
                public void ping(String poolId, String uri) {
                    if (!poolId.equals("pool-2")) { // pool-2 answers its ping, then nothing more
                        real.ping(poolId, uri);
                    }
                }

                @Override
                public void close() {
                    real.close();
                }
            });
            Cli.Result real = cli.run("rebalance", "apply", "--plan", dir.resolve("plan.json").toString(), "--freeze-grace", "0", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            JsonNode doc = strictJson(real);
            assertThat(doc.get("orgs")).hasSize(4).allSatisfy(o -> assertThat(o.get("to_pool").asText()).as(o.toString()).isEqualTo("pool-2"));
            assertThat(doc.get("failed")).hasSize(4).allSatisfy(f -> assertThat(f.get("next_step").asText() + "   (" + f.get("next_note").asText() + ")").as(f.toString())
                    .contains("tenantctl rebalance move " + f.get("org_id").asText() + " --to pool-2").doesNotContain("POOL"));
        }
    }

    /**
     * The plan's source pool stops answering instead: the run fails its orgs before their moves start, so no target is
     * recorded — their next step said '--to POOL', a placeholder, and now names the pool to look at and the plan to make.
     */
    @Test
    void aMoveWhoseSourceDoesNotAnswerHasANextStepThatCanBePasted(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = drainedWithASavedPlanAndTheTargetDown(pools, dir);
            ok(cli, "pools", "set-uri", "pool-2", "--uri", pools.uri(1), "--force"); // the target back
            ok(cli, "pools", "set-uri", "pool-1", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable"); // the source down
            // its dry run says the same of each move, found by probing: it stopped at the first, 'unexpected
            // MongoTimeoutException: Timed out while waiting for a server …' (exit 1, no move listed), reading its size
            Cli.Result dry = cli.run("rebalance", "apply", "--plan", dir.resolve("plan.json").toString(), "--freeze-grace", "0", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            JsonNode dryDoc = strictJson(dry);
            assertThat(dryDoc.get("orgs")).as(dry.toString()).hasSize(4).allSatisfy(o -> {
                assertThat(o.get("outcome").asText()).isEqualTo("failed");
                assertThat(o.get("error").asText()).startsWith("pool pool-1 (").contains("is unreachable").doesNotContain("unexpected");
                // found in an audit: TO '-' (no to_pool), though the plan names the target of a move that never started
                assertThat(o.get("to_pool").asText()).isEqualTo("pool-2");
                assertThat(o.get("started").asBoolean()).isFalse();
            });
            assertThat(dryDoc.get("failed")).hasSize(4).allSatisfy(f -> assertThat(f.get("next_step").asText() + "   (" + f.get("next_note").asText() + ")").as(f.toString())
                    .startsWith("tenantctl pools stats pool-1").contains("tenantctl rebalance plan").doesNotContain("POOL"));
            Cli.Result dryText = cli.run("rebalance", "apply", "--plan", dir.resolve("plan.json").toString(), "--freeze-grace", "0", "--dry-run");
            assertThat(dryText.exitCode()).as(dryText.toString()).isEqualTo(1);
            assertThat(dryText.out()).contains("0 moves would run").contains("4 would be refused");
            assertThat(dryText.err()).contains("next: tenantctl pools stats pool-1").doesNotContain("unexpected");
            assertThat(dryText.out()).containsPattern("a1 +pool-1 +pool-2 +failed");
            Cli.Result real = cli.run("rebalance", "apply", "--plan", dir.resolve("plan.json").toString(), "--freeze-grace", "0", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            assertThat(strictJson(real).get("orgs")).hasSize(4).allSatisfy(o -> {
                assertThat(o.get("to_pool").asText()).as(o.toString()).isEqualTo("pool-2");
                assertThat(o.get("started").asBoolean()).isFalse();
            });
            Cli.Result realText = cli.run("rebalance", "apply", "--plan", dir.resolve("plan.json").toString(), "--freeze-grace", "0");
            assertThat(realText.exitCode()).as(realText.toString()).isEqualTo(1);
            assertThat(realText.out()).containsPattern("a1 +pool-1 +pool-2 +failed");
            assertThat(strictJson(real).get("failed")).hasSize(4).allSatisfy(f -> assertThat(f.get("next_step").asText() + "   (" + f.get("next_note").asText() + ")").as(f.toString())
                    .startsWith("tenantctl pools stats pool-1").contains("tenantctl rebalance plan").doesNotContain("POOL"));

            // a plan written by hand, {org_id, to_pool} only: its moves are off each org's pool now, checked and named alike;
            // found by probing: its dry run stopped at 'unexpected MongoTimeoutException', and the apply failed each move
            // with the server's address only ('timed out waiting for the server'), FROM '-', next step 'rebalance status'
            Path byHand = dir.resolve("by-hand.json");
            Files.writeString(byHand, "{\"moves\": [" + String.join(", ", java.util.Arrays.stream(ORGS).map(o -> "{\"org_id\": \"" + o
                    + "\", \"to_pool\": \"pool-2\"}").toList()) + "]}");
            for (String dryRun : java.util.List.of("--dry-run", "--no-progress")) {
                Cli.Result r = cli.run("rebalance", "apply", "--plan", byHand.toString(), "--freeze-grace", "0", dryRun, "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                JsonNode doc = strictJson(r);
                assertThat(doc.get("orgs")).as(r.toString()).hasSize(4).allSatisfy(o -> {
                    assertThat(o.get("pool_id").asText()).isEqualTo("pool-1");
                    assertThat(o.get("error").asText()).startsWith("pool pool-1 (").contains("is unreachable");
                });
                assertThat(doc.get("failed")).hasSize(4).allSatisfy(f -> assertThat(f.get("next_step").asText()).as(f.toString())
                        .isEqualTo("tenantctl pools stats pool-1"));
            }
            for (String org : ORGS) {
                assertThat(strictJson(ok(cli, "orgs", "show", org, "-o", "json")).get("pool_id").asText()).isEqualTo("pool-1");
            }
        }
    }

    /** pool-1 (capacity 4) holds a1..a4 and drains; the plan saved moves them to pool-2, which then stops answering. */
    private static Cli drainedWithASavedPlanAndTheTargetDown(TestPools pools, Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 4, 1);
        CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
        ok(cli, "provision", "a1", "a2", "a3", "a4", "--schema", schema.toString(), "--pool", "pool-1");
        ok(cli, "pools", "drain", "pool-1");
        JsonNode plan = strictJson(ok(cli, "rebalance", "plan", "-o", "json"));
        assertThat(plan.get("moves")).hasSize(4).allSatisfy(m -> assertThat(m.get("to_pool").asText()).isEqualTo("pool-2"));
        Files.writeString(dir.resolve("plan.json"), plan.toString());
        ok(cli, "pools", "set-uri", "pool-2", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");
        return cli.quickToGiveUpOnDeadPools();
    }
}
