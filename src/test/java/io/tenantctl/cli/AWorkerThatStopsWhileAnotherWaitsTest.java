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
import io.tenantctl.testing.Pause;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing c9374e0: a worker that stops on a failure not its orgs' (its store full) made the run's heartbeat
 * stale at once when its beat was the last, though another worker of the run was alive, waiting for an org another
 * operation held (no claim of its own at that moment): {@code runs list} said the run was abandoned, with its --resume
 * and cancel, while that worker was on it — and, for migrate-all, the next rollout would have ended the live worker's
 * lock session as an abandoned run's. The run reads running while another worker is at work or waiting for its org; once
 * that org is free, the live worker finishes the run, every org backed up once and the stop's error gone.
 */
class AWorkerThatStopsWhileAnotherWaitsTest {

    @TempDir
    Path dir;

    @Test
    void theRunIsNotAbandonedWhileAnotherWorkerWaitsForItsOrg() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause full = Pause.at(1)) {
            f.provision("acme", "bravo");
            f.notes("acme", "a_notes", 20);
            f.notes("bravo", "a_notes", 30);
            String runId = strictJson(ok(f.cli, "backup", "--all", "--detach", "-o", "json")).get("run_id").asText();
            f.heldBy("acme", "restore"); // another operation holds acme: whoever claims it puts it back and waits

            // worker 1: its store fills up at bravo's first write (held there until the test lets it fail)
            CompletableFuture<TenantctlException> first = CompletableFuture.supplyAsync(() -> {
                try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                     ObjectStore store = new FullAfterAPause(new FileObjectStore(f.storeDir), full)) {
                    new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                            new Backup.Request(new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null),
                                    false, new RunEngine.Drive(new RunEngine.Settings(4, 1, 0, false), new RunControl(false, runId, null),
                                    new CancelToken(), Progress.NONE), Clock.systemUTC()));
                    return null;
                } catch (TenantctlException e) {
                    return e;
                }
            });
            full.awaitPaused("worker 1 at bravo's first write");
            String worker1 = one(f, "select claimed_by from run_items where run_id = '" + runId + "' and org_id = 'bravo'");

            // worker 2 joins, waits for acme
            CompletableFuture<Cli.Result> second = f.newCli().start("backup", "--join", runId, "--concurrency", "1", "--wait", "-o", "json");
            awaitTrue(f, "select heartbeat_by is distinct from '" + worker1 + "' from runs where run_id = '" + runId + "'", "worker 2 beat");
            // worker 1's beat comes after worker 2's every other quarter minute: it beat last
            TestCatalog.execute(f.catalogUrl, "update runs set heartbeat_at = now(), heartbeat_by = '" + worker1 + "' where run_id = '" + runId + "'");

            full.wake();
            TenantctlException stopped = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(stopped).as("worker 1 stops on its full store").isNotNull();
            // worker 2 takes over bravo, let go at once, and backs it up; then it only waits for acme, claiming nothing
            awaitTrue(f, "select status = 'succeeded' from run_items where run_id = '" + runId + "' and org_id = 'bravo'", "bravo taken over");
            assertThat(second).as("worker 2 still waits for acme").isNotDone();

            JsonNode runs = strictJson(ok(f.cli, "runs", "list", "-o", "json"));
            assertThat(runs.get("runs").get(0).get("status").asText()).as("worker 2 is on it: " + runs.toPrettyString()).isEqualTo("running");
            Cli.Result listed = ok(f.cli, "runs", "list");
            assertThat(listed.out()).as(listed.out()).doesNotContain("abandoned");
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(run.get("status").asText()).as(run.toPrettyString()).isEqualTo("running");
            assertThat(one(f, "select heartbeat_by is distinct from '" + worker1 + "' from runs where run_id = '" + runId + "'"))
                    .as("the run's heartbeat names no worker that has stopped (a reader on its host would find its process gone)").isEqualTo("t");

            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'"); // the other operation is done
            Cli.Result done = second.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done.exitCode()).as(done.toString()).isZero();
            JsonNode after = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(after.get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
            for (String org : List.of("acme", "bravo")) {
                assertThat(CliFixture.runItem(after, org).get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
                assertThat(CliFixture.runItem(after, org).get("error").isNull()).as("the stop's error goes once it is done").isTrue();
                assertThat(one(f, "select count(*) from backups where org_id = '" + org + "' and status = 'complete'"))
                        .as("one backup of " + org).isEqualTo("1");
            }
            assertThat(one(f, "select docs from backups where org_id = 'bravo' and status = 'complete'")).isEqualTo("30");
            assertThat(one(f, "select docs from backups where org_id = 'acme' and status = 'complete'")).isEqualTo("20");
        }
    }

    /** A store whose first write waits for {@code pause}, then finds the disk full, as every write after it does. */
    static final class FullAfterAPause extends ForwardingStore {
        private final Pause pause;

        FullAfterAPause(ObjectStore real, Pause pause) {
            super(real);
            this.pause = pause;
        }

        @Override
        public int deletePrefix(String prefix) {
            return real.deletePrefix(prefix);
        }

        @Override
        public Upload create(String key) {
            return onWrite(real.create(key), (u, len) -> {
                pause.call();
                u.abort();
                throw new IOException("No space left on device");
            });
        }
    }

    private static String one(BackupFixture f, String sql) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(f.catalogUrl); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static void awaitTrue(BackupFixture f, String sql, String what) {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"t".equals(one(f, sql))) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.onSpinWait();
        }
    }
}
