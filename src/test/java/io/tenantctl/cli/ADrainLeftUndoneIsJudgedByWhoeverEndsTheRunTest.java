package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code rebalance apply} that plans a drain the other pools have room for only in part leaves the rest on the draining
 * pool: it exits 1 and its run ends failed, naming them. That judgement was the planning process's alone (what its plan
 * could not place, held in its memory): a {@code --resume} of the run, a worker that {@code --join}ed a {@code --detach}ed
 * one, or one that joined and finished the run after its planner stalled, ended the very same run {@code succeeded}
 * with exit 0, the orgs still on the draining pool. The run now records what its plan could not place, and whichever
 * worker ends it judges it from that.
 */
class ADrainLeftUndoneIsJudgedByWhoeverEndsTheRunTest {

    /** pool-0 drained with acme and globex on it; pool-1 has room for one of them only. */
    static BackupFixture fleet(Path dir) {
        return fleet(dir, 2);
    }

    /** As {@link #fleet(Path)}, with {@code pools} pools: pool-2 on, room in it (a drain must name it in --pool to use it). */
    static BackupFixture fleet(Path dir, int pools) {
        BackupFixture f = new BackupFixture(pools, dir);
        f.provision("acme", "globex");
        f.notes("acme", "notes", 20);
        f.notes("globex", "notes", 30);
        ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1");
        ok(f.cli, "pools", "drain", "pool-0");
        return f;
    }

    /** The end state: one org moved to pool-1 with every document, the other on draining pool-0 as it was. */
    private static String assertOneMovedOneLeft(BackupFixture f, Map<String, Map<String, List<RawBsonDocument>>> before, JsonNode left) {
        String moved = f.org("acme").get("pool_id").asText().equals("pool-1") ? "acme" : "globex";
        String stayed = moved.equals("acme") ? "globex" : "acme";
        assertThat(f.org(moved).get("pool_id").asText()).isEqualTo("pool-1");
        assertThat(f.org(stayed).get("pool_id").asText()).isEqualTo("pool-0");
        f.assertHolds(moved, before.get(moved));
        f.assertHolds(stayed, before.get(stayed));
        assertThat(left.toString()).isEqualTo("{\"pool-0\":[\"" + stayed + "\"]}");
        // rebalance status agrees: one move, the moved org's, done into pool-1
        JsonNode moves = strictJson(ok(f.cli, "rebalance", "status", "-o", "json"));
        List<JsonNode> done = new java.util.ArrayList<>();
        moves.forEach(m -> done.add(m)); // the stalled planner's move, rolled back, is listed too: aborted
        assertThat(done.stream().filter(m -> !m.get("state").asText().equals("aborted")).toList()).as(moves.toString()).hasSize(1);
        JsonNode move = done.stream().filter(m -> !m.get("state").asText().equals("aborted")).findFirst().orElseThrow();
        assertThat(move.get("org_id").asText()).isEqualTo(moved);
        assertThat(move.get("state").asText()).as(move.toString()).isEqualTo("retained");
        assertThat(move.get("to_pool").asText()).isEqualTo("pool-1");
        // verify agrees: the moved org's source is retained on pool-0, after its move to pool-1; the other has none
        Cli.Result verify = f.cli.run("verify", "-o", "json");
        List<JsonNode> retained = new java.util.ArrayList<>();
        strictJson(verify).get("findings").forEach(x -> {
            if (x.get("kind").asText().equals("retained_copy")) {
                retained.add(x);
            }
        });
        assertThat(retained).as(verify.toString()).hasSize(1);
        assertThat(retained.get(0).get("org_id").asText()).isEqualTo(moved);
        assertThat(retained.get(0).get("detail").asText()).contains("to pool-1");
        return stayed;
    }

    private static Map<String, Map<String, List<RawBsonDocument>>> contents(BackupFixture f) {
        return Map.of("acme", BackupFixture.contents(f.db("acme")), "globex", BackupFixture.contents(f.db("globex")));
    }

    /** The run is recorded failed, its reason naming the org left on the draining pool. */
    private static void assertRunFailed(BackupFixture f, String runId, String stayed) {
        JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("failed");
        assertThat(run.path("reason").asText()).as(run.toString())
                .contains("1 draining pool still holds 1 org no active pool had room for: pool-0 (" + stayed + ")");
    }

    @Test
    void aResumeOfTheRunJudgesItsDrainAsItsPlannerDid(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            Map<String, Map<String, List<RawBsonDocument>>> before = contents(f);
            Cli.Result planner = f.cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(planner.exitCode()).as(planner.toString()).isEqualTo(1);
            String runId = strictJson(planner).get("run_id").asText();
            assertThat(strictJson(planner).get("status").asText()).isEqualTo("failed");

            Cli.Result resumed = f.cli.run("rebalance", "apply", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as("the resume ends the run and its drain is still undone: %s", resumed).isEqualTo(1);
            JsonNode doc = strictJson(resumed);
            assertThat(doc.get("status").asText()).as(resumed.toString()).isEqualTo("failed");
            String stayed = assertOneMovedOneLeft(f, before, doc.get("left_on_draining"));
            assertRunFailed(f, runId, stayed);
        }
    }

    @Test
    void aWorkerThatJoinsADetachedDrainJudgesItAsItsPlannerWould(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            Map<String, Map<String, List<RawBsonDocument>>> before = contents(f);
            Cli.Result detached = f.cli.run("rebalance", "apply", "--freeze-grace", "0", "--detach", "-o", "json");
            assertThat(detached.exitCode()).as(detached.toString()).isZero();
            String runId = strictJson(detached).get("run_id").asText();

            Cli.Result joined = f.cli.run("rebalance", "apply", "--join", runId, "-o", "json");
            assertThat(joined.exitCode()).as("the joined worker ends the run, its drain undone: %s", joined).isEqualTo(1);
            JsonNode doc = strictJson(joined);
            assertThat(doc.get("status").asText()).as(joined.toString()).isEqualTo("failed");
            assertThat(joined.err()).contains("pool pool-0 is draining and still holds 1 org");
            String stayed = assertOneMovedOneLeft(f, before, doc.get("left_on_draining"));
            assertRunFailed(f, runId, stayed);
        }
    }

    /**
     * The planner killed once its move was done (org flipped, source retained) but before it recorded the item: the next
     * command that recovers the move ({@code rebalance resume} here, any sweep alike) records the item and ends the run,
     * and ended it {@code succeeded}, the other org still on the draining pool. The drain is narrowed by --pool, pool-2
     * with room left out: the resume says so as the planner did (it said only "raise a capacity, or add a pool").
     */
    @Test
    void aRunEndedByTheRecoveryOfItsPlannersDeadMoveJudgesItsDrainAsItsPlannerDid(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir, 3)) {
            Cli.Result planner = f.cli.run("rebalance", "apply", "--pool", "pool-0,pool-1", "--freeze-grace", "0", "-o", "json");
            assertThat(planner.exitCode()).as(planner.toString()).isEqualTo(1);
            String runId = strictJson(planner).get("run_id").asText();
            String moved = f.org("acme").get("pool_id").asText().equals("pool-1") ? "acme" : "globex";
            String stayed = moved.equals("acme") ? "globex" : "acme";
            // what kill -9 leaves once the move is retained, before the item's outcome is recorded: the item claimed by
            // the dead planner (a process of this host that is gone), its move lease, the run still running
            io.tenantctl.ops.run.Worker here = io.tenantctl.ops.run.Worker.current("test");
            long pid = CliFixture.deadPid();
            String dead = here.host() + "/" + pid + "/dead";
            CliFixture.sql(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = now() + "
                    + "interval '1 minute', millis = null, detail = null where run_id = '" + runId + "' and org_id = '" + moved + "'");
            CliFixture.sql(f.catalogUrl, "update runs set status = 'running', finished_at = null, reason = null where run_id = '" + runId + "'");
            CliFixture.sql(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values ('"
                    + moved + "', '" + dead + "', '" + here.host() + "', " + pid + ", 'move', '" + runId + "', now() + interval '1 minute')");

            Cli.Result resumed = f.cli.run("rebalance", "resume");
            assertThat(resumed.out()).as(resumed.toString()).contains("its run " + runId + " is finished (failed)");
            // the run it ended failed for its drain left undone: exit 1 and the orgs still there, as apply --resume says (below)
            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
            assertThat(resumed.err()).as(resumed.toString()).contains("pool pool-0 is draining and still holds 1 org").contains(stayed)
                    .contains("pool pool-2 has room but is not in --pool").contains("name the pools with room the notes list in --pool");
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(CliFixture.runItem(run, moved).get("status").asText()).as(run.toString()).isEqualTo("succeeded");
            assertRunFailed(f, runId, stayed);
            assertThat(f.org(stayed).get("pool_id").asText()).isEqualTo("pool-0");
            Cli.Result resumedAgain = f.cli.run("rebalance", "resume", "-o", "json");
            assertThat(resumedAgain.exitCode()).as("no run ended by this one: %s", resumedAgain).isZero();
            assertThat(strictJson(resumedAgain).get("left_on_draining").toString()).isEqualTo("{}");
            // and a --resume of it, with nothing left to do, still says so: exit 1, the org left listed
            Cli.Result again = f.cli.run("rebalance", "apply", "--resume", runId, "-o", "json");
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
            assertThat(strictJson(again).get("left_on_draining").toString()).isEqualTo("{\"pool-0\":[\"" + stayed + "\"]}");
        }
    }

    /**
     * A drain narrowed by --pool leaves an org that a pool outside --pool had room for: the planner's notes name that pool
     * and the --pool that takes it in, and its error line says to name it there. A worker that --join'ed the run, and a
     * --resume of it, said only "raise a capacity, or add a pool" (no notes: they were the planner's alone), though room
     * was there. They now say what the planner said, and following it drains the pool.
     */
    @Test
    void aWorkerThatDidNotPlanADrainNarrowedByPoolSaysWhatItsPlannerSaid(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme", "globex");
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(List.of("acme", "globex"), 20);
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1");
            ok(f.cli, "pools", "drain", "pool-0");
            String note = "pool pool-2 has room but is not in --pool: name it there too ('--pool pool-0,pool-1,pool-2')";
            String hint = "name the pools with room the notes list in --pool";
            Cli.Result detached = f.cli.run("rebalance", "apply", "--pool", "pool-0,pool-1", "--freeze-grace", "0", "--detach", "-o", "json");
            assertThat(detached.exitCode()).as(detached.toString()).isZero();
            String runId = strictJson(detached).get("run_id").asText();
            assertThat(strictJson(detached).get("notes").toString()).as(detached.toString()).contains(note);

            Cli.Result joined = f.cli.run("rebalance", "apply", "--join", runId);
            assertThat(joined.exitCode()).as(joined.toString()).isEqualTo(1);
            assertThat(joined.err()).as(joined.toString()).contains(note).contains("pool pool-0 is draining and still holds 1 org")
                    .contains(hint);
            Cli.Result resumed = f.cli.run("rebalance", "apply", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
            assertThat(resumed.err()).as(resumed.toString()).contains(hint);
            assertThat(strictJson(resumed).get("notes").toString()).as(resumed.toString()).contains(note);
            String stayed = strictJson(resumed).get("left_on_draining").get("pool-0").get(0).asText();

            // as the note says: the drain with pool-2 named too moves the org left, and the drain is done
            Cli.Result drained = f.cli.run("rebalance", "apply", "--pool", "pool-0,pool-1,pool-2", "--freeze-grace", "0", "-o", "json");
            assertThat(drained.exitCode()).as(drained.toString()).isZero();
            assertThat(f.org(stayed).get("pool_id").asText()).isEqualTo("pool-2");
            f.assertHolds("acme", before.get("acme"));
            f.assertHolds("globex", before.get("globex"));
        }
    }

    @Test
    void aDetachedDrainWithNoRoomForAnyOrgIsEndedFailedByItsCreator(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.provisionTier("free", "pool-1", "globex");
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1"); // full: no room for acme
            ok(f.cli, "pools", "drain", "pool-0");
            // nothing to move: the run is over as the --detach records it, and ends as the drain stands, not succeeded
            Cli.Result detached = f.cli.run("rebalance", "apply", "--detach", "-o", "json");
            assertThat(detached.exitCode()).as("the --detach ended the run, its drain undone: %s", detached).isEqualTo(1);
            JsonNode doc = strictJson(detached);
            assertThat(doc.get("status").asText()).as(detached.toString()).isEqualTo("failed");
            assertThat(doc.get("left_on_draining").toString()).isEqualTo("{\"pool-0\":[\"acme\"]}");
            assertRunFailed(f, doc.get("run_id").asText(), "acme");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.org("globex").get("pool_id").asText()).isEqualTo("pool-1");
        }
    }

    @Test
    void aWorkerThatJoinsAndEndsTheRunOfAStalledPlannerJudgesItAsThePlannerWould(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            Map<String, Map<String, List<RawBsonDocument>>> before = contents(f);
            // the planner stalls in its move's first create on the target (kill -STOP), past its leases
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(name -> name.startsWith("org_"));
            java.util.concurrent.CompletableFuture<Cli.Result> planner = held.cli().start("rebalance", "apply", "--freeze-grace", "0",
                    "-o", "json");
            try {
                assertThat(held.awaitReached()).as("the planner reached its move's copy").isTrue();
                String runId = strictJson(ok(f.cli, "runs", "list", "--verb", "rebalance", "-o", "json")).get("runs").get(0)
                        .get("run_id").asText();
                f.expireLeases();
                f.expireItemClaims();

                // a worker joins: its lease recovery rolls the stalled move back, it moves the org and ends the run
                Cli.Result joined = f.cli.run("rebalance", "apply", "--join", runId, "-o", "json");
                assertThat(joined.exitCode()).as("the joined worker ended the run, its drain undone: %s", joined).isEqualTo(1);
                JsonNode doc = strictJson(joined);
                assertThat(doc.get("status").asText()).as(joined.toString()).isEqualTo("failed");
                held.release();
                planner.get(120, TimeUnit.SECONDS);
                String stayed = assertOneMovedOneLeft(f, before, doc.get("left_on_draining"));
                assertRunFailed(f, runId, stayed);
            } finally {
                held.release();
            }
        }
    }
}
