package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore killed with SIGKILL before its flip leaves its org restoring (not writable) and a partial database. Its org
 * lease records what it had done; once the lease expires the next command that mutates an org rolls it back: the
 * partial database dropped, the org active on its own data again, the restore's run failed with the reason.
 */
class RestoreCrashTest {

    /** The backup {@link #acmeBackedUp} took, and what acme held then. */
    private String backupId;
    private Map<String, List<RawBsonDocument>> before;

    /** One pool, acme provisioned with 20,000 notes and backed up: {@link #backupId}, {@link #before}. */
    private BackupFixture acmeBackedUp(Path dir) {
        BackupFixture f = new BackupFixture(1, dir);
        try {
            f.provision("acme");
            f.seedNotes("acme", 20_000);
            backupId = f.backup("acme");
            before = BackupFixture.contents(f.db("acme"));
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** The database a restore of {@code backupId} loads acme into (its trial's scratch one, in place). */
    private static String freshDatabase(String backupId) {
        return "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
    }

    /** acme active on its own database, org_acme, holding what it held when it was backed up. */
    private void activeOnItsOwnData(BackupFixture f) {
        JsonNode org = f.org("acme");
        assertThat(org.get("status").asText()).isEqualTo("active");
        assertThat(org.get("database_name").asText()).isEqualTo("org_acme");
        f.assertHolds("acme", before);
    }

    @Test
    void aRestoreKilledBeforeItsFlipIsRolledBackByTheNextCommand(@TempDir Path dir) throws Exception {
        try (BackupFixture f = acmeBackedUp(dir)) {

            String fresh = killRestoreMidCopy(f, dir, backupId);

            assertThat(f.org("acme").get("status").asText()).as("left behind by the killed restore").isEqualTo("restoring");
            assertThat(f.databaseNames("pool-0")).contains(fresh);
            // on the host it ran on its process is known gone: the next operation there would recover it at once
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("expired: the next operation on the org recovers it");
            // a restore on another node (lost with it) cannot be known dead: its lease holds until it runs out
            onAnotherNode(f.catalogUrl);
            // reads do not recover anything; the lease is still live (the dead process would have renewed it)
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).doesNotContain("expired");
            JsonNode refused = strictJson(f.cli.run("restore", "--org", "acme", "--backup", backupId, "-o", "json"));
            assertThat(refused.get("error").get("code").asInt()).isEqualTo(3);
            assertThat(refused.get("error").get("message").asText()).contains("org acme is busy: restore by").contains("--wait");

            assertThat(f.expireLeases()).as("the one lease there is").isEqualTo(1); // what 60 s without the dead process's heartbeat does
            JsonNode backedUp = strictJson(ok(f.cli, "backup", "--org", "acme", "-o", "json"));
            assertThat(backedUp.get("counts").get("backed_up").asInt()).isEqualTo(1);

            assertThat(f.databaseNames("pool-0")).as("the partial database was dropped").doesNotContain(fresh);
            f.assertHolds("acme", before);
            JsonNode runs = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs");
            JsonNode restoreRun = null;
            for (JsonNode r : runs) {
                if (r.get("verb").asText().equals("restore")) {
                    restoreRun = r;
                }
            }
            assertThat(restoreRun).isNotNull();
            assertThat(restoreRun.get("status").asText()).isEqualTo("failed");
            JsonNode item = strictJson(ok(f.cli, "runs", "show", restoreRun.get("run_id").asText(), "-o", "json")).get("items").get(0);
            assertThat(item.get("error").asText()).contains("died").contains("was removed");
        }
    }

    /**
     * A restore onto another pool takes its place there before it copies; killed mid-copy, it holds that place (its org is
     * restoring) until its recovery, which gives it back: the next provision there, whose sweep recovers it, gets it; the
     * dry runs that place there (restore, provision, rebalance) plan it so.
     */
    @Test
    void aRestoreToAnotherPoolKilledMidCopyGivesItsPlaceThereBackWhenItIsRolledBack(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 1)) {
            f.provision("acme");
            ok(f.cli, "pools", "set-capacity", "pool-0", "--capacity", "2");
            f.provision("hooli"); // an org a rebalance could move onto pool-1
            f.seedNotes("acme", 20_000);
            backupId = f.backup("acme");
            before = BackupFixture.contents(f.db("acme"));
            String fresh = freshDatabase(backupId);
            killRestoreWhen(f, dir, () -> f.database("pool-1", fresh).getCollection("notes").estimatedDocumentCount() >= 1000,
                    "--org", "acme", "--backup", backupId, "--target-pool", "pool-1");
            JsonNode pools = strictJson(ok(f.cli, "pools", "list", "-o", "json")).get("pools");
            assertThat(pools.findValuesAsText("orgs")).as("pool-1's one place, the dead restore's: %s", pools).containsExactly("2", "1");

            assertThat(f.expireLeases()).as("the one lease there is").isEqualTo(1); // 60 s later
            // the restore run again would recover it first, its place given back: its dry run plans it so
            Cli.Result dryRun = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--target-pool", "pool-1", "--dry-run");
            assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
            assertThat(dryRun.out()).as(dryRun.toString()).contains("pool-1");
            // and so do the dry runs that place a new org there, as their real runs' recovery finds the pool: one place free
            Cli.Result provisionDryRun = f.cli.run("provision", "globex", "--pool", "pool-1", "--schema", f.schema.toString(),
                    "--dry-run", "-o", "json");
            assertThat(provisionDryRun.exitCode()).as(provisionDryRun.toString()).isZero();
            JsonNode planned = strictJson(provisionDryRun).get("orgs").get(0);
            assertThat(planned.get("pool_id").asText()).as(provisionDryRun.toString()).isEqualTo("pool-1");
            Cli.Result toOrgDryRun = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--to-org", "initech",
                    "--target-pool", "pool-1", "--dry-run");
            assertThat(toOrgDryRun.exitCode()).as(toOrgDryRun.toString()).isZero();
            assertThat(toOrgDryRun.out()).as(toOrgDryRun.toString()).contains("pool-1");
            // a rebalance plans after its sweep too: pool-0 drained, its plan and its dry run move hooli into that place
            ok(f.cli, "pools", "drain", "pool-0");
            JsonNode plan = strictJson(ok(f.cli, "rebalance", "plan", "-o", "json"));
            assertThat(plan.get("moves").findValuesAsText("org_id")).as(plan.toString()).containsExactly("hooli");
            assertThat(plan.get("moves").get(0).get("to_pool").asText()).as(plan.toString()).isEqualTo("pool-1");
            Cli.Result applyDryRun = f.cli.run("rebalance", "apply", "--dry-run", "-o", "json");
            assertThat(applyDryRun.exitCode()).as(applyDryRun.toString()).isZero();
            assertThat(strictJson(applyDryRun).get("counts").get("planned").asInt()).as(applyDryRun.toString()).isEqualTo(1);
            ok(f.cli, "pools", "enable", "pool-0");
            // and an adopt onto pool-1 warns of no overrun its real run (whose sweep gives the place back first) does not make
            com.mongodb.client.MongoDatabase umbrella = f.database("pool-1", "org_umbrella");
            umbrella.getCollection("users").createIndex(new org.bson.Document("email", 1),
                    new com.mongodb.client.model.IndexOptions().name("email_1").unique(true));
            umbrella.getCollection("users").createIndex(new org.bson.Document("tenant", 1).append("role", 1),
                    new com.mongodb.client.model.IndexOptions().name("tenant_1_role_1"));
            umbrella.getCollection("messages").createIndex(new org.bson.Document("conversationId", 1).append("createdAt", -1),
                    new com.mongodb.client.model.IndexOptions().name("conv_1_created_-1"));
            Cli.Result adoptDryRun = f.cli.run("orgs", "adopt", "umbrella", "--pool", "pool-1", "--schema", f.schema.toString(),
                    "--dry-run", "-o", "json");
            assertThat(adoptDryRun.exitCode()).as(adoptDryRun.toString()).isZero();
            assertThat(strictJson(adoptDryRun).get("capacity_warning").isNull()).as(adoptDryRun.toString()).isTrue();
            umbrella.drop();
            Cli.Result provision = f.cli.run("provision", "globex", "--pool", "pool-1", "--schema", f.schema.toString());
            assertThat(provision.exitCode()).as(provision.toString()).isZero();
            activeOnItsOwnData(f);
            assertThat(f.org("globex").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.databaseNames("pool-1")).as("the dead restore's partial database").doesNotContain(fresh);
        }
    }

    /**
     * Found by the on-call audit: 'backups prune' after a restore was killed kept the backup it read, saying the restore
     * reads it (abandoned), and left the org restoring — the one command that touches an org's backups and not its dead
     * restore. It rolls the restore back first, as every other command does (said on stderr), then prunes by retention;
     * its dry run says it would.
     */
    @Test
    void pruneRollsBackARestoreKilledBeforeItsFlipThenPrunesItsBackupByRetention(@TempDir Path dir) throws Exception {
        try (BackupFixture f = acmeBackedUp(dir)) {
            String newer = f.backup("acme");
            String fresh = killRestoreMidCopy(f, dir, backupId);
            assertThat(f.org("acme").get("status").asText()).as("left behind by the killed restore").isEqualTo("restoring");

            JsonNode planned = strictJson(ok(f.cli, "backups", "prune", "--keep-last", "1", "--keep-daily", "0", "--dry-run", "-o", "json"));
            assertThat(decision(planned, backupId).get("action").asText()).as(planned.toString()).isEqualTo("keep");
            assertThat(decision(planned, backupId).get("reason").asText()).as(planned.toString()).contains("rolls it back first");
            assertThat(f.org("acme").get("status").asText()).as("a dry run rolls nothing back").isEqualTo("restoring");

            Cli.Result pruned = ok(f.cli, "backups", "prune", "--keep-last", "1", "--keep-daily", "0", "-o", "json");
            assertThat(pruned.err()).as(pruned.toString()).contains("the restore of backup " + backupId).contains("died");
            JsonNode decided = strictJson(pruned);
            assertThat(decision(decided, backupId).get("action").asText()).as(decided.toString()).isEqualTo("delete");
            assertThat(decision(decided, newer).get("action").asText()).as(decided.toString()).isEqualTo("keep");
            assertThat(f.databaseNames("pool-0")).as("the partial database was dropped").doesNotContain(fresh);
            activeOnItsOwnData(f);
            assertThat(strictJson(ok(f.cli, "runs", "show", restoreRuns(f).get(0), "-o", "json")).get("run").get("status").asText())
                    .isEqualTo("failed");
        }
    }

    /** Prune's decision on {@code backup} in its -o json document. */
    private static JsonNode decision(JsonNode prune, String backup) {
        for (JsonNode d : prune.get("decisions")) {
            if (d.get("backup_id").asText().equals(backup)) {
                return d;
            }
        }
        throw new AssertionError("no decision on " + backup + ": " + prune);
    }

    /** The org leases as a process of another host holds them: nothing here can tell whether it is alive. */
    private static void onAnotherNode(String catalogUrl) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(catalogUrl); java.sql.Statement s = c.createStatement()) {
            s.execute("update org_leases set holder = 'another-node/1/x', host = 'another-node', pid = 1");
        }
    }

    /** A restore killed on this host is rolled back by the next restore here at once, not a lease's length (60 s) later. */
    @Test
    void aRestoreKilledOnThisHostIsRolledBackByTheNextRestoreAtOnce(@TempDir Path dir) throws Exception {
        try (BackupFixture f = acmeBackedUp(dir)) {
            String fresh = killRestoreMidCopy(f, dir, backupId);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");

            long t0 = System.nanoTime();
            ok(f.cli, "restore", "--org", "acme", "--backup", backupId);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not after the dead restore's lease ran out").isLessThan(Duration.ofSeconds(45));
            JsonNode org = f.org("acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", before);
            // the killed restore's partial database was dropped (or rebuilt as this restore's own: the same backup, the same name)
            assertThat(f.databaseNames("pool-0").stream().filter(n -> n.startsWith("org_acme__r")))
                    .as("no partial copy left beside %s", fresh).containsExactly(org.get("database_name").asText());
        }
    }

    /** Starts a restore of {@code backupId} in a child JVM and kills it (SIGKILL) once it is copying; its fresh database's name. */
    private static String killRestoreMidCopy(BackupFixture f, Path dir, String backupId) throws Exception {
        String fresh = freshDatabase(backupId);
        killRestoreOnceCopying(f, dir, fresh, "--org", "acme", "--backup", backupId);
        return fresh;
    }

    /**
     * Starts {@code restore args} in a child JVM and kills it (SIGKILL) once it is copying: once it has claimed the org and
     * put 1,000 notes into {@code database} on pool-0.
     */
    static void killRestoreOnceCopying(BackupFixture f, Path dir, String database, String... args) throws Exception {
        killRestoreWhen(f, dir, () -> f.database("pool-0", database).getCollection("notes").estimatedDocumentCount() >= 1000, args);
    }

    /** Starts {@code restore args} in a child JVM and kills it (SIGKILL) once {@code when} holds (waited for, bounded). */
    static void killRestoreWhen(BackupFixture f, Path dir, java.util.function.BooleanSupplier when, String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("TENANTCTL_CATALOG_URL", f.catalogUrl);
        env.put("TENANTCTL_STORE", dir.resolve("store").toUri().toString());
        env.put("USER", "crash-test");
        List<String> restoreArgs = new ArrayList<>(List.of("restore"));
        restoreArgs.addAll(List.of(args));
        Process restore = ChildJvm.start(dir, env, Main.class.getName(), restoreArgs.toArray(String[]::new));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!when.getAsBoolean()) {
            assertThat(restore.isAlive()).as("the restore ended before it could be killed").isTrue();
            assertThat(Instant.now()).as("the restore never got there").isBefore(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a warm pool loads 20,000 in ~50 ms
        }
        restore.destroyForcibly(); // the node it ran on is lost
        assertThat(restore.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Found by red-teaming: the operator's next operation on an org a dead restore left restoring is 'orgs resume' (the
     * tenant cannot write). It refused on the org's status before taking (and so recovering) the expired lease, its hint
     * pointing back at 'orgs show', which says the next operation recovers it: the hints went round in a circle.
     */
    @Test
    void orgsResumeOfAnOrgADeadRestoreLeftRestoringRecoversItAsOrgsShowPromises(@TempDir Path dir) throws Exception {
        try (BackupFixture f = acmeBackedUp(dir)) {
            String fresh = killRestoreMidCopy(f, dir, backupId);
            assertThat(f.expireLeases()).as("the one lease there is").isEqualTo(1); // 60 s later
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("expired: the next operation on the org recovers it");

            Cli.Result resumed = f.cli.run("orgs", "resume", "acme");
            assertThat(resumed.exitCode()).as("orgs resume after orgs show said the next operation recovers it: %s", resumed).isZero();
            activeOnItsOwnData(f);
            assertThat(f.databaseNames("pool-0")).as("the dead restore's partial database").doesNotContain(fresh);
        }
    }

    /**
     * An in-place restore first loads the backup into a scratch database on the org's pool. One killed during that trial
     * left the org restoring (rolled back by the next command) and the scratch database on the pool for good: nothing
     * recorded it once its run was closed, so it sat there as a stray copy of the org's data.
     */
    @Test
    void anInPlaceRestoreKilledDuringItsTrialLoadLeavesNoScratchDatabase(@TempDir Path dir) throws Exception {
        try (BackupFixture f = acmeBackedUp(dir)) {
            String scratch = freshDatabase(backupId);
            killRestoreOnceCopying(f, dir, scratch, "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            assertThat(f.databaseNames("pool-0")).as("the trial's scratch database, left by the killed restore").contains(scratch);

            assertThat(f.expireLeases()).as("the one lease there is").isEqualTo(1); // 60 s later
            // found in review: verify --fix --dry-run said every way a rollback can end, not the one this org's will
            String runId = restoreRuns(f).get(0);
            assertThat(wouldFix(f)).as("the dry run").containsExactly("org acme: the restore of backup " + backupId + " (run " + runId
                    + ") that held it died: its trial database " + scratch + " on pool pool-0 would be dropped; org acme would be set back to "
                    + "active on its own database org_acme; its run would be closed as failed");
            Cli.Result backedUp = ok(f.cli, "backup", "--org", "acme");
            assertThat(backedUp.err()).as("as its dry run said: %s", backedUp).contains("the restore of backup " + backupId + " (run " + runId
                    + ") died; its trial database " + scratch + " was removed; org acme still points at its database, status active\n");

            assertThat(f.databaseNames("pool-0")).as("the dead trial's scratch database").doesNotContain(scratch);
            activeOnItsOwnData(f);
        }
    }

    /**
     * Found by a probing helper: an in-place restore killed past its drop leaves the org restoring on a partial database.
     * A restore after it that failed (or was interrupted, or was killed) before its own drop put the org back to the
     * status it had before the first one: active on a database with a few of its documents, which verify then offered
     * to "fix" by adding the missing indexes. The org has no whole data until a restore finishes: it stays restoring.
     */
    @Test
    void anOrgAnInPlaceRestoreLeftPartialStaysRestoringWhenTheRestoresAfterItFailToo(@TempDir Path dir) throws Exception {
        try (BackupFixture f = acmeBackedUp(dir)) {
            // killed once it has dropped the database and said so, as it loads the backup (a warm pool loads these 20,000 in
            // a few tens of milliseconds: waiting to see documents there, the kill once came after the last)
            killRestoreWhen(f, dir, () -> droppedItsDatabase(f.catalogUrl) && childSaid(dir, "WARNING: DROPPED database org_acme"),
                    "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).as("left partial").isLessThan(20_000);
            // found by a probing helper: the warning came only once the restore had finished, so a killed one never said it
            assertThat(java.nio.file.Files.readString(dir.resolve("child.stderr"))).contains("WARNING: DROPPED database org_acme on pool pool-0");

            // the restores after it stop before they drop anything: the pool refuses to create the scratch or fresh database,
            // after Ctrl-C for the first (an in-place one), as an error for the second (into a fresh database)
            io.tenantctl.fanout.CancelToken cancel = new io.tenantctl.fanout.CancelToken();
            Cli failing = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "create") && db.startsWith("org_acme__r") && !cancel.isCancelled()) {
                    cancel.cancel("SIGINT");
                } else if (HookedPools.is(cmd, "create") && db.startsWith("org_acme__r")) {
                    throw new com.mongodb.MongoCommandException(new org.bson.BsonDocument("ok", new org.bson.BsonDouble(0))
                            .append("code", new org.bson.BsonInt32(2)).append("errmsg", new org.bson.BsonString("refused by test")),
                            new com.mongodb.ServerAddress());
                }
            }));
            Cli.Result interrupted = failing.run(cancel, "restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            Cli.Result failed = failing.run("restore", "--org", "acme", "--backup", backupId);
            for (Cli.Result r : List.of(interrupted, failed)) {
                assertThat(r.exitCode()).as("%s", r).isEqualTo(r == interrupted ? 130 : 1);
                assertThat(r.err()).as("%s", r).contains("stays restoring (not writable)").contains("re-run the restore: tenantctl restore")
                        .doesNotContain("status active");
            }
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");

            // and one killed before its own drop (during its trial load): the next command's recovery leaves it restoring too
            String scratch = freshDatabase(backupId);
            killRestoreOnceCopying(f, dir, scratch, "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            // found in review: verify --fix --dry-run said every way a rollback can end, not the one this org's will
            String runId = restoreRuns(f).get(0);
            String rerun = "re-run the restore: tenantctl restore --org acme --backup " + backupId + " --in-place --drop-existing";
            assertThat(wouldFix(f)).as("the dry run").containsExactly("org acme: the restore of backup " + backupId + " (run " + runId
                    + ") that held it died: its trial database " + scratch + " on pool pool-0 would be dropped; org acme's database org_acme "
                    + "on pool pool-0 was dropped by an earlier restore that did not finish and it is only partly restored: org acme would "
                    + "be left restoring (not writable), nothing else undone; its run would be closed as failed; then " + rerun);
            Cli.Result notBackedUp = f.cli.run("backup", "--org", "acme");
            assertThat(notBackedUp.exitCode()).as("a restoring org is not backed up").isEqualTo(1);
            assertThat(notBackedUp.err()).as("as its dry run said: %s", notBackedUp).contains("the restore of backup " + backupId + " (run "
                    + runId + ") died; its trial database " + scratch + " was removed; the org's database org_acme was dropped by an earlier "
                    + "restore that did not finish and is only partly restored: the org stays restoring (not writable); " + rerun + "\n");
            assertThat(f.org("acme").get("status").asText()).as("after the dead trial was recovered").isEqualTo("restoring");
            assertThat(f.databaseNames("pool-0")).as("the dead trial's scratch database").doesNotContain(scratch);

            // the restore orgs show names brings the data back
            JsonNode next = strictJson(ok(f.cli, "orgs", "show", "acme", "-o", "json")).get("next");
            assertThat(next.asText()).startsWith("tenantctl restore --org acme --backup " + backupId);
            ok(f.cli, next.asText().substring("tenantctl ".length()).split(" "));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", before);
            // the interrupted restore is no next step any more: run again, it would drop what was written since (the backup
            // refused above is a failed run its --resume takes up again)
            for (JsonNode run : strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs")) {
                assertThat(run.get("next_step").isNull()).as("%s", run).isTrue();
            }
        }
    }

    /** The restore runs, newest first. */
    private static List<String> restoreRuns(BackupFixture f) {
        List<String> out = new ArrayList<>();
        strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").forEach(r -> out.add(r.get("run_id").asText()));
        return out;
    }

    /** What verify --fix --dry-run says it would put right (nothing done). */
    private static List<String> wouldFix(BackupFixture f) {
        Cli.Result r = f.cli.run("verify", "--fix", "--dry-run", "-o", "json");
        List<String> lines = new ArrayList<>();
        strictJson(r).get("fixed").forEach(l -> lines.add(l.asText()));
        return lines;
    }

    /** Whether the restore holding acme's lease has recorded that it dropped the org's database. */
    private static boolean childSaid(Path dir, String what) {
        try {
            return java.nio.file.Files.readString(dir.resolve("child.stderr")).contains(what);
        } catch (java.io.IOException e) {
            return false; // not there yet
        }
    }

    private static boolean droppedItsDatabase(String url) {
        // on the test's one catalog session: a connection of its own each time (~25 ms) let a restore load all it had
        // between two looks, so that the "partial" database was whole by the kill
        try (Statement s = io.tenantctl.testing.TestCatalog.session(url).createStatement();
             ResultSet rs = s.executeQuery("select state from org_leases where org_id = 'acme'")) {
            return rs.next() && rs.getString(1) != null && org.bson.Document.parse(rs.getString(1)).getBoolean("current_dropped", false);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRestoreThatDiedBeforeRecordingItsStateLeavesNoRunRunning(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String runId = restoreDiedBeforeRecordingItsState(f, 0);

            ok(f.cli, "backup", "--org", "acme"); // the next mutating command recovers what the dead restore left

            closedAsFailed(f, runId);
        }
    }

    @Test
    void aRestoreThatDiedBeforeRecordingItsStateIsClosedAfterManyNewerRuns(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            // cron's backups and verifies of a fleet record more than 200 runs in the hours after the restore died
            String runId = restoreDiedBeforeRecordingItsState(f, 250);

            ok(f.cli, "backup", "--org", "acme");

            closedAsFailed(f, runId);
        }
    }

    /**
     * What a restore of acme killed between recording its run and recording its state on the org's lease leaves, its
     * lease expired, and {@code newerRuns} runs of other orgs recorded after it; returns the restore's run.
     */
    private static String restoreDiedBeforeRecordingItsState(BackupFixture f, int newerRuns) {
        f.provision("acme");
        f.backup("acme");
        String runId;
        try (io.tenantctl.catalog.Catalog catalog = io.tenantctl.catalog.Catalog.connect(f.catalogUrl)) {
            assertThat(catalog.leases().acquire("acme", "gone-host/1/dead", "gone-host", 1, "restore", null, null, 60).taken()).isTrue();
            runId = catalog.runs().start("restore", "{}", "crash-test", List.of("acme"));
            catalog.runs().itemStarted(runId, "acme");
            for (int i = 0; i < newerRuns; i++) {
                String other = catalog.runs().start(i % 2 == 0 ? "backup" : "verify", "{}", "cron", List.of("org" + i));
                catalog.runs().itemFinished(other, "org" + i, "succeeded", 1, 0, null);
                catalog.runs().finish(other, "succeeded");
            }
        }
        assertThat(f.expireLeases()).as("the one lease there is").isEqualTo(1);
        return runId;
    }

    /** The dead restore's run failed with why, and acme active. */
    private static void closedAsFailed(BackupFixture f, String runId) {
        JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
        assertThat(run.get("run").get("status").asText()).isEqualTo("failed");
        assertThat(run.get("items").get(0).get("error").asText()).contains("died before it changed anything");
        assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
    }
}
