package io.tenantctl.cli;

import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move's process killed (kill -9) on this host, its lease still live for up to a minute: {@code rebalance resume} said
 * "in progress … left to it" and the org stayed frozen until the lease ran out, though its dry run said "would be rolled
 * back". A holder of this host whose process is gone is not live (as --resume treats a run's claims): the move is rolled
 * back at once. A holder that is alive (another host, or a live process) is still left to it, and the dry run says so.
 */
class RebalanceResumeOfAMoveWhoseProcessIsGoneTest {

    @TempDir
    Path dir;

    @Test
    void aMoveWhoseProcessOnThisHostIsGoneIsRolledBackNow() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 5);
            f.database("pool-1", "org_acme__m1").getCollection("notes").insertOne(new Document("_id", 1)); // its half copy
            sql(f, "update orgs set status = 'read_only' where org_id in ('acme', 'globex')");
            sql(f, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, prior_status) values "
                    + "('m-1', 'acme', 'pool-0', 'org_acme', 'pool-1', 'org_acme__m1', 'copying', 'active'), "
                    + "('m-2', 'globex', 'pool-0', 'org_globex', 'pool-1', 'org_globex__m2', 'copying', 'active')");
            String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + dead + "', '" + Worker.current("test").host() + "', " + dead.split("/")[1] + ", 'move', null, now() + interval '5 minutes'), "
                    + "('globex', 'other-host/4242/beef', 'other-host', 4242, 'move', null, now() + interval '5 minutes')");

            Cli.Result dry = ok(f.cli, "rebalance", "resume", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("move m-1 of org acme (copying) would be rolled back")
                    .contains("move m-2 of org globex (copying) is in progress").contains("would be left to it");

            Cli.Result r = ok(f.cli, "rebalance", "resume");
            assertThat(r.out()).as(r.toString()).doesNotContain("m-1 of org acme is in progress").contains("m-2 of org globex is in progress");
            assertThat(f.org("acme").get("status").asText()).as("unfrozen at once: %s", r).isEqualTo("active");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.databaseNames("pool-1")).as("its half copy dropped").doesNotContain("org_acme__m1");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(5);
            assertThat(f.org("globex").get("status").asText()).as("a live holder's move is left to it").isEqualTo("read_only");
        }
    }

    /**
     * Found in review: resume's rollback of a dead process's move whose target pool is down tried the drop of its partial
     * copy there six times, with backoff, before giving up, keeping the operator waiting. A ping first: a target that
     * does not answer gets one try, the copy left as the aborted move's undropped target for 'rebalance gc' (as a move's
     * own rollback does since 9de51c46); the source is left alone and the org is active on it.
     */
    @Test
    void aDeadMoveOntoATargetThatDoesNotAnswerTriesItsDropOnce() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            io.tenantctl.ops.Fingerprint before = io.tenantctl.ops.Fingerprints.of(f.db("acme"));
            java.util.Map<String, java.util.List<org.bson.RawBsonDocument>> documents = BackupFixture.contents(f.db("acme"));
            f.frozenByADeadMove("acme");
            f.database("pool-1", "org_acme__m1").getCollection("notes").insertOne(new Document("_id", 1)); // its partial copy
            f.pools.kill(1);
            java.util.concurrent.atomic.AtomicInteger drops = new java.util.concurrent.atomic.AtomicInteger();
            // each try to reach the dead pool waits out the connect timeout, cut to 300 ms: the tries are what is counted
            Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300", "USER", "test")).decoratePools(real -> io.tenantctl.testing.HookedPools.databases(real, (poolId, uri, name) -> {
                com.mongodb.client.MongoDatabase db = real.database(poolId, uri, name);
                return poolId.equals("pool-1") ? io.tenantctl.testing.HookedPools.beforeEach(db, "drop", args -> drops.incrementAndGet()) : db;
            }));

            // its dry run pings the target too (read only) and says what the resume will leave: it once said only "would be rolled back"
            String wouldLeave = "its target pool-1 does not answer (";
            String forGc = "), so its partial copy org_acme__m1 would be left on pool-1 after one try to drop it: "
                    + "'tenantctl rebalance gc' drops it once pool-1 answers";
            Cli.Result dry = ok(cli, "rebalance", "resume", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("move m-1 of org acme (frozen) would be rolled back: " + wouldLeave).contains(forGc);
            Cli.Result dryJson = ok(cli, "rebalance", "resume", "--dry-run", "-o", "json");
            com.fasterxml.jackson.databind.JsonNode doc = CliFixture.strictJson(dryJson);
            assertThat(doc.get("dry_run").asBoolean()).isTrue();
            assertThat(doc.get("moves").get(0).asText()).as(dryJson.toString()).contains(wouldLeave).contains(forGc);
            assertThat(drops).as("the dry runs drop nothing").hasValue(0);
            assertThat(f.org("acme").get("status").asText()).as("the dry runs leave it frozen").isEqualTo("read_only");

            Cli.Result r = ok(cli, "rebalance", "resume");
            assertThat(drops).as("tries to drop the partial copy on the dead target: %s", r).hasValue(1);
            assertThat(r.out()).as(r.toString()).contains("move m-1 of org acme died while frozen, rolled back: its partial copy org_acme__m1 "
                    + "is left on pool-1 (not answering at the one try to drop it): 'tenantctl rebalance gc' drops it once pool-1 answers; "
                    + "org acme is active on its source pool-0");
            try (java.sql.ResultSet rs = f.sql().createStatement().executeQuery("select state || ' ' || target_dropped from moves where move_id = 'm-1'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("recorded as an aborted move whose target gc is to drop").isEqualTo("aborted false");
            }
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            f.assertHolds("acme", documents); // active, its schema, every document the same, byte for byte
            assertThat(io.tenantctl.ops.Fingerprints.of(f.db("acme"))).as("the source's counts and digests").isEqualTo(before);
        }
    }

    /**
     * Found in review: of a dead process's move whose target is an org's database (another org's pointer names it), the
     * dry run said only "would be rolled back", though the resume leaves that database alone (it drops no org's
     * database): the dry run now says so too, in text and in -o json's moves, and the resume does what it said.
     */
    @Test
    void aDeadMoveWhoseTargetIsAnOrgsDatabaseSaysInItsDryRunThatTheTargetIsLeftAlone() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.provisionTier("free", "pool-1", "globex"); // on the move's target pool
            f.notes("globex", "notes", 3);
            f.frozenByADeadMove("acme");
            com.fasterxml.jackson.databind.JsonNode globex = f.org("globex");
            String pool = globex.get("pool_id").asText();
            String database = globex.get("database_name").asText();
            sql(f, "update moves set to_pool = '" + pool + "', to_database = '" + database + "' where move_id = 'm-1'");

            String leftAlone = "move m-1 of org acme (frozen) would be rolled back: its target " + database + " on pool " + pool
                    + " is org globex's database, so it would be left alone";
            Cli.Result dry = ok(f.cli, "rebalance", "resume", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains(leftAlone);
            Cli.Result dryJson = ok(f.cli, "rebalance", "resume", "--dry-run", "-o", "json");
            assertThat(CliFixture.strictJson(dryJson).get("moves").get(0).asText()).as(dryJson.toString()).isEqualTo(leftAlone);
            assertThat(f.org("acme").get("status").asText()).as("the dry runs leave it frozen").isEqualTo("read_only");

            Cli.Result r = ok(f.cli, "rebalance", "resume");
            // found in review: it said only 'target DB is an org's database', naming neither the org nor the pool
            assertThat(r.out()).as(r.toString()).contains("move m-1 of org acme died while frozen, rolled back: target " + database
                    + " on pool " + pool + " is org globex's database: left alone; org acme is active on its source pool-0");
            assertThat(f.databaseNames(pool)).as("left alone, as the dry run said").contains(database);
            assertThat(f.db("globex").getCollection("notes").countDocuments()).isEqualTo(3);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found by a probing helper: after a kill -9 of 'rebalance move', orgs show said the dead process's lease was expired
     * ("the next operation on the org recovers it"), but 'rebalance move' (and its dry run) refused the org as busy,
     * "wait for it", until the lease ran out a minute later. Like every operation here, it takes the org over at once.
     */
    @Test
    void aMoveOfAnOrgADeadProcessOfThisHostHeldIsNotRefusedAsBusy() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + dead + "', '" + Worker.current("test").host() + "', " + dead.split("/")[1] + ", 'move', null, now() + interval '5 minutes')");
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("expired: the next operation on the org recovers it");

            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--dry-run");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }

    /**
     * The worker of a rebalance run killed in its only move's freeze: 'rebalance resume' rolls the move back, records the
     * org failed in the run and so ends the run failed ("its run R is finished (failed)") — and exited 0, a script going on
     * as if the org had moved. It exits 1 now, with a line naming the run, the org not moved and its next step (the
     * move's status, then the move again: which works), in -o json too ({@code ended_failed}).
     */
    @Test
    void aResumeWhoseRollbackEndsARunFailedExits1NamingTheOrgNotMovedAndItsNextStep() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            java.nio.file.Path plan = dir.resolve("plan.json");
            java.nio.file.Files.writeString(plan, "{\"moves\": [{\"org_id\": \"acme\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}]}");
            String runId = CliFixture.strictJson(ok(f.cli, "rebalance", "apply", "--plan", plan.toString(), "--detach", "-o", "json"))
                    .get("run_id").asText();
            // what a kill -9 of its worker leaves in the move's freeze: acme read_only, move m-1 frozen, its lease and the
            // run's item held by that dead process of this host
            f.frozenByADeadMove("acme");
            sql(f, "update moves set run_id = '" + runId + "' where move_id = 'm-1'");
            sql(f, "update org_leases set run_id = '" + runId + "' where org_id = 'acme'");
            sql(f, "update run_items set status = 'running', attempts = 1, lease_until = now() + interval '1 minute', claimed_by = "
                    + "(select holder from org_leases where org_id = 'acme') where run_id = '" + runId + "'");

            Cli.Result r = f.cli.run("rebalance", "resume", "-o", "json");
            assertThat(r.exitCode()).as("the run it ended failed: %s", r).isEqualTo(1);
            com.fasterxml.jackson.databind.JsonNode doc = CliFixture.strictJson(r);
            assertThat(doc.get("moves").get(0).asText()).as(r.toString()).contains("move m-1 of org acme died while frozen, rolled back")
                    .contains("its run " + runId + " is finished (failed)");
            com.fasterxml.jackson.databind.JsonNode ended = doc.get("ended_failed");
            assertThat(ended).as(r.toString()).hasSize(1);
            assertThat(ended.get(0).get("run_id").asText()).isEqualTo(runId);
            com.fasterxml.jackson.databind.JsonNode acme = ended.get(0).get("failed").get(0);
            assertThat(acme.get("org_id").asText()).isEqualTo("acme");
            assertThat(acme.get("next_step").asText()).as(r.toString()).isEqualTo("tenantctl rebalance status m-1");
            assertThat(acme.get("next_note").asText()).as(r.toString()).contains("tenantctl rebalance move acme --to pool-1");
            assertThat(r.err()).as(r.toString()).contains("error: rebalance run " + runId + " ended failed: org acme was not moved — next: "
                    + "tenantctl rebalance status m-1").contains("to try again: tenantctl rebalance move acme --to pool-1");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(CliFixture.strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("failed");

            // a second resume ends no run: exit 0; and the step named works
            Cli.Result again = ok(f.cli, "rebalance", "resume");
            assertThat(again.out()).as(again.toString()).contains("no unfinished moves");
            assertThat(again.err()).as(again.toString()).doesNotContain("ended failed");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }

    private static void sql(BackupFixture f, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
