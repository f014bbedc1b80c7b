package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org in flight whose pool call waits out a retry's backoff (a FerretDB deadlock) when Ctrl-C comes: the backoff is
 * cut short (RetryTest.aBackoffEndsWithinASecondOfCtrlC), and the org was then recorded {@code failed} with the deadlock,
 * counted by --max-failures (the run aborted, exit 1), although nothing failed for good: the operator asked to stop. It
 * is an interrupted org, as one a Ctrl-C stopped mid-copy is (AnOrgInterruptedByOneWorkersCtrlCIsNotFailedTest): back to
 * the run not_started, saying it was interrupted; the run is interrupted (exit 130) and its --resume does it — in
 * migrate-all, provision and backup alike.
 */
@Timeout(180)
class ACtrlCDuringAnOrgsRetryBackoffIsNotItsFailureTest {

    @TempDir
    Path dir;

    @Test
    void aMigrationWhoseDeadlockRetryCtrlCCutShortIsNotFailedAndItsResumeMigratesIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            Path v2 = MigrateAllFixture.write(dir, "v2.json", CliFixture.smallSchemaWithUniqueUsername(false));
            CancelToken ctrlC = new CancelToken();
            Cli cli = f.newCli().decoratePools(real -> pressedDuringADeadlock(real, ctrlC, "createIndexes"));

            Cli.Result r = cli.run(ctrlC, "migrate-all", "--schema", v2.toString(), "--max-failures", "0", "--per-pool", "1",
                    "--concurrency", "1", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(strictJson(r).get("failed")).as(r.toString()).isEmpty();
            String runId = strictJson(r).get("run_id").asText();
            assertInterruptedWithAcmeNotStarted(f, runId);

            Cli.Result resumed = f.cli.run("migrate-all", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            assertThat(strictJson(resumed).get("migrated").asInt()).as(resumed.toString()).isEqualTo(2);
            assertSucceeded(f, runId);
            String v2Hash = strictJson(resumed).get("schema_hash").asText();
            for (String org : List.of("acme", "beta")) {
                assertThat(f.org(org).get("schema_hash").asText()).as(org).isEqualTo(v2Hash);
            }
        }
    }

    @Test
    void aProvisionWhoseDeadlockRetryCtrlCCutShortIsNotFailedAndItsResumeProvisionsIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Cli.Result r = provisionStoppedInADeadlockRetry(f);
            String runId = strictJson(r).get("run_id").asText();
            assertInterruptedWithAcmeNotStarted(f, runId);
            assertThat(f.org("acme").get("status").asText()).as("still to be provisioned, as beta, never started, is")
                    .isEqualTo(f.org("beta").get("status").asText());

            Cli.Result resumed = f.cli.run("provision", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            assertSucceeded(f, runId);
            for (String org : List.of("acme", "beta")) {
                assertThat(f.org(org).get("status").asText()).as(org).isEqualTo("active");
            }
        }
    }

    /**
     * Found by a colleague: 'runs cancel' leaves an org in flight to its worker, and fails a provision's other unfinished
     * orgs with the provision that finishes them. A worker that Ctrl-C then stopped in acme's deadlock backoff (nothing
     * failed for good) recorded acme's item cancelled and left acme provisioning, nobody left to finish it, until a
     * 'verify --fix'. acme now ends as the cancel's own unfinished orgs do: failed, its step the provision that finishes it.
     * The worker named the cancelled run's --resume as what goes on, which is refused: it now says the run was cancelled.
     */
    @Test
    void aProvisionsOrgCtrlCStopsAfterItsRunWasCancelledEndsFailedAsTheCancelsOthersDo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause inFlight = Pause.at(1)) {
            CancelToken ctrlC = new CancelToken();
            AtomicBoolean pressed = new AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme") && HookedPools.is(cmd, "createIndexes") && pressed.compareAndSet(false, true)) {
                    inFlight.call(); // acme's lease held, its collection made
                    ctrlC.cancel("SIGINT");
                    throw HookedPools.commandError(1, "deadlock detected");
                }
            }));
            CompletableFuture<Cli.Result> provision = cli.start(ctrlC, text -> { }, "provision", "acme", "--schema", f.schema.toString(),
                    "-o", "json");
            inFlight.awaitPaused("acme's first createIndexes");
            String runId = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            JsonNode cancelled = strictJson(ok(f.cli, "runs", "cancel", runId, "-o", "json"));
            assertThat(cancelled.get("provision").get("failed")).as("acme in flight, its worker's: %s", cancelled).isEmpty();
            inFlight.wake();
            Cli.Result r = provision.get(60, TimeUnit.SECONDS);

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            // its --resume would be refused (the run is cancelled): the worker says what works instead, as 'runs cancel' does
            assertThat(strictJson(r).get("next").isNull()).as(r.toString()).isTrue();
            assertThat(strictJson(r).get("next_note").asText()).as(r.toString()).contains("start a new run");
            assertThat(r.err()).as(r.toString()).contains("cancelled: run " + runId + " was cancelled").doesNotContain("--resume");
            JsonNode item = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("items").get(0);
            assertThat(item.get("status").asText()).as("%s", item).isEqualTo("cancelled");
            assertThat(f.org("acme").get("status").asText()).as("left unfinished by a cancelled run").isEqualTo("failed");
            String next = strictJson(ok(f.cli, "orgs", "show", "acme", "-o", "json")).path("next").asText();
            assertThat(next).startsWith("tenantctl provision acme --schema-hash ");
            ok(f.cli, next.substring("tenantctl ".length(), next.indexOf("   (")).split(" "));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found by a colleague: 'runs cancel' leaves an org in flight to its worker, and one that then fails there (no Ctrl-C:
     * its createIndexes refused) was given, by a --join worker, the run's --resume as its next step, which is refused for
     * a cancelled run. Its step is now what works for it: the provision that finishes it, as orgs show names it.
     */
    @Test
    void aJoinedProvisionsOrgThatFailsAfterItsRunWasCancelledIsNotToldTheRunsResume() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause inFlight = Pause.at(1)) {
            String runId = strictJson(ok(f.cli, "provision", "acme", "--schema", f.schema.toString(), "--detach", "-o", "json"))
                    .get("run_id").asText();
            AtomicBoolean refused = new AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme") && HookedPools.is(cmd, "createIndexes") && refused.compareAndSet(false, true)) {
                    inFlight.call(); // acme's lease held, its collection made
                    throw HookedPools.commandError(13, "not authorized (test)");
                }
            }));
            CompletableFuture<Cli.Result> worker = cli.start(new CancelToken(), text -> { }, "provision", "--join", runId, "-o", "json");
            inFlight.awaitPaused("acme's first createIndexes");
            ok(f.cli, "runs", "cancel", runId);
            inFlight.wake();
            Cli.Result r = worker.get(60, TimeUnit.SECONDS);

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed");
            assertThat(failed).as(r.toString()).hasSize(1);
            String next = failed.get(0).get("next_step").asText();
            assertThat(next).as(r.toString()).doesNotContain("--resume").startsWith("tenantctl provision acme --schema-hash ");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");
            ok(f.cli, next.substring("tenantctl ".length()).split(" "));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /** The same for a joined migrate-all: its org's step is a migration of it alone, with the run's manifest. */
    @Test
    void aJoinedMigrationsOrgThatFailsAfterItsRunWasCancelledIsNotToldTheRunsResume() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause inFlight = Pause.at(1)) {
            f.provision("acme");
            Path v2 = MigrateAllFixture.write(dir, "v2.json", CliFixture.smallSchemaWithUniqueUsername(false));
            String runId = strictJson(ok(f.cli, "migrate-all", "--schema", v2.toString(), "--detach", "-o", "json")).get("run_id").asText();
            Cli.Result r = failedAfterTheCancel(f, inFlight, runId, "createIndexes", "migrate-all");

            String next = failedAfterTheCancel(r);
            assertThat(next).as(r.toString()).startsWith("tenantctl migrate-all --org acme --schema-hash ");
            String v2Hash = strictJson(ok(f.cli, (next.substring("tenantctl ".length()) + " -o json").split(" "))).get("schema_hash").asText();
            assertThat(f.org("acme").get("schema_hash").asText()).isEqualTo(v2Hash);
        }
    }

    /**
     * The same for a joined backup: its org's step is a backup of it alone, copying as the run does. Found by a colleague:
     * that step took the worker's own --freeze and --compression, and a --join worker is given none (they are the run's):
     * a run started --freeze --compression gzip named 'backup --org acme', a live zstd copy, neither what the run promised.
     */
    @Test
    void aJoinedBackupsOrgThatFailsAfterItsRunWasCancelledIsNotToldTheRunsResume() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause inFlight = Pause.at(1)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--freeze", "--compression", "gzip", "--detach", "-o", "json"))
                    .get("run_id").asText();
            Cli.Result r = failedAfterTheCancel(f, inFlight, runId, "listIndexes", "backup");

            String next = failedAfterTheCancel(r);
            assertThat(next).as(r.toString()).isEqualTo("tenantctl backup --org acme --freeze --compression gzip");
            String backupId = strictJson(ok(f.cli, (next.substring("tenantctl ".length()) + " -o json").split(" ")))
                    .get("orgs").get(0).get("backup_id").asText();
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(f.storeDir.resolve("acme").resolve(backupId))) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("manifest.json")).toList())
                        .as("the files the step wrote").isNotEmpty().allSatisfy(n -> assertThat(n).endsWith(".ndjson.gz"));
            }
            JsonNode backups = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups");
            assertThat(backups.findValuesAsText("status")).as(backups.toString()).contains("complete");
        }
    }

    /** A --join worker of run {@code runId} whose org acme, in flight at its first {@code command}, fails once the run is cancelled. */
    private static Cli.Result failedAfterTheCancel(BackupFixture f, Pause inFlight, String runId, String command, String verb) throws Exception {
        AtomicBoolean refused = new AtomicBoolean();
        Runnable refuse = () -> {
            if (refused.compareAndSet(false, true)) {
                inFlight.call(); // acme's lease held
                throw HookedPools.commandError(13, "not authorized (test)");
            }
        };
        // createIndexes is a database command; listIndexes a collection's call
        Cli cli = f.newCli().decoratePools(real -> command.equals("createIndexes")
                ? HookedPools.onCommand(real, (db, cmd) -> {
                    if (db.equals("org_acme") && HookedPools.is(cmd, command)) {
                        refuse.run();
                    }
                })
                : HookedPools.aroundCollectionCall(real, "org_acme"::equals, command, (collection, args, call) -> {
                    refuse.run();
                    return call.get();
                }));
        CompletableFuture<Cli.Result> worker = cli.start(new CancelToken(), text -> { }, verb, "--join", runId, "-o", "json");
        inFlight.awaitPaused("acme's first " + command);
        ok(f.cli, "runs", "cancel", runId);
        inFlight.wake();
        return worker.get(60, TimeUnit.SECONDS);
    }

    /** The worker's outcome: exit 1, acme failed; its step, which names no --resume (refused for a cancelled run). */
    private static String failedAfterTheCancel(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode failed = strictJson(r).get("failed");
        assertThat(failed).as(r.toString()).hasSize(1);
        String next = failed.get(0).get("next_step").asText();
        assertThat(next).as(r.toString()).doesNotContain("--resume");
        return next;
    }

    /**
     * Found by a colleague: the Ctrl-C hands acme's item back pending (its collections made, its attempt counted), and a
     * 'runs cancel' of the interrupted run afterwards took it for never started: it deleted acme's row (places_released)
     * and left org_acme on the pool with no org, verify's orphan to adopt half made. acme was begun: the cancel now marks
     * it failed with the provision that finishes it, as it marks the orgs a dead worker left; beta, never started, gives
     * its place back as before.
     */
    @Test
    void aCancelAfterTheCtrlCMarksTheOrgItStoppedFailedNotNeverStarted() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Cli.Result r = provisionStoppedInADeadlockRetry(f);

            String runId = strictJson(r).get("run_id").asText();
            JsonNode dryRun = strictJson(ok(f.cli, "runs", "cancel", runId, "--dry-run", "-o", "json")).get("provision");
            JsonNode cancelled = strictJson(ok(f.cli, "runs", "cancel", runId, "-o", "json")).get("provision");

            assertThat(dryRun.get("places_released").toString()).as("%s", dryRun).isEqualTo("[\"beta\"]");
            assertThat(cancelled.get("places_released").toString()).as("%s", cancelled).isEqualTo("[\"beta\"]");
            assertThat(cancelled.path("failed").path("acme").asText()).as("%s", cancelled).startsWith("tenantctl provision acme --schema-hash ");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");
            String next = cancelled.get("failed").get("acme").asText().split("   \\(")[0];
            ok(f.cli, next.substring("tenantctl ".length()).split(" "));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void aBackupWhoseDeadlockRetryCtrlCCutShortIsNotFailedAndItsResumeBacksItUp() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 10);
            f.notes("beta", "notes", 10);
            CancelToken ctrlC = new CancelToken();
            Cli cli = f.newCli().decoratePools(real -> pressedDuringADeadlockedListIndexes(real, ctrlC));

            Cli.Result r = cli.run(ctrlC, "backup", "--org", "acme,beta", "--per-pool", "1", "--concurrency", "1", "-o", "json");

            assertThat(ctrlC.isCancelled()).as(r.toString()).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            String runId = strictJson(r).get("run_id").asText();
            assertInterruptedWithAcmeNotStarted(f, runId);

            Cli.Result resumed = f.cli.run("backup", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            assertSucceeded(f, runId);
            for (String org : List.of("acme", "beta")) {
                JsonNode backups = strictJson(ok(f.cli, "backups", "list", "--org", org, "-o", "json")).get("backups");
                assertThat(backups.findValuesAsText("status").stream().filter("complete"::equals)).as(org + ": " + backups).hasSize(1);
            }
        }
    }

    /**
     * The backup the Ctrl-C abandoned in the deadlock's backoff is listed as one a Ctrl-C stopped mid-copy is (beta's,
     * stopped between its collections): saying it was interrupted (and which call was waiting), not as one the deadlock
     * failed ("code 1: deadlock detected (no manifest was written)").
     */
    @Test
    void theBackupWhoseDeadlockRetryCtrlCCutShortIsListedAsInterruptedAsOneStoppedMidCopy() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            for (String org : List.of("acme", "beta")) {
                f.notes(org, "notes", 10);
                f.notes(org, "tasks", 10);
            }
            CancelToken inBackoff = new CancelToken();
            Cli.Result r = f.newCli().decoratePools(real -> pressedDuringADeadlockedListIndexes(real, inBackoff))
                    .run(inBackoff, "backup", "--org", "acme", "-o", "json");
            CancelToken midCopy = new CancelToken();
            Cli.Result stopped = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, "org_beta"::equals, "listIndexes",
                    (collection, args, call) -> {
                        if (collection.equals("tasks")) {
                            midCopy.cancel("SIGINT"); // notes copied, tasks not begun
                        }
                        return call.get();
                    })).run(midCopy, "backup", "--org", "beta", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
            JsonNode acme = onlyBackup(f, "acme");
            JsonNode beta = onlyBackup(f, "beta");
            assertThat(beta.get("error").asText()).as(beta.toPrettyString()).startsWith("interrupted");
            assertThat(acme.get("status").asText()).as(acme.toPrettyString()).isEqualTo(beta.get("status").asText());
            assertThat(acme.get("error").asText()).as(acme.toPrettyString()).startsWith("interrupted").contains("deadlock detected")
                    .contains("no manifest was written");
        }
    }

    private static JsonNode onlyBackup(BackupFixture f, String org) {
        JsonNode backups = strictJson(ok(f.cli, "backups", "list", "--org", org, "-o", "json")).get("backups");
        assertThat(backups).as(backups.toPrettyString()).hasSize(1);
        return backups.get(0);
    }

    /**
     * A dry run is told the same: the org whose look at its indexes a Ctrl-C cut short in a deadlock's backoff was not
     * looked at (not_started, saying why), not one that would fail with the deadlock.
     */
    @Test
    void aDryRunOrgWhoseDeadlockRetryCtrlCCutShortWasNotLookedAtNotFailed() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            Path v2 = MigrateAllFixture.write(dir, "v2.json", CliFixture.smallSchemaWithUniqueUsername(false));
            CancelToken ctrlC = new CancelToken();
            Cli cli = f.newCli().decoratePools(real -> pressedDuringADeadlockedListIndexes(real, ctrlC));

            Cli.Result r = cli.run(ctrlC, "migrate-all", "--schema", v2.toString(), "--dry-run", "--per-pool", "1", "--concurrency", "1",
                    "-o", "json");

            assertThat(ctrlC.isCancelled()).as(r.toString()).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            JsonNode s = strictJson(r);
            assertThat(s.get("failed")).as(r.toString()).isEmpty();
            assertThat(s.get("counts").has("failed")).as(r.toString()).isFalse();
            for (JsonNode o : s.get("orgs")) {
                assertThat(o.get("outcome").asText()).as(r.toString()).isEqualTo("not_started");
                if (o.get("org_id").asText().equals("acme")) {
                    assertThat(o.get("error").asText()).as(r.toString()).contains("interrupted").contains("deadlock detected");
                }
            }
        }
    }

    /** Pools on which org acme's first listIndexes answers a deadlock (retryable), Ctrl-C pressed as it does. */
    /** provision acme beta, one at a time, Ctrl-C pressed during acme's createIndexes deadlock retry: exit 130. */
    private static Cli.Result provisionStoppedInADeadlockRetry(BackupFixture f) {
        CancelToken ctrlC = new CancelToken();
        Cli cli = f.newCli().decoratePools(real -> pressedDuringADeadlock(real, ctrlC, "createIndexes"));
        Cli.Result r = cli.run(ctrlC, "provision", "acme", "beta", "--schema", f.schema.toString(), "--per-pool", "1",
                "--concurrency", "1", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
        return r;
    }

    private static io.tenantctl.pool.PoolConnector pressedDuringADeadlockedListIndexes(io.tenantctl.pool.PoolConnector real,
                                                                                      CancelToken ctrlC) {
        AtomicBoolean pressed = new AtomicBoolean();
        return HookedPools.aroundCollectionCall(real, "org_acme"::equals, "listIndexes", (collection, args, call) -> {
            if (pressed.compareAndSet(false, true)) {
                ctrlC.cancel("SIGINT");
                throw HookedPools.commandError(1, "deadlock detected");
            }
            return call.get();
        });
    }

    /** Pools on which org acme's first {@code command} answers a deadlock (retryable), Ctrl-C pressed as it does. */
    private static io.tenantctl.pool.PoolConnector pressedDuringADeadlock(io.tenantctl.pool.PoolConnector real, CancelToken ctrlC,
                                                                          String command) {
        AtomicBoolean pressed = new AtomicBoolean();
        return HookedPools.onCommand(real, (db, cmd) -> {
            if (db.equals("org_acme") && HookedPools.is(cmd, command) && pressed.compareAndSet(false, true)) {
                ctrlC.cancel("SIGINT");
                throw HookedPools.commandError(1, "deadlock detected");
            }
        });
    }

    /** The run stands interrupted, nothing failed; acme goes back to it not_started, saying it was interrupted; beta never started. */
    private static void assertInterruptedWithAcmeNotStarted(BackupFixture f, String runId) {
        JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
        assertThat(run.get("status").asText()).as(run.toPrettyString()).isEqualTo("interrupted");
        assertThat(run.get("counts").has("failed")).as(run.toPrettyString()).isFalse();
        JsonNode acme = CliFixture.runItem(run, "acme");
        assertThat(acme.get("outcome").asText()).as(run.toPrettyString()).isEqualTo("not_started");
        assertThat(acme.get("error").asText()).as("why it is not done").contains("interrupted").contains("deadlock detected");
        assertThat(CliFixture.runItem(run, "beta").get("outcome").asText()).as(run.toPrettyString()).isEqualTo("not_started");
    }

    private static void assertSucceeded(BackupFixture f, String runId) {
        JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
        assertThat(run.get("status").asText()).as(run.toPrettyString()).isEqualTo("succeeded");
        assertThat(run.get("counts").has("failed")).as(run.toPrettyString()).isFalse();
    }
}
