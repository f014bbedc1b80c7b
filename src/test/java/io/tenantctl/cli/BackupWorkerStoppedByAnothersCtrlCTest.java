package io.tenantctl.cli;

import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: three operators (or three Job pods) work on one {@code backup --detach} run with {@code --join}.
 * One of them presses Ctrl-C. {@code RunEngine.finish} marks the whole run interrupted when, at that instant, no item is
 * under a live lease — which is also the case whenever the other workers are between two orgs (or waiting for a busy
 * org). The other, healthy workers then find the run "ended" at their next claim, stop, and report success: exit 0,
 * "failed 0", while orgs of the run were never backed up. A pipeline that waits for the workers' exit codes goes on as
 * if every org had its backup.
 */
class BackupWorkerStoppedByAnothersCtrlCTest {

    @TempDir
    Path dir;

    @Test
    void aWorkerThatWasNotInterruptedDoesNotReportSuccessWhileOrgsOfItsRunWereNeverBackedUp() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("alpha", "bravo");
            f.notes("alpha", "notes", 10);
            f.notes("bravo", "notes", 10);
            String runId = strictJson(ok(f.cli, "backup", "--org", "alpha,bravo", "--detach", "-o", "json")).get("run_id").asText();

            // worker B (one org at a time) has just finished alpha and is about to claim bravo
            CountDownLatch alphaDone = new CountDownLatch(1);
            CountDownLatch goOn = new CountDownLatch(1);
            Progress betweenOrgs = new Progress() {
                @Override
                public void advance(String orgId, boolean ok) {
                    if (orgId.equals("alpha")) {
                        alphaDone.countDown();
                        try {
                            goOn.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new FileObjectStore(f.storeDir)) {
                Backup b = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "worker-b"), store);
                CompletableFuture<Backup.Result> workerB = CompletableFuture.supplyAsync(() -> b.run(new Backup.Request(
                        new Backup.Selector(List.of(), false, List.of(), false), new Backup.Copy(Compression.of("zstd"), false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(4, 1, 0, false), new RunControl(false, runId, null), new CancelToken(),
                                betweenOrgs), Clock.systemUTC())), runnable -> {
                    Thread t = new Thread(runnable, "worker-b");
                    t.setDaemon(true);
                    t.start();
                });
                assertThat(alphaDone.await(60, TimeUnit.SECONDS)).as("worker B backed alpha up").isTrue();

                // worker A joins and is stopped by Ctrl-C at once: it is interrupted, it says so
                CancelToken ctrlC = new CancelToken();
                ctrlC.cancel("SIGINT");
                Cli.Result a = f.cli.run(ctrlC, "backup", "--join", runId, "-o", "json");
                assertThat(a.exitCode()).as(a.toString()).isEqualTo(130);

                // worker B was not interrupted: it goes on
                goOn.countDown();
                Backup.Result r = workerB.get(120, TimeUnit.SECONDS);

                RunReport.Org bravo = CliFixture.lines(r.lines()).stream().filter(o -> o.orgId().equals("bravo")).findFirst().orElseThrow();
                boolean reportsSuccess = !r.interrupted() && r.report().count("failed") == 0 && !r.report().cancelled(); // exit 0
                assertThat(!reportsSuccess || bravo.outcome().equals("backed_up"))
                        .as("worker B exits 0 (interrupted=%s, failed=%s) only if every org of its run was backed up; bravo is %s, run %s",
                                r.interrupted(), r.report().count("failed"), bravo.outcome(), r.report().statusText())
                        .isTrue();
            }
        }
    }
}
