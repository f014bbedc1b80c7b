package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ForwardingStore;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Found by probing: a fan-out run that stops on something that is not the org's (a full store, a store that does not
 * answer, the catalog lost) left the org it was on recorded {@code running}, its claim let go: {@code runs show} said the
 * org was still running though nothing worked on it, with no word of why, and {@code runs list} said the run was running
 * for a lease's length. The org reads abandoned, saying why the run stopped, and so does the run, with its --resume.
 */
class ARunStoppedMidOrgSaysWhatItLeftTest {

    @TempDir
    Path dir;

    @Test
    void theOrgInFlightWhenTheRunStoppedReadsAbandonedWithWhyAndTheRunSaysHowToResumeIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "bravo");
            f.notes("acme", "a_notes", 20);
            f.notes("bravo", "a_notes", 20);
            String runId = stoppedOnAFullStore(f);

            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            JsonNode acme = CliFixture.runItem(run, "acme");
            assertThat(acme.get("status").asText()).as("nothing works on it: " + run.toPrettyString()).isEqualTo("abandoned");
            assertThat(acme.get("outcome").asText()).as("not failed: the store, not the org, is to blame").isEqualTo("not_started");
            assertThat(acme.get("error").asText()).as("why").contains("No space left on device").contains("run stopped");
            assertThat(CliFixture.runItem(run, "bravo").get("status").asText()).as("never claimed").isEqualTo("pending");
            assertThat(run.get("status").asText()).as("the run, as runs list says it").isEqualTo("abandoned");

            Cli.Result shown = ok(f.cli, "runs", "show", runId);
            assertThat(shown.out()).as(shown.out()).doesNotContainPattern("acme\\s+running").containsPattern("acme\\s+abandoned");

            Cli.Result listed = ok(f.cli, "runs", "list");
            assertThat(listed.out()).as(listed.out()).contains("abandoned " + runId + ": tenantctl backup --resume " + runId)
                    .contains("tenantctl runs cancel " + runId);
            JsonNode runs = strictJson(ok(f.cli, "runs", "list", "-o", "json"));
            assertThat(runs.get("runs").get(0).get("status").asText()).as(runs.toPrettyString()).isEqualTo("abandoned");

            assertThat(f.cli.run("backup", "--resume", runId).exitCode()).as("--resume goes on").isZero();
            JsonNode after = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(CliFixture.runItem(after, "acme").get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
            assertThat(CliFixture.runItem(after, "acme").get("error").isNull()).as("the stop's error goes once it is done").isTrue();
        }
    }

    /** A backup of every org, one at a time, stopped by a full store at its first org (acme): the run's id. */
    private static String stoppedOnAFullStore(BackupFixture f) throws Exception {
        TenantctlException stopped;
        try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
             ObjectStore store = new AFullStoreStopsTheBackupRunTest.Full(new FileObjectStore(f.storeDir))) {
            stopped = catchThrowableOfType(() -> backup(catalog, pools, store, RunControl.START), TenantctlException.class);
        }
        assertThat(stopped).isNotNull();
        assertThat(stopped.category().exitCode).as(stopped.getMessage()).isEqualTo(3);
        return stopped.runId();
    }

    private static Backup.Result backup(Catalog catalog, PoolClients pools, ObjectStore store, RunControl control) {
        return backup(catalog, pools, store, control, new CancelToken());
    }

    private static Backup.Result backup(Catalog catalog, PoolClients pools, ObjectStore store, RunControl control, CancelToken cancel) {
        return new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                new Backup.Request(new Backup.Selector(List.of(), control == RunControl.START, List.of(), false),
                        new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), control, cancel, Progress.NONE),
                        Clock.systemUTC()));
    }

    /**
     * Found by probing: the org a stopped worker left, taken over by --resume, kept the stop's "not finished: the run
     * stopped: … No space left on device" in runs show while the new worker was backing it up — as if the store were
     * still full and nothing were on it — until the retry recorded its outcome. While it is retried it reads running,
     * with no error; the retry's outcome is what it says once it ends.
     */
    @Test
    void anOrgTakenOverByAResumeReadsRunningWithoutTheStopsErrorWhileItIsRetried() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 20);
            String runId = stoppedOnAFullStore(f);
            assertThat(CliFixture.runItem(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")), "acme").get("error").asText())
                    .as("the stop said on it first").contains("run stopped");

            try (Pause pause = Pause.at(1); Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new ForwardingStore(new FileObjectStore(f.storeDir)) {
                     @Override
                     public Upload create(String key) {
                         pause.call(); // the resumed worker is on acme, its first file about to be written
                         return real.create(key);
                     }
                 }) {
                CompletableFuture<Backup.Result> resumed = CompletableFuture.supplyAsync(() -> backup(catalog, pools, store,
                        new RunControl(false, null, runId)));
                pause.awaitPaused("the resume reached acme's first file");

                JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
                JsonNode acme = CliFixture.runItem(run, "acme");
                assertThat(acme.get("status").asText()).as(run.toPrettyString()).isEqualTo("running");
                assertThat(acme.get("error").isNull()).as("no stale error while it is retried: " + run.toPrettyString()).isTrue();
                assertThat(acme.get("millis").isNull()).as("no stale time while it is retried: " + run.toPrettyString()).isTrue();
                assertThat(acme.get("detail").isNull()).as("no stale detail while it is retried: " + run.toPrettyString()).isTrue();
                Cli.Result shown = ok(f.cli, "runs", "show", runId);
                assertThat(shown.out()).as(shown.out()).containsPattern("acme\\s+running").doesNotContain("run stopped");

                pause.wake();
                assertThat(resumed.get(60, TimeUnit.SECONDS).report().count("failed")).as("the resume backs acme up").isZero();
            }
            JsonNode after = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(CliFixture.runItem(after, "acme").get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
        }
    }

    /**
     * Found by probing: --resume gave a run's failed orgs back to it as pending but kept their failures: while the resumed
     * run was running, runs show listed an org it had not reached yet not_started WITH the last attempt's error — as if
     * it had failed again — though the README says such an org has none. The failure is the earlier attempt's history:
     * the org carries no error until this attempt records its outcome.
     */
    @Test
    void aFailedOrgAResumeHasNotReachedYetCarriesNoError() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "bravo");
            f.notes("acme", "notes", 20);
            f.notes("bravo", "notes", 20);
            Cli.Result first = f.newCli().decoratePools(real -> BackupFailureTest.dyingAfter(real, "notes", 3, null))
                    .run("backup", "--all", "--per-pool", "1", "--concurrency", "1", "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            String runId = strictJson(first).get("run_id").asText();
            JsonNode failed = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            for (String org : List.of("acme", "bravo")) {
                assertThat(CliFixture.runItem(failed, org).get("error").asText()).as("both failed first: " + failed.toPrettyString())
                        .contains("connection reset by test");
            }
            // the abandoned backups the failures recorded, which no line of the run names once it is retried
            List<String> abandoned = List.of("acme", "bravo").stream()
                    .map(org -> CliFixture.runItem(failed, org).path("detail").path("backup_id").asText()).toList();
            assertThat(abandoned).as("each failure names its abandoned backup: " + failed.toPrettyString()).allMatch(id -> !id.isEmpty());

            try (Pause pause = Pause.at(1)) {
                // the resumed worker, one org at a time, stops in the first org it retries: the other waits its turn
                CompletableFuture<Cli.Result> resumed = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real,
                        db -> db.startsWith("org_"), "find", pause.on("notes"))).start("backup", "--resume", runId, "--concurrency", "1");
                pause.awaitPaused("the resume is on its first org");

                JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
                String onIt = CliFixture.runItem(run, "acme").get("status").asText().equals("running") ? "acme" : "bravo";
                JsonNode waiting = CliFixture.runItem(run, onIt.equals("acme") ? "bravo" : "acme");
                assertThat(CliFixture.runItem(run, onIt).get("status").asText()).as(run.toPrettyString()).isEqualTo("running");
                assertThat(waiting.get("status").asText()).as(run.toPrettyString()).isEqualTo("pending");
                assertThat(waiting.get("outcome").asText()).as(run.toPrettyString()).isEqualTo("not_started");
                assertThat(waiting.get("error").isNull()).as("not reached yet: no error, not the last attempt's: " + run.toPrettyString())
                        .isTrue();
                for (JsonNode item : List.of(waiting, CliFixture.runItem(run, onIt))) {
                    assertThat(item.get("millis").isNull()).as("nor the last attempt's time: " + run.toPrettyString()).isTrue();
                    assertThat(item.get("detail").isNull()).as("nor its abandoned backup: " + run.toPrettyString()).isTrue();
                }
                assertThat(run.toString()).as("no line names an abandoned backup").doesNotContain(abandoned.get(0)).doesNotContain(abandoned.get(1));
                Cli.Result shown = ok(f.cli, "runs", "show", runId);
                assertThat(shown.out()).as(shown.out()).doesNotContain("connection reset by test");

                pause.wake();
                Cli.Result done = resumed.get(60, TimeUnit.SECONDS);
                assertThat(done.exitCode()).as(done.toString()).isZero();
            }
            JsonNode after = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            for (String org : List.of("acme", "bravo")) {
                assertThat(CliFixture.runItem(after, org).get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
            }
        }
    }

    /**
     * Found by probing: an org one worker's Ctrl-C stopped mid-backup goes back to its run with that attempt's time and
     * the id of the backup it abandoned; the worker that took it next (a --join) cleared the error but not those, so while
     * it backed the org up runs show -o json read it running with the abandoned backup's backup_id and the stopped
     * attempt's millis, as if that backup were the one in flight. While it is retried it carries neither.
     */
    @Test
    void anOrgTakenByTheNextWorkerAfterACtrlCCarriesNeitherTheStoppedAttemptsTimeNorItsAbandonedBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3000);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();
            CancelToken ctrlC = new CancelToken();
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new AnOrgInterruptedByOneWorkersCtrlCIsNotFailedTest.CancelOnWrite(new FileObjectStore(f.storeDir), ctrlC)) {
                assertThat(backup(catalog, pools, store, new RunControl(false, runId, null), ctrlC).interrupted()).as("Ctrl-C").isTrue();
            }
            JsonNode stopped = CliFixture.runItem(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")), "acme");
            String abandoned = stopped.path("detail").path("backup_id").asText();
            assertThat(abandoned).as("the stopped attempt names its abandoned backup: " + stopped.toPrettyString()).isNotEmpty();
            assertThat(stopped.path("millis").isNumber()).as("and its time: " + stopped.toPrettyString()).isTrue();

            try (Pause pause = Pause.at(1); Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new ForwardingStore(new FileObjectStore(f.storeDir)) {
                     @Override
                     public Upload create(String key) {
                         pause.call(); // the joining worker is on acme, its first file about to be written
                         return real.create(key);
                     }
                 }) {
                CompletableFuture<Backup.Result> joined = CompletableFuture.supplyAsync(() -> backup(catalog, pools, store,
                        new RunControl(false, runId, null)));
                pause.awaitPaused("the joining worker reached acme's first file");

                JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
                JsonNode acme = CliFixture.runItem(run, "acme");
                assertThat(acme.get("status").asText()).as(run.toPrettyString()).isEqualTo("running");
                assertThat(acme.get("millis").isNull()).as("no stale time while it is retried: " + run.toPrettyString()).isTrue();
                assertThat(acme.get("detail").isNull()).as("no abandoned backup while it is retried: " + run.toPrettyString()).isTrue();
                assertThat(run.toString()).as("no line names the abandoned backup").doesNotContain(abandoned);

                pause.wake();
                assertThat(joined.get(60, TimeUnit.SECONDS).report().count("failed")).as("the joining worker backs acme up").isZero();
            }
            JsonNode after = CliFixture.runItem(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")), "acme");
            assertThat(after.get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
            assertThat(after.path("detail").path("backup_id").asText()).as("the retry's own backup").isNotEmpty().isNotEqualTo(abandoned);
        }
    }
}
