package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.commandError;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.isCreateIndexes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (run limits across workers): a worker with --rate claims an org, then waits for the org's start slot on its
 * pool while holding the claim (RunEngine.work: claimOne, then waitForRate, then process). The run's status is checked
 * only at the claim: an org still waiting for its slot when the run is ended — by 'runs cancel', or by another worker
 * whose failure went past --max-failures — is started anyway once its slot comes, long after the run ended. Ctrl-C is
 * the only stop the wait heeds (the worker's own stop token): the run's end in the catalog is not.
 */
@Timeout(120)
class OrgsWaitingForTheirRateAfterTheRunEndedTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    /**
     * An operator sees a rollout go wrong and cancels it ('runs cancel': "in-flight orgs finish, the rest are recorded
     * cancelled"). A worker throttled with --rate had already claimed the second org and was waiting for its start slot:
     * that org had not started, so it must not be migrated. Today it is, a few seconds after the cancel, and is recorded
     * migrated in a cancelled run (the next rollout, started once the cancel returned, can even be overtaken by it).
     */
    @Test
    void runsCancelStopsAnOrgAWorkerHadClaimedButNotStartedForItsRate(@TempDir Path dir) throws Exception {
        Cli setup = fleet.provision(write(dir, "v1.json", V1), "o0", "o1");
        String v1 = hashes(setup).get("o0");
        Path v2 = write(dir, "v2.json", V2_ADD);
        String runId = strictJson(ok(setup, "migrate-all", "--schema", v2.toString(), "--per-pool", "2", "--detach", "-o", "json"))
                .get("run_id").asText();

        MigrateAllFixture.CreateIndexesCounter counter = new MigrateAllFixture.CreateIndexesCounter();
        AtomicReference<String> first = new AtomicReference<>();
        AtomicReference<Cli.Result> cancel = new AtomicReference<>();
        Cli worker = Cli.withCatalog(fleet.url).decoratePools(real -> hooked(real, (db, cmd) -> {
            counter.before(db, cmd);
            if (isCreateIndexes(cmd) && first.compareAndSet(null, db)) {
                // the first org is in flight; the worker's other thread has claimed the second and waits for its slot
                awaitNoItemPending(fleet.url, runId);
                cancel.set(Cli.withCatalog(fleet.url).run("runs", "cancel", runId));
            }
        }));
        // one org every 4 s on the pool: the second org's slot comes about 4 s after the first one started
        Cli.Result r = worker.run("migrate-all", "--join", runId, "--concurrency", "2", "--rate", "0.25", "-o", "json");

        assertThat(cancel.get().exitCode()).as(cancel.get().toString()).isZero();
        String second = first.get().equals(MigrateAllFixture.db("o0")) ? "o1" : "o0";
        assertThat(counter.of(second)).as(second + " had not started when its run was cancelled: nothing may be done to it").isZero();
        assertThat(hashes(setup).get(second)).as(second + " stays on the manifest it had").isEqualTo(v1);
        JsonNode out = strictJson(r);
        assertThat(r.exitCode()).as("the worker of a cancelled run exits 1: " + r).isEqualTo(1);
        assertThat(orgOutcome(out, second)).as("the worker reports " + second + " as not done").isEqualTo("not_started");
        assertThat(r.err()).contains("1 of its orgs was not done");
    }

    /**
     * Two workers of a rollout with --max-failures 0: worker A's org fails, which aborts the run ("abandons the remaining
     * orgs once exceeded"). Worker B, throttled with --rate, had claimed the last org and was waiting for its slot: it
     * must let it go, not migrate it with the manifest whose rollout was just aborted.
     */
    @Test
    void anotherWorkersFailurePastMaxFailuresStopsAnOrgThisWorkerHadClaimedButNotStarted(@TempDir Path dir) throws Exception {
        Cli setup = fleet.provision(write(dir, "v1.json", V1), "o0", "o1", "o2");
        String v1 = hashes(setup).get("o0");
        Path v2 = write(dir, "v2.json", V2_ADD);
        String runId = strictJson(ok(setup, "migrate-all", "--schema", v2.toString(), "--max-failures", "0", "--per-pool", "3",
                "--detach", "-o", "json")).get("run_id").asText();

        // worker A: one org at a time; its org fails once B has migrated one org and claimed the last one
        AtomicReference<String> failed = new AtomicReference<>();
        Cli a = Cli.withCatalog(fleet.url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd) && failed.compareAndSet(null, db)) {
                awaitNoItemPending(fleet.url, runId);
                awaitItems(fleet.url, runId, "succeeded", 1);
                throw commandError(2, "injected: bad index spec");
            }
        }));
        MigrateAllFixture.CreateIndexesCounter byB = new MigrateAllFixture.CreateIndexesCounter();
        Cli b = Cli.withCatalog(fleet.url).decoratePools(real -> hooked(real, byB));

        CompletableFuture<Cli.Result> workerA = a.start(new CancelToken(), text -> { }, "migrate-all", "--join", runId,
                "--concurrency", "1", "-o", "json");
        awaitItems(fleet.url, runId, "running", 1); // A holds its org (blocked in its hook) before B joins
        Cli.Result rb = b.run("migrate-all", "--join", runId, "--concurrency", "2", "--rate", "0.25", "-o", "json");
        Cli.Result ra = workerA.get(60, TimeUnit.SECONDS);

        JsonNode show = MigrateAllFixture.runShow(setup, runId);
        assertThat(show.get("run").get("status").asText()).as(show.toString()).isEqualTo("aborted");
        assertThat(ra.exitCode()).as(ra.toString()).isEqualTo(1);
        assertThat(rb.exitCode()).as(rb.toString()).isEqualTo(1);
        // B migrated one org before the abort; the other waited for its --rate slot and had not started when A aborted
        List<String> byBOrgs = List.of("o0", "o1", "o2").stream().filter(o -> byB.of(o) > 0).toList();
        assertThat(byBOrgs).as("B migrated only the org it had done before the abort; the one waiting for its --rate "
                + "slot must be let go, not migrated with the manifest whose rollout was aborted").hasSize(1);
        // the one B had not started stays on v1; the failed one on v1 too, or on no hash when it failed after its first
        // write (its schema unknown, so the next rollout of any manifest takes it again), never on the aborted manifest's
        java.util.Map<String, String> hashes = hashes(setup);
        long stillV1 = hashes.values().stream().filter(v1::equals).count();
        long unknown = hashes.values().stream().filter(java.util.Objects::isNull).count();
        assertThat(stillV1 + unknown).as("the failed org and the one B had not started stay on v1 (or unknown): " + hashes).isEqualTo(2);
        assertThat(stillV1).as("the org B had not started stays on v1: " + hashes).isGreaterThanOrEqualTo(1);
        assertThat(strictJson(rb).get("aborted").asText(null)).contains("--max-failures");
    }

    private static String orgOutcome(JsonNode out, String orgId) {
        for (JsonNode o : out.get("orgs")) {
            if (o.get("org_id").asText().equals(orgId)) {
                return o.get("outcome").asText();
            }
        }
        throw new AssertionError(orgId + " is not in " + out);
    }

    /** Until no item of the run is pending (every org claimed or done), read from the catalog, not waited for by time. */
    private static void awaitNoItemPending(String url, String runId) {
        awaitItems(url, runId, "pending", 0);
    }

    /** Until the run has exactly {@code n} items of {@code status} (checked by querying the catalog). */
    private static void awaitItems(String url, String runId, String status, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("select count(*) from run_items where run_id = '" + runId + "' and status = '" + status + "'")) {
                    rs.next();
                    if (rs.getInt(1) == n) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("run " + runId + " never had " + n + " " + status + " item(s)");
                }
                Thread.onSpinWait();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
