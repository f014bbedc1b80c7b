package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red-team: a plan made stale by provisions. {@code rebalance plan -o json > plan.json} drains acme off pool-0 into
 * pool-1; before it is applied, provisioning fills pool-1. {@code rebalance apply --plan plan.json} rightly refuses the
 * move ("pool pool-1 is full"), exit 1, but every failed move gets the same next step whatever failed it: "tenantctl
 * rebalance status (then, to try again: tenantctl rebalance move acme --to pool-1)". Run as printed, that retry is
 * refused again, for the same reason, while pool-2 has room for nine: the on-call engineer follows the hint into the
 * same wall. The next step of a move refused for its target (full, draining, disabled) or a stale plan must be one
 * that works: a new plan ('rebalance plan' / 'rebalance apply'), or a move to a pool with room.
 */
class StalePlanIntoAFilledPoolNextStepTest {

    @TempDir
    Path dir;

    @Test
    void theNextStepOfAMoveRefusedByAFullTargetWorksWhenRun() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            f.seedNotes("acme", 100);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            ok(f.cli, "pools", "drain", "pool-0");
            Cli.Result planned = ok(f.cli, "rebalance", "plan", "-o", "json");
            JsonNode plan = strictJson(planned);
            assertThat(plan.get("moves")).hasSize(1);
            assertThat(plan.get("moves").get(0).get("to_pool").asText()).isEqualTo("pool-1");
            Path planFile = dir.resolve("plan.json");
            Files.writeString(planFile, planned.out());

            // meanwhile: pool-1 gets its last org
            f.provisionTier("free", "pool-1", "globex");
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1");

            Cli.Result applied = f.cli.run("rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "-o", "json");
            assertThat(applied.exitCode()).as(applied.toString()).isEqualTo(1);
            JsonNode failed = strictJson(applied).get("failed");
            assertThat(failed).as(applied.toString()).hasSize(1);
            String next = failed.get(0).get("next_step").asText();
            assertThat(failed.get(0).get("error").asText()).contains("full");

            CliFixture.followNextStep(f.cli, next);
            assertThat(f.org("acme").get("pool_id").asText()).as("following the next step moves acme off draining pool-0")
                    .isNotEqualTo("pool-0");
            f.assertHolds("acme", before);
        }
    }
    /**
     * Three moves of one apply refused by their full target, one pool with two free places, one of them its own fourth
     * move's (still to start when the others failed): each failed move's next step named that pool ("rebalance move ORG
     * --to pool-2" three times), so after the fourth move took its place the first one run as printed moved its org and
     * the next two were refused, "pool pool-2 is full" (exit 1). One apply names a pool in its next steps no more times
     * than it has places, its own moves still to start counted: the first gets pool-2, the others the way to make room.
     * Each next step, run as printed, works; pool-2 is never overfilled, and every org holds its documents wherever it ends.
     */
    @Test
    void failedMovesAreNotAllSentToTheOneFreePlace() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            List<String> orgs = List.of("acme", "globex", "initech", "umbrella");
            f.provision(orgs.toArray(String[]::new));
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(orgs, 20);
            f.provisionTier("free", "pool-1", "hooli");
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1"); // the plan's target: full
            ok(f.cli, "pools", "set-capacity", "pool-2", "--capacity", "2"); // umbrella's place, and one more
            Path planFile = dir.resolve("plan.json");
            Files.writeString(planFile, "{\"moves\": [" + String.join(", ", orgs.stream().map(o -> "{\"org_id\": \"" + o
                    + "\", \"from_pool\": \"pool-0\", \"to_pool\": \"" + (o.equals("umbrella") ? "pool-2" : "pool-1") + "\"}").toList()) + "]}");

            Cli.Result dry = f.cli.run("rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            List<String> dryNexts = new java.util.ArrayList<>();
            strictJson(dry).get("failed").forEach(x -> dryNexts.add(x.get("next_step").asText()));
            assertThat(dryNexts).as("the dry run names the next steps the apply will: %s", dry).hasSize(3);
            assertThat(dryNexts.stream().filter(n -> n.contains("--to pool-2"))).as(dry.toString()).hasSize(1);
            // a dry run's next step never moves an org (pasted, or run by a tool that follows next_step): the move's dry run
            assertThat(dryNexts.stream().filter(n -> n.startsWith("tenantctl rebalance move "))).as(dry.toString()).isNotEmpty()
                    .allMatch(n -> n.endsWith(" --dry-run"));
            Cli.Result dryText = f.cli.run("rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "--dry-run");
            assertThat(dryText.exitCode()).as(dryText.toString()).isEqualTo(1);
            assertThat(dryText.err()).as(dryText.toString()).contains("next: tenantctl rebalance move ")
                    .doesNotContainPattern("next: tenantctl rebalance move (?!.*--dry-run)");
            dryNexts.stream().filter(n -> n.startsWith("tenantctl rebalance move ")).forEach(n -> CliFixture.followNextStep(f.cli, n));
            assertThat(orgs).as("the dry run's next steps, followed, moved nothing").allMatch(o -> f.org(o).get("pool_id").asText().equals("pool-0"));

            Cli.Result applied = f.cli.run("rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "-o", "json");
            assertThat(applied.exitCode()).as(applied.toString()).isEqualTo(1);
            JsonNode failed = strictJson(applied).get("failed");
            assertThat(failed).as(applied.toString()).hasSize(3);
            List<String> nexts = new java.util.ArrayList<>();
            failed.forEach(x -> nexts.add(x.get("next_step").asText()));
            assertThat(nexts.stream().filter(n -> n.contains("--to pool-2"))).as(applied.toString()).hasSize(1);
            assertThat(f.org("umbrella").get("pool_id").asText()).isEqualTo("pool-2");

            for (String next : nexts) {
                CliFixture.followNextStep(f.cli, next);
            }
            assertThat(orgs.stream().filter(o -> f.org(o).get("pool_id").asText().equals("pool-2"))).hasSize(2);
            for (String o : orgs) {
                f.assertHolds(o, before.get(o));
            }
        }
    }

    /**
     * Two --join workers of one apply fail their moves at once, one free place between them: the first, having read the
     * run's recorded next steps, is held (its ping of pool-2) before it records its own while the second decides. Each
     * read none recorded and both named pool-2, so one of them, run as printed, was refused "pool pool-2 is full". The
     * workers choose one at a time, each reading what the one before recorded: one names pool-2, the other says no pool
     * has room; every next step run as printed works, pool-2 is never overfilled, every org holds its documents.
     */
    @Test
    void twoWorkersFailingAtOnceDoNotBothNameTheOneFreePlace() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10);
             io.tenantctl.testing.Pause atPing = io.tenantctl.testing.Pause.at(1);
             java.sql.Connection c = java.sql.DriverManager.getConnection(f.catalogUrl)) {
            List<String> orgs = List.of("acme", "globex");
            f.provision(orgs.toArray(String[]::new));
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(orgs, 20);
            f.provisionTier("free", "pool-1", "hooli");
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1"); // the plan's target: full
            ok(f.cli, "pools", "set-capacity", "pool-2", "--capacity", "1"); // one free place
            Path planFile = dir.resolve("plan.json");
            Files.writeString(planFile, "{\"moves\": [" + String.join(", ", orgs.stream().map(o -> "{\"org_id\": \"" + o
                    + "\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}").toList()) + "]}");
            Cli.Result detached = f.cli.run("rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "--per-pool", "2", "--detach", "-o", "json");
            assertThat(detached.exitCode()).as(detached.toString()).isZero();
            String runId = strictJson(detached).get("run_id").asText();

            // the first worker fails its move and is held as it checks pool-2, the pool it would name
            Cli held = f.newCli().decoratePools(real -> io.tenantctl.testing.HookedPools.onPing(real, pool -> {
                if (pool.equals("pool-2")) {
                    atPing.call();
                }
            }));
            var first = held.start("rebalance", "apply", "--join", runId, "--concurrency", "1", "-o", "json");
            atPing.awaitPaused("the first worker's check of pool-2");
            // the second fails the other move meanwhile: it has chosen (its item failed), or waits for the first to record
            var second = f.cli.start("rebalance", "apply", "--join", runId, "--concurrency", "1", "-o", "json");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!second.isDone() && System.nanoTime() < deadline) {
                try (var ps = c.prepareStatement("select (select count(*) from pg_locks where locktype = 'advisory' and not granted)"
                        + " + (select count(*) from run_items where run_id = ? and status = 'failed')")) {
                    ps.setString(1, runId);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            break;
                        }
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
            }
            atPing.wake();
            Cli.Result a = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
            Cli.Result b = second.get(60, java.util.concurrent.TimeUnit.SECONDS);

            Map<String, String> nexts = new java.util.TreeMap<>();
            for (Cli.Result r : List.of(a, b)) {
                strictJson(r).get("failed").forEach(x -> nexts.put(x.get("org_id").asText(), x.get("next_step").asText()));
            }
            assertThat(nexts).as("%s%n%s", a, b).containsOnlyKeys(orgs);
            assertThat(nexts.values().stream().filter(n -> n.contains("--to pool-2"))).as("%s%n%s", a, b).hasSize(1);
            for (String next : nexts.values()) {
                CliFixture.followNextStep(f.cli, next);
            }
            assertThat(orgs.stream().filter(o -> f.org(o).get("pool_id").asText().equals("pool-2"))).hasSize(1);
            for (String o : orgs) {
                f.assertHolds(o, before.get(o));
            }
        }
    }
}
