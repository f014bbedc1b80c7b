package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A --detach'ed run no worker has joined yet: `orgs show` of its org names the run's --join (and its cancel), but
 * `runs show RUN` and `runs list` — where on-call looks at the run itself — named no step at all, as for a run at work.
 */
class RunsShowOfADetachedRunNoWorkerJoinedNamesItsJoinTest {

    @Test
    void runsShowAndListNameTheJoinOrgsShowNames(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "acme");
            String join = "tenantctl provision --join " + runId;
            String orgsNext = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).path("next").asText("");
            assertThat(orgsNext).startsWith(join);

            JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("running");
            assertThat(run.path("next_step").asText("")).as("%s", run).isEqualTo(join);
            assertThat(run.path("next_note").asText("")).as("%s", run).isEqualTo("run " + runId + " was detached and is waiting for a worker: "
                    + "start its workers; or end it: tenantctl runs cancel " + runId);
            String line = "running " + runId + ": " + orgsNext; // the same step, worded as orgs show words it
            Cli.Result text = ok(cli, "runs", "show", runId);
            assertThat(text.out()).as(text.toString()).containsPattern("(?m)^" + Pattern.quote(line) + "$");
            Cli.Result list = ok(cli, "runs", "list");
            assertThat(list.out()).as(list.toString()).containsPattern("(?m)^" + Pattern.quote(line) + "$");
            JsonNode listed = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(listed.path("next_step").asText("")).as("%s", listed).isEqualTo(join);
            // a run id pasted with the whitespace around it (from a log line or a table) is the run, not "no run ' R'"
            String pasted = " " + runId + "\t";
            assertThat(strictJson(ok(cli, "runs", "show", pasted, "-o", "json")).get("run").get("run_id").asText()).isEqualTo(runId);
            assertThat(ok(cli, "runs", "cancel", pasted, "--dry-run").out()).contains("dry run: run " + runId + " (provision");

            // the step, run as named, does the run: it ends succeeded with no next step left
            ok(cli, join.substring("tenantctl ".length()).split(" "));
            JsonNode after = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(after.get("status").asText()).isEqualTo("succeeded");
            assertThat(after.path("next_step").isMissingNode() || after.get("next_step").isNull()).as("%s", after).isTrue();
            assertThat(ok(cli, "runs", "show", runId).out()).doesNotContain("--join");
            assertThat(ok(cli, "provision", "--resume", pasted).out()).as("--resume takes it so too").contains(runId);
        }
    }
    /**
     * Found on call (3 a.m. audit): 'provision acme globex --detach' with room for one org only printed 'run R created
     * with 2 orgs; start workers with: …' and exited 1 with no word why: globex had failed already (no capacity, an item
     * a --join does not try again). The run's line now says how many failed at once, and stderr names each, as the
     * provision without --detach does, with the step that gets it moving.
     */
    @Test
    void aDetachedProvisionSaysWhichOrgsFoundNoRoom(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 1, 1);
            String schema = CliFixture.smallSchema(dir).toString();

            Cli.Result detached = cli.run("provision", "acme", "globex", "--schema", schema, "--detach");

            assertThat(detached.exitCode()).as(detached.toString()).isEqualTo(1);
            assertThat(detached.out()).as(detached.toString()).contains("created with 2 orgs (1 failed at once: see stderr)")
                    .contains("--join");
            assertThat(detached.err()).as(detached.toString())
                    .containsPattern("(?m)^failed: globex: no capacity: pool pool-1 is full|(?m)^failed: globex: no capacity: no active pool has room")
                    .contains("next: tenantctl pools");
        }
    }

    /**
     * Found on call (3 a.m.): 'provision acme globex --detach' typed a second time, by mistake, while the first run waited
     * for its workers recorded another run of the same orgs (exit 0, a second run id), and a plain 'provision' of them did
     * too: two runs whose workers race for the same orgs. Now a provision of orgs a running run has still to start is
     * refused as migrate-all refuses a second rollout: exit 3, one line naming the run, its --join, 'runs show' and its
     * cancel, nothing recorded (the dry run too); -o json one error document. Following the step provisions them.
     */
    @Test
    void aSecondProvisionOfOrgsADetachedRunHasStillToDoIsRefusedNamingThatRun(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            String runId = CliFixture.provisionDetached(cli, dir, "acme", "globex");

            Cli.Result again = cli.run("provision", "acme", "globex", "--schema", schema, "--detach");
            Cli.Result json = cli.run("provision", "globex", "initech", "--schema", schema, "-o", "json");
            Cli.Result dryRun = cli.run("provision", "acme", "--schema", schema, "--dry-run");

            assertThat(again.exitCode()).as(again.toString()).isEqualTo(3);
            assertThat(again.out()).as(again.toString()).isEmpty();
            assertThat(again.err().strip().lines()).as(again.toString()).hasSize(1);
            assertThat(again.err()).as(again.toString()).contains("run " + runId).contains("orgs acme, globex still to provision")
                    .contains("'tenantctl provision --join " + runId + "'").contains("'tenantctl runs show " + runId + "'")
                    .contains("'tenantctl runs cancel " + runId + "'").contains("nothing recorded");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            JsonNode error = strictJson(json).get("error");
            assertThat(error.get("code").asInt()).isEqualTo(3);
            assertThat(error.get("category").asText()).isEqualTo("config");
            assertThat(error.get("message").asText()).as("%s", error).contains("org globex still to provision")
                    .contains("--join " + runId).contains("provision the other org on its own");
            assertThat(error.has("run_id")).as("no run was recorded: %s", error).isFalse();
            assertThat(dryRun.exitCode()).as(dryRun.toString()).isEqualTo(3);
            assertThat(dryRun.err()).as(dryRun.toString()).contains("--join " + runId);
            assertThat(CliFixture.count(url, "select count(*) from runs")).as("runs recorded").isEqualTo(1);
            assertThat(CliFixture.count(url, "select count(*) from orgs where org_id = 'initech'")).as("initech placed").isZero();

            // the step, followed, provisions them; the run over, provision of them is no longer refused
            ok(cli, "provision", "--join", runId);
            assertThat(CliFixture.orgIds(cli, "active")).containsExactly("acme", "globex");
            assertThat(ok(cli, "provision", "acme", "--schema", schema).out()).contains("unchanged 1");
        }
    }

    /**
     * That refusal named the run's first three orgs and counted the rest: of four, "orgs acme, globex, initech and 1 more
     * still to provision", which sent the operator to 'runs show' for the one name that fit on the line. Four are all
     * named; of five, three and "2 more".
     */
    @Test
    void theRefusalNamesAFourthOrgRatherThanCountingIt(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            CliFixture.provisionDetached(cli, dir, "acme", "globex", "initech", "umbrella");
            String four = cli.run("provision", "acme", "globex", "initech", "umbrella", "--schema", schema).err();
            CliFixture.provisionDetached(cli, dir, "a-1", "a-2", "a-3", "a-4", "a-5");
            String five = cli.run("provision", "a-1", "a-2", "a-3", "a-4", "a-5", "--schema", schema).err();

            assertThat(four).contains("orgs acme, globex, initech, umbrella still to provision").doesNotContain("more");
            assertThat(five).contains("orgs a-1, a-2, a-3 and 2 more still to provision");
        }
    }

    /**
     * Found in review: that refusal took no lock, so two provisions of the same orgs started at the same instant (two
     * pipeline jobs, two operators) could both pass it before either recorded its run, and both did: two runs racing for
     * the same orgs. Here the first is held as it records its run's items (a trigger waits at a gate the test holds) until
     * the second waits too; then the gate opens. One run is recorded; the other provision is refused naming it.
     */
    @Test
    void twoProvisionsOfTheSameOrgsStartedAtOnceRecordOneRun(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            long gate = 4244;
            try (java.sql.Connection admin = java.sql.DriverManager.getConnection(url); java.sql.Statement s = admin.createStatement()) {
                s.execute("create function test_gate() returns trigger language plpgsql as $$ begin perform pg_advisory_lock_shared(" + gate
                        + "); perform pg_advisory_unlock_shared(" + gate + "); return new; end $$");
                s.execute("create trigger test_gate before insert on run_items for each row execute function test_gate()");
                s.execute("select pg_advisory_lock(" + gate + ")");

                java.util.concurrent.CompletableFuture<Cli.Result> first = Cli.withCatalog(url).start("provision", "acme", "globex",
                        "--schema", schema, "--detach");
                awaitWaitingOnAdvisoryLocks(admin, 1, first); // at the gate, recording its items
                java.util.concurrent.CompletableFuture<Cli.Result> second = Cli.withCatalog(url).start("provision", "acme", "globex",
                        "--schema", schema, "--detach");
                awaitWaitingOnAdvisoryLocks(admin, 2, second); // at the gate too, or waiting for the first's recording
                s.execute("select pg_advisory_unlock(" + gate + ")");
                Cli.Result recorded = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
                Cli.Result refused = second.get(60, java.util.concurrent.TimeUnit.SECONDS);

                assertThat(CliFixture.count(url, "select count(*) from runs")).as("runs recorded").isEqualTo(1);
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
                assertThat(recorded.exitCode()).as(recorded.toString()).isZero();
                String runId = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
                assertThat(recorded.out()).as(recorded.toString()).contains(runId);
                assertThat(refused.out()).as(refused.toString()).isEmpty();
                assertThat(refused.err().strip().lines()).as(refused.toString()).hasSize(1);
                assertThat(refused.err()).as(refused.toString()).contains("provision run " + runId + " ")
                        .contains("orgs acme, globex still to provision").contains("--join " + runId).contains("nothing recorded");
                assertThat(CliFixture.count(url, "select count(*) from run_items")).as("items recorded").isEqualTo(2);
            }
        }
    }

    /** Until {@code n} catalog sessions wait on advisory locks (checked by querying the catalog), or {@code started} ended. */
    private static void awaitWaitingOnAdvisoryLocks(java.sql.Connection c, int n, java.util.concurrent.CompletableFuture<Cli.Result> started)
            throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!started.isDone() && System.nanoTime() < deadline) {
            try (java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("select count(*) from pg_locks where locktype = 'advisory' and not granted "
                         + "and database = (select oid from pg_database where datname = current_database())")) {
                rs.next();
                if (rs.getInt(1) >= n) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(started.isDone()).as("%d sessions never waited on a lock", n).isTrue();
    }

    /**
     * As above, behind a provision run at work (its one worker checking its first org's pool, the second still pending):
     * a second provision of that org is refused naming the run's --join and its --resume; the run goes on and makes both.
     */
    @Test
    void aSecondProvisionOfAnOrgARunAtWorkHasStillToStartIsRefused(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1); io.tenantctl.testing.Pause atPing = io.tenantctl.testing.Pause.at(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            Cli pinging = Cli.withCatalog(url).decoratePools(real -> io.tenantctl.testing.HookedPools.onPing(real, poolId -> atPing.call()));
            java.util.concurrent.CompletableFuture<Cli.Result> first = pinging.start("provision", "acme", "globex", "--schema", schema,
                    "--pool", "pool-1", "--concurrency", "1", "-o", "json");
            atPing.awaitPaused("the first run's pool check of its first org");
            String runId = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();

            Cli.Result again = cli.run("provision", "globex", "--schema", schema);
            atPing.wake();
            Cli.Result made = first.get(60, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(again.exitCode()).as(again.toString()).isEqualTo(3);
            assertThat(again.err()).as(again.toString()).contains("run " + runId).contains("org globex still to provision")
                    .contains("'tenantctl provision --join " + runId + "'").contains("'tenantctl provision --resume " + runId + "'")
                    .contains("'tenantctl runs show " + runId + "'");
            assertThat(made.exitCode()).as(made.toString()).isZero();
            assertThat(CliFixture.orgIds(cli, "active")).containsExactly("acme", "globex");
            assertThat(CliFixture.count(url, "select count(*) from runs")).as("runs recorded").isEqualTo(1);
        }
    }

    /**
     * Found on call: 'provision ORG --detach' of an org already active printed 'run R created with 1 orgs; start workers
     * with: tenantctl provision --join R', though the run was over the moment it was recorded (nothing to do, as its -o
     * json said: succeeded, unchanged 1). It now says what the same provision without --detach says (the org unchanged,
     * the run's line, exit 0), and the run it recorded, as that one does, waits for no worker.
     */
    @Test
    void aDetachedProvisionOfAnActiveOrgSaysWhatTheProvisionWithoutDetachSays(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "--schema", schema);
            String anyRun = "\\d{8}T\\d{6}Z-[0-9a-f]{4}";
            String plain = ok(cli, "provision", "acme", "--schema", schema).out().replaceAll(anyRun, "RUN");

            Cli.Result detached = ok(cli, "provision", "acme", "--schema", schema, "--detach");

            assertThat(detached.out()).as(detached.toString()).doesNotContain("--join").doesNotContain("start workers");
            assertThat(detached.out().replaceAll(anyRun, "RUN")).as(detached.toString()).isEqualTo(plain)
                    .contains("acme").contains("unchanged 1");
            JsonNode last = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("status").asText()).as("%s", last).isEqualTo("succeeded");
            assertThat(last.path("next_step").isMissingNode() || last.get("next_step").isNull()).as("%s", last).isTrue();
        }
    }

    /**
     * As provision: 'migrate-all --detach' of a fleet up to date printed 'run R created with 0 orgs to migrate; start
     * workers with: tenantctl migrate-all --join R', though its run was over as it was recorded (-o json: succeeded).
     */
    @Test
    void aDetachedRolloutOfAnUpToDateFleetSaysWhatTheRolloutWithoutDetachSays(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            saidAsWithoutDetach(f.cli, "migrate-all --join", "migrate-all", "--schema", f.schema.toString());
        }
    }

    /** As provision: 'backup --due --detach' with no org due printed 'run R created with 0 orgs; start workers with: …'. */
    @Test
    void aDetachedBackupOfNothingDueSaysWhatTheBackupWithoutDetachSays(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "backup", "--org", "acme");
            saidAsWithoutDetach(f.cli, "backup --join", "backup", "--due");
        }
    }

    /**
     * As provision: 'verify --detach' of no org to check (none on the pool named, or each unchanged since its last clean
     * verify with --changed-only) printed 'run R created with 0 orgs; start workers with: …': no worker would come, and
     * the fleet checks were made by nobody. Its creator makes them and reports, as verify without --detach does.
     */
    @Test
    void aDetachedVerifyOfNoOrgToCheckSaysWhatTheVerifyWithoutDetachSays(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme"); // on pool-0: pool-1 holds none
            saidAsWithoutDetach(f.cli, "verify --join", "verify", "--pool", "pool-1");
            ok(f.cli, "backup", "--org", "acme");
            ok(f.cli, "verify"); // acme verified clean: --changed-only skips it
            saidAsWithoutDetach(f.cli, "verify --join", "verify", "--changed-only");
            // a fleet check's problem (a database no org has), which the detached verify said nothing of: 'clean', exit 0
            f.database("pool-1", io.tenantctl.catalog.OrgId.databaseName("ghost")).getCollection("notes").insertOne(new org.bson.Document("n", 1));
            assertThat(f.cli.run("verify", "--pool", "pool-1").exitCode()).isEqualTo(4); // found: no longer new below
            saidAsWithoutDetach(f.cli, 4, "verify --join", "verify", "--pool", "pool-1");
        }
    }

    /** As provision: 'rebalance apply --detach' of a plan with no move printed 'run R created with 0 moves; start workers with: …'. */
    @Test
    void aDetachedRebalanceOfNoMoveSaysWhatTheRebalanceWithoutDetachSays(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            saidAsWithoutDetach(f.cli, "rebalance apply --join", "rebalance", "apply");
        }
    }

    /**
     * {@code args} with --detach, of a run with nothing to do, prints what {@code args} without it prints (but the run's id),
     * exit 0 as it does, sending no one to start workers; its -o json names the run, over (succeeded, no next step), and a
     * {@code join} of it only reports it.
     */
    private static void saidAsWithoutDetach(Cli cli, String join, String... args) {
        saidAsWithoutDetach(cli, 0, join, args);
    }

    /** As above, {@code args} exiting {@code exit} with --detach as without it. */
    private static void saidAsWithoutDetach(Cli cli, int exit, String join, String... args) {
        String anyRun = "\\d{8}T\\d{6}Z-[0-9a-f]{4}";
        Cli.Result without = cli.run(args);
        assertThat(without.exitCode()).as(without.toString()).isEqualTo(exit);
        String plain = without.out().replaceAll(anyRun, "RUN");
        java.util.List<String> detach = new java.util.ArrayList<>(java.util.List.of(args));
        detach.add("--detach");

        Cli.Result detached = cli.run(detach.toArray(String[]::new));

        assertThat(detached.exitCode()).as(detached.toString()).isEqualTo(exit);
        assertThat(detached.out()).as(detached.toString()).doesNotContain("--join").doesNotContain("start workers");
        assertThat(detached.out().replaceAll(anyRun, "RUN")).as(detached.toString()).isEqualTo(plain);
        detach.addAll(java.util.List.of("-o", "json"));
        Cli.Result json = cli.run(detach.toArray(String[]::new));
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(exit);
        String runId = strictJson(json).get("run_id").asText();
        JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
        assertThat(run.get("status").asText()).as("%s", run).isEqualTo("succeeded");
        assertThat(run.path("next_step").isMissingNode() || run.get("next_step").isNull()).as("%s", run).isTrue();
        Cli.Result joined = ok(cli, (join + " " + runId).split(" "));
        assertThat(joined.out()).as(joined.toString()).doesNotContain("start workers");
    }
}
