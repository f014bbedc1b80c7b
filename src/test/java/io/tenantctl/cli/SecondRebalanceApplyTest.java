package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: draining a pool, the on-call engineer starts {@code rebalance apply --detach} (its workers are
 * a Job that has not started yet); a colleague, seeing the pool still full, runs {@code rebalance apply}. Nothing
 * refuses the second run or leaves out the orgs the first run is about to move (a plan only leaves out orgs with an
 * unfinished move): it plans and does the same moves. When the first run's workers come ({@code rebalance apply --join
 * RUN}, as the detach printed), every one of its orgs fails "org … is on pool-1 now, not pool-0 as planned: make a new
 * plan", the run ends failed, exit 1, each with the next step "tenantctl rebalance move ORG --to pool-1" — which is
 * refused too ("already on pool pool-1"). Either the second apply is refused naming the run in progress (and what to do:
 * join it, or --wait), or it leaves that run's orgs alone; a worker of a run must not fail orgs that are where the run
 * was to put them.
 */
class SecondRebalanceApplyTest {

    @TempDir
    Path dir;

    @Test
    void aSecondApplyWhileARunIsPending_doesNotMakeTheFirstRunFailEveryOrg() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            List<String> orgs = List.of("acme", "globex", "initech");
            f.provision(orgs.toArray(String[]::new));
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(orgs, 300);
            ok(f.cli, "pools", "drain", "pool-0");

            JsonNode detached = strictJson(ok(f.cli, "rebalance", "apply", "--freeze-grace", "0", "--detach", "-o", "json"));
            String first = detached.get("run_id").asText();
            assertThat(detached.get("orgs")).hasSize(orgs.size());

            Cli.Result second = f.cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(second.exitCode() == 0 || second.exitCode() == 3 && second.err().contains(first))
                    .as("a second apply either goes on without the first run's orgs, or is refused naming run %s: %s", first, second)
                    .isTrue();

            Cli.Result joined = f.cli.run("rebalance", "apply", "--join", first, "-o", "json");
            assertThat(joined.exitCode()).as("the first run's worker, joining as the detach said: %s", joined).isZero();

            for (String o : orgs) {
                assertThat(f.org(o).get("pool_id").asText()).as(o).isEqualTo("pool-1");
                f.assertHolds(o, before.get(o));
            }
        }
    }

    /**
     * The same with {@code rebalance move}: a move of an org a detached run still has to move was done, and the run's
     * worker then failed it as a stale plan. It is refused now, naming the run, and the run moves it.
     */
    @Test
    void aMoveOfAnOrgAPendingRunWillMove_isRefusedNamingTheRun() {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme", "globex");
            Map<String, List<RawBsonDocument>> before = new TreeMap<>();
            f.seedNotes("acme", 200);
            before.putAll(BackupFixture.contents(f.db("acme")));
            String from = f.org("acme").get("pool_id").asText();
            ok(f.cli, "pools", "drain", from);
            String first = strictJson(ok(f.cli, "rebalance", "apply", "--freeze-grace", "0", "--detach", "-o", "json")).get("run_id").asText();
            String planned = strictJson(ok(f.cli, "runs", "show", first, "-o", "json")).toString();
            assertThat(planned).contains("acme");
            String other = from.equals("pool-2") ? "pool-1" : "pool-2";

            for (String dry : List.of("--dry-run", "--freeze-grace=0")) {
                Cli.Result move = f.cli.run("rebalance", "move", "acme", "--to", other, dry);
                assertThat(move.exitCode()).as("%s", move).isEqualTo(3);
                assertThat(move.err()).contains("run " + first).contains("runs cancel " + first).contains("--join " + first);
            }
            assertThat(f.org("acme").get("pool_id").asText()).as("refused: nothing moved").isEqualTo(from);

            Cli.Result joined = f.cli.run("rebalance", "apply", "--join", first, "-o", "json");
            assertThat(joined.exitCode()).as("%s", joined).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).isNotEqualTo(from);
            f.assertHolds("acme", before);
        }
    }

    /**
     * Found in a 3 a.m. audit: a saved plan applied after one of its orgs was moved elsewhere failed that move as a stale
     * plan (rightly), but named the org on the plan's source, where it no longer is: FROM 'pool-0' in the table, 'failed:
     * acme on pool-0: org acme is on pool-2 now…' on stderr and pool_id 'pool-0' in -o json, in the dry run as in the
     * run. Each now names the pool the org is on; the plan's other moves are done, nothing lost.
     */
    @Test
    void aStalePlansMoveNamesThePoolItsOrgIsOnNow() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            List<String> orgs = List.of("acme", "globex");
            f.provision(orgs.toArray(String[]::new));
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(orgs, 200);
            Map<String, io.tenantctl.ops.Fingerprint> digests = new TreeMap<>();
            orgs.forEach(o -> digests.put(o, io.tenantctl.ops.Fingerprints.of(f.db(o))));
            ok(f.cli, "pools", "drain", "pool-0");
            Cli.Result planned = ok(f.cli, "rebalance", "plan", "-o", "json");
            Path plan = dir.resolve("plan.json");
            java.nio.file.Files.writeString(plan, planned.out());
            String to = null;
            for (JsonNode m : strictJson(planned).get("moves")) {
                if (m.get("org_id").asText().equals("acme")) {
                    to = m.get("to_pool").asText();
                }
            }
            String now = "pool-1".equals(to) ? "pool-2" : "pool-1";
            ok(f.cli, "rebalance", "move", "acme", "--to", now, "--freeze-grace", "0"); // the plan is stale for acme

            for (String dryOrNot : List.of("--dry-run", "--freeze-grace=0")) {
                Cli.Result json = f.cli.run("rebalance", "apply", "--plan", plan.toString(), dryOrNot, "-o", "json");
                assertThat(json.exitCode()).as("%s", json).isEqualTo(1);
                JsonNode doc = strictJson(json);
                JsonNode acme = null;
                for (JsonNode o : doc.get("orgs")) {
                    if (o.get("org_id").asText().equals("acme")) {
                        acme = o;
                    }
                }
                assertThat(acme).as(json.toString()).isNotNull();
                assertThat(acme.get("outcome").asText()).isEqualTo("failed");
                assertThat(acme.get("pool_id").asText()).as(dryOrNot + ": the pool acme is on").isEqualTo(now);
                assertThat(acme.get("to_pool").asText()).isEqualTo(to);
                assertThat(doc.get("failed")).hasSize(1).allSatisfy(x -> {
                    assertThat(x.get("pool_id").asText()).isEqualTo(now);
                    assertThat(x.get("next_step").asText()).isEqualTo("tenantctl rebalance plan");
                });
            }
            Cli.Result text = f.cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0");
            assertThat(text.exitCode()).as("%s", text).isEqualTo(1);
            assertThat(text.out()).containsPattern("acme +" + now + " +" + to + " +failed");
            assertThat(text.err()).contains("failed: acme on " + now + ": org acme is on " + now + " now, not pool-0 as planned")
                    .contains("next: tenantctl rebalance plan");
            // runs list/show say what the apply said: a new plan, not the run's --resume, which would be refused alike
            java.util.regex.Matcher ran = java.util.regex.Pattern.compile("run (\\S+): moved").matcher(text.out());
            assertThat(ran.find()).as(text.out()).isTrue();
            JsonNode run = strictJson(ok(f.cli, "runs", "show", ran.group(1), "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("failed");
            assertThat(run.get("next_step").asText()).as(run.toString()).isEqualTo("tenantctl rebalance plan");
            assertThat(run.get("next_note").asText()).as(run.toString()).contains("--resume would be refused alike")
                    .contains("tenantctl rebalance apply");
            String listed = ok(f.cli, "runs", "list", "--verb", "rebalance").out();
            assertThat(listed).as(listed).contains("failed " + ran.group(1) + ": tenantctl rebalance plan   (")
                    .doesNotContain("rebalance apply --resume");
            // and so it is: its --resume tried the move again and failed it again, exit 1; refused up front now, the run as it was
            for (String output : List.of("table", "json")) {
                Cli.Result resumed = f.cli.run("rebalance", "apply", "--resume", ran.group(1), "-o", output);
                assertThat(resumed.exitCode()).as("%s", resumed).isEqualTo(2);
                String line = output.equals("json") ? strictJson(resumed).get("error").get("message").asText() : resumed.err().strip();
                assertThat(line.lines()).as("%s", resumed).hasSize(1);
                assertThat(line).as("%s", resumed).contains("rebalance run " + ran.group(1) + "'s plan is out of date")
                        .contains("(acme on " + now + " now, not pool-0)").contains("make a new plan with 'tenantctl rebalance plan'")
                        .contains("'tenantctl runs cancel " + ran.group(1) + "'");
            }
            assertThat(strictJson(ok(f.cli, "runs", "show", ran.group(1), "-o", "json")).get("run").get("next_step").asText())
                    .as("the run left as it was").isEqualTo("tenantctl rebalance plan");

            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo(now);
            assertThat(f.org("globex").get("pool_id").asText()).isNotEqualTo("pool-0");
            for (String o : orgs) { // no document lost: every one the same, the schema whole
                f.assertHolds(o, before.get(o));
                assertThat(io.tenantctl.ops.Fingerprints.of(f.db(o))).as("%s's counts and digests", o).isEqualTo(digests.get(o));
            }
        }
    }

    /**
     * Found in a 3 a.m. audit: a saved plan applied after one of its orgs was deleted and purged failed that move (rightly)
     * with orgs show's way on for a deleted org as its next step — 'choose another id …: tenantctl restore --org globex
     * --to-org NEW_ID', bringing back an org someone deleted on purpose. There is nothing to move: a new plan leaves it out.
     */
    @Test
    void aPlansMoveOfAnOrgDeletedSinceSaysThereIsNothingToMove() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(List.of("acme"), 200);
            io.tenantctl.ops.Fingerprint digests = io.tenantctl.ops.Fingerprints.of(f.db("acme"));
            ok(f.cli, "pools", "drain", "pool-0");
            Path plan = dir.resolve("plan.json");
            java.nio.file.Files.writeString(plan, ok(f.cli, "rebalance", "plan", "-o", "json").out());
            ok(f.cli, "orgs", "delete", "globex");
            ok(f.cli, "orgs", "purge", "--older-than", "0");

            Cli.Result dry = f.cli.run("rebalance", "apply", "--plan", plan.toString(), "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as("%s", dry).isEqualTo(1);
            assertThat(strictJson(dry).get("failed")).hasSize(1).allSatisfy(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("globex");
                assertThat(x.get("next_step").asText()).isEqualTo("tenantctl rebalance plan");
                assertThat(x.get("next_note").asText()).isEqualTo("org globex is deleted: there is nothing to move; a new plan leaves it out");
            });
            Cli.Result real = f.cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0");
            assertThat(real.exitCode()).as("%s", real).isEqualTo(1);
            assertThat(real.err()).contains("failed: globex on pool-0: org globex is deleted")
                    .contains("next: tenantctl rebalance plan   (org globex is deleted: there is nothing to move").doesNotContain("restore");
            String listed = ok(f.cli, "runs", "list", "--verb", "rebalance").out();
            assertThat(listed).as(listed).contains(": tenantctl rebalance plan   (").doesNotContain("rebalance apply --resume");
            java.util.regex.Matcher ran = java.util.regex.Pattern.compile("run (\\S+): moved").matcher(real.out());
            assertThat(ran.find()).as(real.out()).isTrue();
            Cli.Result resumed = f.cli.run("rebalance", "apply", "--resume", ran.group(1));
            assertThat(resumed.exitCode()).as("nothing to move: refused up front, not failed again: %s", resumed).isEqualTo(2);
            assertThat(resumed.err()).as("%s", resumed).contains("plan is out of date").contains("(globex deleted)");

            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before.get("acme")); // no document lost: every one the same, the schema whole
            assertThat(io.tenantctl.ops.Fingerprints.of(f.db("acme"))).as("counts and digests").isEqualTo(digests);
        }
    }
}
