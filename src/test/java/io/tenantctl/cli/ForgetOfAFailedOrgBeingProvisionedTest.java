package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ARCHITECTURE: whichever operation mutates an org holds its lease; "a second operation is refused naming the holder".
 * {@code orgs forget} deletes the org's catalog row but takes no lease: run while a provision resumes the failed org (the
 * very next step tenantctl prints for a failed org), it removes the row under the provision, which then fails blaming a
 * 'pools set-uri' that never happened, and leaves a built database that no org owns. And a forget that comes after the
 * provision's worker claimed the org's item but before it took the org's lease (checking its pool) ends the org's part in
 * that run too: the worker, once it has the lease, finds its item skipped and does not make the forgotten org again.
 */
class ForgetOfAFailedOrgBeingProvisionedTest {

    @TempDir
    Path dir;

    @Test
    void forgetIsRefusedNamingTheProvisionThatHoldsTheOrg() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            failedAtItsFirstCreate(f);

            // the operator re-runs the provision (its printed next step) and, in another shell, forgets the org
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.equals("org_acme"));
            CompletableFuture<Cli.Result> provision = held.cli().start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme");
            assertThat(held.awaitReached()).isTrue();
            Cli.Result forget = f.cli.run("orgs", "forget", "acme", "-o", "json");
            held.release();
            Cli.Result provisioned = provision.get(60, TimeUnit.SECONDS);

            assertThat(forget.exitCode()).as("forget while a provision holds the org: %s", forget).isEqualTo(3);
            assertThat(strictJson(forget).get("error").get("message").asText()).contains("provision");
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertClean("acme");
        }
    }

    @Test
    void forgetBetweenTheClaimAndTheLeaseIsNotUndoneByTheProvision() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause atPing = Pause.at(1)) {
            failedAtItsFirstCreate(f);
            assertThat(collections(f)).as("what the failed create left on pool-0").isEmpty();

            // the re-run provision's worker has claimed acme's item and checks its pool (the first ping) before the org's lease
            Cli pinging = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> atPing.call()));
            CompletableFuture<Cli.Result> provision = pinging.start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme", "-o", "json");
            atPing.awaitPaused("the provision's pool check of acme's claimed item");
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from run_items where org_id = 'acme' and status = 'running'"))
                    .as("acme's item claimed").isEqualTo(1);
            ok(f.cli, "orgs", "forget", "acme");
            atPing.wake();
            Cli.Result provisioned = provision.get(60, TimeUnit.SECONDS);

            // the forgotten org stays forgotten: its item in the run skipped saying why, no row, nothing built on the pool
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isZero();
            JsonNode acme = strictJson(provisioned).get("orgs").get(0);
            assertThat(acme.get("outcome").asText()).as("%s", provisioned).isEqualTo("skipped");
            assertThat(acme.get("error").asText()).as("%s", acme).contains("orgs forget");
            Cli.Result shown = f.cli.run("orgs", "show", "acme");
            assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(2);
            assertThat(collections(f)).as("collections of org_acme on pool-0").isEmpty();
        }
    }

    /**
     * Found by a colleague: a worker that finds its claimed org busy hands the item back to the run, and with --busy-timeout 0
     * (or its wait spent) failed it even when the item had been ended meanwhile by whoever holds the org: the forgotten
     * org's skipped item became 'failed' and the run, with nothing of its own failed, exited 1. Here the worker, paused
     * between its claim and the lease, wakes to acme forgotten (its item skipped) and provisioned afresh by another run
     * that holds acme's lease: the item stays skipped, and the run succeeds.
     */
    @Test
    void anItemForgottenWhileItsWorkerWaitsIsNotFailedWhenItFindsTheOrgBusy() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause atPing = Pause.at(1)) {
            failedAtItsFirstCreate(f);
            Cli pinging = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> atPing.call()));
            CompletableFuture<Cli.Result> provision = pinging.start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme", "--busy-timeout", "0", "-o", "json");
            atPing.awaitPaused("the provision's pool check of acme's claimed item");
            ok(f.cli, "orgs", "forget", "acme");
            // acme made again by a new provision, which holds acme's lease (at its first create) when the first worker wakes
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.equals("org_acme"));
            CompletableFuture<Cli.Result> again = held.cli().start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme");
            assertThat(held.awaitReached()).isTrue();
            atPing.wake();
            Cli.Result first = provision.get(60, TimeUnit.SECONDS);
            held.release();
            Cli.Result second = again.get(60, TimeUnit.SECONDS);

            assertThat(first.exitCode()).as("the run whose org was forgotten failed nothing: %s", first).isZero();
            JsonNode acme = strictJson(first).get("orgs").get(0);
            assertThat(acme.get("outcome").asText()).as("%s", first).isEqualTo("skipped");
            assertThat(acme.get("error").asText()).as("%s", acme).contains("orgs forget");
            assertThat(strictJson(first).get("counts").has("failed")).as("%s", first).isFalse();
            assertThat(second.exitCode()).as(second.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found by a colleague: a worker whose pool check of its claimed org fails marked the org failed before recording its
     * item, without looking whether the item was still its own. Here the worker, paused in that check, wakes to acme
     * forgotten (its item skipped) and placed again by a new provision run (detached: acme provisioning, waiting for a
     * worker), and then finds pool-0 not answering: the new acme stays provisioning, for its own run to make, and the
     * forgotten run's item stays skipped.
     */
    @Test
    void aForgottenItemWhosePoolCheckFailsDoesNotFailTheOrgProvisionedAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause atPing = Pause.at(1)) {
            failedAtItsFirstCreate(f);
            Cli deadPool = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> {
                atPing.call();
                throw new IllegalStateException("connection refused (test)");
            }));
            CompletableFuture<Cli.Result> provision = deadPool.start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme", "-o", "json");
            atPing.awaitPaused("the provision's pool check of acme's claimed item");
            ok(f.cli, "orgs", "forget", "acme");
            ok(f.cli, "provision", "--schema", f.schema.toString(), "--pool", "pool-0", "acme", "--detach");
            atPing.wake();
            Cli.Result first = provision.get(60, TimeUnit.SECONDS);

            assertThat(first.exitCode()).as("the run whose org was forgotten failed nothing: %s", first).isZero();
            JsonNode acme = strictJson(first).get("orgs").get(0);
            assertThat(acme.get("outcome").asText()).as("%s", first).isEqualTo("skipped");
            assertThat(f.org("acme").get("status").asText()).as("acme placed again, its run waiting for a worker").isEqualTo("provisioning");
        }
    }

    /**
     * Found by a colleague: a worker whose pool check of its claimed org fails recorded its item failed and then marked the
     * org failed without the org's lease, so a new provision of the org at work on it (holding its lease) had it marked
     * failed under it. Here a provision of new org acme is paused in its pool check while a second provision of acme takes
     * acme's lease and works on it (held at its first create); the first then finds pool-0 not answering: its item fails,
     * and acme stays provisioning, the second provision's, which makes it.
     */
    @Test
    void aPoolCheckThatFailsDoesNotFailTheOrgAnotherProvisionHolds() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause atPing = Pause.at(1)) {
            Cli deadPool = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> {
                atPing.call();
                throw new IllegalStateException("connection refused (test)");
            }));
            CompletableFuture<Cli.Result> provision = deadPool.start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme", "-o", "json");
            atPing.awaitPaused("the provision's pool check of acme's claimed item");
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.equals("org_acme"));
            CompletableFuture<Cli.Result> again = held.cli().start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme");
            assertThat(held.awaitReached()).isTrue();
            atPing.wake();
            Cli.Result first = provision.get(60, TimeUnit.SECONDS);
            String during = f.org("acme").get("status").asText();
            held.release();
            Cli.Result second = again.get(60, TimeUnit.SECONDS);

            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            assertThat(strictJson(first).get("orgs").get(0).get("error").asText()).as("%s", first).contains("connection refused (test)");
            assertThat(during).as("acme while the second provision works on it").isEqualTo("provisioning");
            assertThat(second.exitCode()).as(second.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found by a colleague: a worker that gave up on its org for another operation holding it past --busy-timeout failed
     * its item and then, without the org's lease, the org, under the holder: a new provision of the org at work on it had
     * it marked failed under it (killed between the two writes, the worker left it provisioning to the holder, which made it:
     * nothing stuck there). Here
     * a provision of new org acme holds acme's lease (at its first create) while a second provision of acme with
     * --busy-timeout 0 gives up on it: the second exits 1 naming the holder, and acme stays provisioning, the first's,
     * which makes it.
     */
    @Test
    void aProvisionThatGivesUpOnAnOrgAnotherProvisionHoldsDoesNotFailIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.equals("org_acme"));
            CompletableFuture<Cli.Result> first = held.cli().start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme");
            assertThat(held.awaitReached()).isTrue();
            Cli.Result second = f.cli.run("provision", "--schema", f.schema.toString(), "--pool", "pool-0", "acme",
                    "--busy-timeout", "0", "-o", "json");
            String during = f.org("acme").get("status").asText();
            held.release();
            Cli.Result made = first.get(60, TimeUnit.SECONDS);

            assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
            assertThat(strictJson(second).get("orgs").get(0).get("error").asText()).as("%s", second).contains("provision")
                    .contains("--wait");
            assertThat(during).as("acme while the first provision works on it").isEqualTo("provisioning");
            assertThat(made.exitCode()).as(made.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found by a colleague: a worker gave back its org's lease before recording the org's outcome, so a forget in between
     * (an 'orgs forget --wait' queued behind the provision gets the lease then) found the org failed and its item still
     * running, and skipped it saying only that it was forgotten: why the provision failed was nowhere, the org's row gone
     * too. Here the re-run provision fails acme again and is stopped at its item's outcome: acme is still the provision's
     * (a forget is refused naming it), and once the outcome is recorded a forget keeps the failure in the item.
     */
    @Test
    void aForgetAfterTheProvisionFailedKeepsWhyItFailed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            failedAtItsFirstCreate(f);
            TestCatalog.execute(f.catalogUrl, "create function gate_outcome() returns trigger language plpgsql as $f$ begin "
                    + "if current_query() like 'update run_items set status = $1, attempts = attempts + greatest%' then "
                    + "perform pg_advisory_lock(" + GATE + "); perform pg_advisory_unlock(" + GATE + "); end if; return null; end $f$");
            TestCatalog.execute(f.catalogUrl, "create trigger gate_outcome before update on run_items for each statement "
                    + "execute function gate_outcome()");
            Cli.Result during;
            Cli.Result provisioned;
            try (Connection gate = DriverManager.getConnection(f.catalogUrl); Statement s = gate.createStatement()) {
                s.execute("select pg_advisory_lock(" + GATE + ")");
                CompletableFuture<Cli.Result> provision = createFails(f).start("provision", "--schema", f.schema.toString(),
                        "--pool", "pool-0", "acme", "-o", "json");
                awaitGated(gate, provision);
                during = f.cli.run("orgs", "forget", "acme", "-o", "json");
                s.execute("select pg_advisory_unlock(" + GATE + ")");
                provisioned = provision.get(60, TimeUnit.SECONDS);
            }
            TestCatalog.execute(f.catalogUrl, "drop trigger gate_outcome on run_items");

            assertThat(during.exitCode()).as("forget while the provision records acme's outcome: %s", during).isEqualTo(3);
            assertThat(strictJson(during).get("error").get("message").asText()).contains("provision");
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isEqualTo(1);
            ok(f.cli, "orgs", "forget", "acme");
            JsonNode item = strictJson(ok(f.cli, "runs", "show", strictJson(provisioned).get("run_id").asText(), "-o", "json"))
                    .get("items").get(0);
            assertThat(item.get("status").asText()).as("%s", item).isEqualTo("skipped");
            assertThat(item.get("error").asText()).as("%s", item).contains("orgs forget").contains("not authorized (test)");
        }
    }

    /**
     * Found by a colleague: a worker whose pool check of its claimed org fails recorded the item failed and then, in a second
     * write, the org failed; a worker killed between the two (kill -9, a node lost) left the org provisioning under a run
     * whose item says it failed, which nothing in the run's course settles. Here the provision of new acme pinned to a pool
     * nobody listens on runs in a child JVM, held at whichever of the two writes comes second, and is killed there (its
     * catalog session ended with it): acme is failed, never provisioning, with its provision as its next step; the run's
     * item, its worker dead, is the run's --resume's, which fails it again on the dead pool.
     */
    @Test
    void aWorkerKilledBetweenFailingItsItemAndItsOrgOnADeadPoolLeavesTheOrgFailed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            CliFixture.addPool(f.cli, "pool-dead", "mongodb://127.0.0.1:1/", 5, 2); // nothing listens there
            // each of the two writes waits at the gate when the other is already in the catalog (its own transaction's too)
            TestCatalog.execute(f.catalogUrl, "create function gate_second() returns trigger language plpgsql as $f$ begin "
                    + "if (tg_table_name = 'orgs' and exists (select 1 from run_items where org_id = new.org_id and status = 'failed')) "
                    + "or (tg_table_name = 'run_items' and exists (select 1 from orgs where org_id = new.org_id and status = 'failed')) then "
                    + "perform pg_advisory_lock(" + GATE + "); perform pg_advisory_unlock(" + GATE + "); end if; return new; end $f$");
            TestCatalog.execute(f.catalogUrl, "create trigger gate_second before update on orgs for each row "
                    + "when (old.status = 'provisioning' and new.status = 'failed') execute function gate_second()");
            TestCatalog.execute(f.catalogUrl, "create trigger gate_second before update on run_items for each row "
                    + "when (old.status = 'running' and new.status = 'failed') execute function gate_second()");
            try (Connection gate = DriverManager.getConnection(f.catalogUrl); Statement s = gate.createStatement()) {
                s.execute("select pg_advisory_lock(" + GATE + ")");
                Process child = io.tenantctl.testing.ChildJvm.start(dir, quick(f), io.tenantctl.Main.class.getName(), "provision", "acme",
                        "--pool", "pool-dead", "--schema", f.schema.toString());
                long waiting = awaitGatedPid(gate, child);
                child.destroyForcibly(); // the node it ran on is lost
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                s.execute("select pg_terminate_backend(" + waiting + ")"); // its session ends with it, the waiting write not done
                s.execute("select pg_advisory_unlock(" + GATE + ")");
            }
            TestCatalog.execute(f.catalogUrl, "drop trigger gate_second on orgs");
            TestCatalog.execute(f.catalogUrl, "drop trigger gate_second on run_items");

            JsonNode acme = f.org("acme");
            assertThat(acme.get("status").asText()).as("acme after its worker was killed: %s", acme).isEqualTo("failed");
            String runId = strictJson(ok(f.cli, "runs", "list", "--verb", "provision", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(acme.get("next").asText()).as("%s", acme).startsWith("tenantctl provision --resume " + runId);
            Cli.Result resumed = new Cli(quick(f)).run("provision", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
            assertThat(strictJson(resumed).get("failed").get(0).get("error").asText()).as("%s", resumed).contains("pool-dead");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");
        }
    }

    /** The environment of a tenantctl on the fixture's catalog that gives up on a pool that does not answer in 200 ms. */
    private static java.util.Map<String, String> quick(BackupFixture f) {
        return java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "200", "USER", "test");
    }

    /** The pid of the catalog session whose write waits at the gate, once one does (the child alive till then). */
    private static long awaitGatedPid(Connection gate, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()) {
            try (Statement s = gate.createStatement(); ResultSet rs = s.executeQuery("select pid from pg_locks where "
                    + "locktype = 'advisory' and not granted and objid = " + GATE)) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("the provision never waited at its second write: " + (child.isAlive() ? "still running" : "exit " + child.exitValue()));
    }

    private static final int GATE = 7311;

    /** Until the provision's outcome statement waits at the gate, or the provision ended. */
    private static void awaitGated(Connection gate, CompletableFuture<Cli.Result> provision) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !provision.isDone()) {
            try (Statement s = gate.createStatement(); ResultSet rs = s.executeQuery("select count(*) from pg_locks where "
                    + "locktype = 'advisory' and not granted and objid = " + GATE)) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("the provision's outcome never waited: " + (provision.isDone() ? provision.get() : "still running"));
    }

    /** A provision of acme on pool-0 that failed at its first create: acme is 'failed', its database empty. */
    private static void failedAtItsFirstCreate(BackupFixture f) {
        Cli.Result failed = createFails(f).run("provision", "--schema", f.schema.toString(), "--pool", "pool-0", "acme");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");
    }

    /** A tenantctl whose creates in org_acme fail as refused by the pool. */
    private static Cli createFails(BackupFixture f) {
        return f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "create") && db.equals("org_acme")) {
                throw HookedPools.commandError(13, "not authorized (test)");
            }
        }));
    }

    /** The collections of database org_acme on pool-0 (none when it does not exist). */
    private static java.util.List<String> collections(BackupFixture f) {
        return f.database("pool-0", "org_acme").listCollectionNames().into(new java.util.ArrayList<>());
    }
}
