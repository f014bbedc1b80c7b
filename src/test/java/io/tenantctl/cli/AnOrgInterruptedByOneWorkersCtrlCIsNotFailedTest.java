package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.MaxFailures;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ForwardingStore;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: two workers on one {@code rebalance apply} run; one gets Ctrl-C while a move is in flight, the move
 * is rolled back and that worker exits 130 — but its org was recorded {@code failed}, as if the org were to blame. The
 * other, healthy worker then left it (a --join does not retry failed orgs) and ended the run failed (exit 1, the org not
 * moved), and under migrate-all's --max-failures such an org counted against the budget and aborted the run. An org
 * whose work an interrupt stopped (TenantctlException.Category.INTERRUPTED: stopped and rolled back) is not done: it goes
 * back to the run, uncounted by the failure budget, for any worker (or --resume) to take — the same in every verb, a
 * backup stopped mid-copy by Ctrl-C included.
 */
@Timeout(180)
class AnOrgInterruptedByOneWorkersCtrlCIsNotFailedTest {

    @TempDir
    Path dir;

    @Test
    void aMoveOneWorkersCtrlCRolledBackIsDoneByTheOtherWorkerAndTheRunSucceeds() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            List<String> orgs = List.of("acme", "globex", "initech");
            f.provision(orgs.toArray(String[]::new));
            Map<String, Map<String, List<RawBsonDocument>>> before = f.seedNotesOf(orgs, 300);
            ok(f.cli, "pools", "drain", "pool-0");
            String runId = strictJson(ok(f.cli, "rebalance", "apply", "--freeze-grace", "0", "--detach", "-o", "json"))
                    .get("run_id").asText();

            // worker 1 stops in its first move's first copy into the target; woken, it gets Ctrl-C while the pool drops that call
            CancelToken ctrlC = new CancelToken();
            AtomicReference<String> interrupted = new AtomicReference<>();
            try (Pause pause = Pause.at(1)) {
                Cli worker1 = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, db -> db.startsWith("org_"),
                        "insertMany", (collection, args, insert) -> {
                            if (interrupted.compareAndSet(null, "?")) {
                                pause.call();
                                ctrlC.cancel("SIGINT");
                                throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                            }
                            return insert.get();
                        }));
                CompletableFuture<Cli.Result> w1 = worker1.start(ctrlC, text -> { }, "rebalance", "apply", "--join", runId,
                        "--concurrency", "1", "-o", "json");
                pause.awaitPaused("worker 1 is copying its first org");
                CompletableFuture<Cli.Result> w2 = f.cli.start("rebalance", "apply", "--join", runId, "-o", "json");
                pause.wake();

                Cli.Result r1 = w1.get(120, TimeUnit.SECONDS);
                assertThat(r1.exitCode()).as("worker 1, stopped by Ctrl-C: %s", r1).isEqualTo(130);
                Cli.Result r2 = w2.get(120, TimeUnit.SECONDS);
                assertThat(r2.exitCode()).as("worker 2 was not interrupted: it finishes the run, worker 1's org too: %s (worker 1: %s)",
                        r2, r1).isZero();
            }

            for (String o : orgs) {
                assertThat(f.org(o).get("pool_id").asText()).as(o).isEqualTo("pool-1");
                f.assertHolds(o, before.get(o));
            }
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(run.get("status").asText()).as(run.toPrettyString()).isEqualTo("succeeded");
            assertThat(run.get("counts").get("moved").asInt()).as(run.toPrettyString()).isEqualTo(3);
            assertThat(run.get("counts").has("failed")).as(run.toPrettyString()).isFalse();
            for (String o : orgs) {
                assertThat(CliFixture.runItem(run, o).get("outcome").asText()).as(o).isEqualTo("moved");
            }
        }
    }

    @Test
    void aBackupOneWorkersCtrlCStoppedMidCopyIsBackedUpOnceByTheNextWorker() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 3000);
            f.notes("beta", "notes", 10);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme,beta", "--detach", "-o", "json")).get("run_id").asText();

            // worker 1 gets Ctrl-C as it writes acme's notes: acme's backup stops in flight, beta is not started
            CancelToken ctrlC = new CancelToken();
            Backup.Result r1;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new CancelOnWrite(new FileObjectStore(f.storeDir), ctrlC)) {
                r1 = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "worker-1"), store).run(new Backup.Request(
                        new Backup.Selector(List.of(), false, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), new RunControl(false, runId, null), ctrlC,
                                Progress.NONE), Clock.systemUTC()));
            }
            assertThat(r1.interrupted()).isTrue();
            assertThat(r1.report().count("failed")).as("acme, stopped by Ctrl-C, is not to blame: %s", r1.report().counts()).isZero();

            JsonNode interruptedRun = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(interruptedRun.get("status").asText()).isEqualTo("interrupted");
            JsonNode acme = CliFixture.runItem(interruptedRun, "acme");
            assertThat(acme.get("outcome").asText()).as(interruptedRun.toPrettyString()).isEqualTo("not_started");
            assertThat(acme.get("error").asText()).as("why it is not done").contains("interrupted after");

            Cli.Result r2 = f.cli.run("backup", "--join", runId, "-o", "json");
            assertThat(r2.exitCode()).as("worker 2 backs up what worker 1 left, acme too: %s", r2).isZero();

            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(run.get("status").asText()).as(run.toPrettyString()).isEqualTo("succeeded");
            assertThat(run.get("counts").get("backed_up").asInt()).as(run.toPrettyString()).isEqualTo(2);
            assertThat(run.get("counts").has("failed")).as(run.toPrettyString()).isFalse();
            for (String org : List.of("acme", "beta")) {
                JsonNode backups = strictJson(ok(f.cli, "backups", "list", "--org", org, "-o", "json")).get("backups");
                assertThat(backups.findValuesAsText("status").stream().filter("complete"::equals)).as(org + ": " + backups)
                        .hasSize(1);
            }
        }
    }

    /**
     * The failure budget, on the engine every verb runs on: with --max-failures 0, an org one worker's Ctrl-C stopped
     * (its work rolled back, INTERRUPTED) aborted the run, "more orgs failed than --max-failures allows". It is not a
     * failure: the run stands interrupted, and the next worker does every org, that one too, each exactly once.
     */
    @Test
    void anOrgStoppedByCtrlCIsNotCountedByMaxFailuresAndTheNextWorkerDoesIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            List<String> orgs = List.of("acme", "globex", "initech");
            f.provision(orgs.toArray(String[]::new));
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
                OpsContext ctx = new OpsContext(catalog, pools, Retry.ferretDefault(), "test");
                List<RunRepository.NewItem> items = orgs.stream().map(o -> RunRepository.NewItem.toDo(o, "pool-0")).toList();
                Budget none = Budget.of(MaxFailures.count(0), orgs.size(), 0);
                OutcomeNames names = OutcomeNames.of("migrated");
                List<String> done = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

                // worker 1 gets Ctrl-C during its first org, whose work stops and is rolled back
                CancelToken ctrlC = new CancelToken();
                RunEngine one = new RunEngine(ctx, OrgLeases.Recoverer.NONE);
                RunEngine.Ran r1 = one.run("migrate-all", drive(RunControl.START, ctrlC), names,
                        () -> one.start("migrate-all", "{}", items, 0, null), run -> new RunEngine.Work(Job.of(null, (org, pool) -> {
                            ctrlC.cancel("SIGINT");
                            throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted while migrating " + org
                                    + ": rolled back");
                        }), none));
                assertThat(r1.interrupted()).isTrue();
                assertThat(r1.report().aborted()).as("no org failed: %s", r1.report().orgs()).isNull();
                assertThat(r1.report().statusText()).isEqualTo("interrupted");
                assertThat(r1.report().count("not_started")).isEqualTo(3);

                // worker 2 joins the run: it does every org, the interrupted one too
                RunEngine two = new RunEngine(ctx, OrgLeases.Recoverer.NONE);
                RunEngine.Ran r2 = two.run("migrate-all", drive(new RunControl(false, r1.report().runId(), null), new CancelToken()),
                        names, () -> null, run -> new RunEngine.Work(Job.of(null, (org, pool) -> {
                            done.add(org);
                            return new Job.Done(io.tenantctl.catalog.ItemStatus.SUCCEEDED, 1, null, null);
                        }), none));
                assertThat(r2.interrupted()).isFalse();
                assertThat(done).containsExactlyInAnyOrderElementsOf(orgs);
                RunReport report = two.report(r1.report().runId(), names);
                assertThat(report.statusText()).as("%s", report).isEqualTo("succeeded");
                assertThat(report.count("migrated")).isEqualTo(3);
                assertThat(report.failed()).isEmpty();
                assertThat(report.aborted()).isNull();
            }
        }
    }

    private static RunEngine.Drive drive(RunControl control, CancelToken cancel) {
        return new RunEngine.Drive(new RunEngine.Settings(4, 1, 0, false), control, cancel, Progress.NONE);
    }

    /** A store that cancels {@code cancel} (as Ctrl-C would) the first time bytes are written to a collection file of acme's. */
    static final class CancelOnWrite extends ForwardingStore {
        private final CancelToken cancel;

        CancelOnWrite(ObjectStore real, CancelToken cancel) {
            super(real);
            this.cancel = cancel;
        }

        @Override
        public Upload create(String key) {
            Upload upload = real.create(key);
            return key.contains("acme/") && key.contains("/notes.") ? onWrite(upload, (u, len) -> cancel.cancel("SIGINT")) : upload;
        }
    }
}
