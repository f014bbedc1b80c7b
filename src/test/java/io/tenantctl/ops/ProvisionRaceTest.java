package io.tenantctl.ops;

import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;
import io.tenantctl.pool.FerretErrors;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Two provisioners racing on one catalog can never overfill a pool: placement is decided under a lock. */
@Timeout(60)
class ProvisionRaceTest {

    private static final SchemaManifest TINY = SchemaManifest.parse("""
            {"collections": [
              {"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}, "unique": true}]},
              {"name": "messages"}
            ]}
            """, "tiny");

    private static final long GATE = 4242;

    /** Until {@code n} sessions wait on advisory locks (checked by querying, not by sleeping), or a provisioner died. */
    private static void awaitWaitingOnAdvisoryLocks(Connection c, int n, List<? extends Future<?>> futures) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from pg_locks where locktype = 'advisory' and not granted")) {
                rs.next();
                if (rs.getInt(1) >= n) {
                    return;
                }
            }
            for (Future<?> f : futures) {
                if (f.isDone()) {
                    f.get(); // surfaces the provisioner's exception
                    throw new AssertionError("a provisioner finished while the insert gate was closed");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("provisioners never reached placement");
            }
        }
    }

    private static Retry noSleepRetry() {
        return new Retry(6, 100, 10_000, ms -> { }, () -> 0.5, FerretErrors::isRetryable);
    }

    @Test
    void concurrentProvisionersNeverExceedCapacity() throws Exception {
        String url = TestCatalog.newDatabase();
        try (TestPools pools = new TestPools(2); Catalog setup = Catalog.connect(url)) {
            setup.migrate();
            new Pools(setup).add("pool-1", pools.uri(0), 25, 1, false, false).pool();
            new Pools(setup).add("pool-2", pools.uri(1), 25, 2, false, false).pool();

            // Make the race real: every insert into orgs waits at a gate the test holds, until both provisioners are
            // inside placement (one at the gate, the other at the placement lock — or, were that lock missing, both at
            // the gate having read the same counts). Then the gate opens.
            try (Connection admin = DriverManager.getConnection(url); Statement s = admin.createStatement()) {
                s.execute("""
                        create function test_gate() returns trigger language plpgsql as $$
                        begin
                          perform pg_advisory_lock_shared(%d);
                          perform pg_advisory_unlock_shared(%d);
                          return new;
                        end $$""".formatted(GATE, GATE));
                s.execute("create trigger test_gate before insert on orgs for each row execute function test_gate()");
            }
            Connection gate = DriverManager.getConnection(url);
            try (Statement s = gate.createStatement()) {
                s.execute("select pg_advisory_lock(" + GATE + ")");
            }

            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<Future<Map.Entry<Provision.Result, List<RunReport.Org>>>> futures = new ArrayList<>(); // each run's lines read while its catalog is open
            for (String who : List.of("a", "b")) {
                List<String> ids = IntStream.range(0, 30).mapToObj(i -> who + "-org-" + i).toList();
                futures.add(threads.submit(() -> {
                    try (Catalog catalog = Catalog.open(url); PoolClients clients = new PoolClients(Map.of())) {
                        OpsContext ctx = new OpsContext(catalog, clients, noSleepRetry(), "provisioner-" + who);
                        Provision.Request req = new Provision.Request(ids, null, "free", TINY, false, new RunEngine.Drive(
                                new RunEngine.Settings(4, 8, 0, false), RunControl.START, new CancelToken(), Progress.NONE));
                        start.await(20, TimeUnit.SECONDS);
                        Provision.Result r = new Provision(ctx).run(req);
                        List<RunReport.Org> lines = new ArrayList<>();
                        r.lines().forEach(lines::add);
                        return Map.entry(r, lines);
                    }
                }));
            }
            awaitWaitingOnAdvisoryLocks(gate, 2, futures);
            try (Statement s = gate.createStatement()) {
                s.execute("select pg_advisory_unlock(" + GATE + ")");
            }
            gate.close();
            List<Map.Entry<Provision.Result, List<RunReport.Org>>> results = new ArrayList<>();
            for (Future<Map.Entry<Provision.Result, List<RunReport.Org>>> f : futures) {
                results.add(f.get(50, TimeUnit.SECONDS));
            }
            threads.shutdown();

            List<RunReport.Org> all = results.stream().flatMap(r -> r.getValue().stream()).toList();
            assertThat(all).hasSize(60);
            List<RunReport.Org> failed = all.stream().filter(o -> o.outcome().equals("failed")).toList();
            assertThat(failed).hasSize(10);
            assertThat(failed).allSatisfy(o -> assertThat(o.error()).contains("no capacity"));
            assertThat(all.stream().filter(o -> o.outcome().equals("provisioned"))).hasSize(50);

            List<Pool> after = setup.pools().list();
            assertThat(after).allSatisfy(p -> assertThat(p.orgCount()).as(p.poolId()).isLessThanOrEqualTo(25));
            assertThat(after).extracting(Pool::orgCount).containsExactly(25, 25);

            List<Org> orgs = setup.orgs().list(null, null);
            assertThat(orgs).hasSize(50);
            assertThat(orgs).allSatisfy(o -> assertThat(o.status()).isEqualTo(Org.ACTIVE));
            Map<String, Long> perPool = orgs.stream().collect(Collectors.groupingBy(Org::poolId, Collectors.counting()));
            assertThat(perPool).containsExactlyInAnyOrderEntriesOf(Map.of("pool-1", 25L, "pool-2", 25L));
            for (RunReport.Org f : failed) {
                assertThat(setup.orgs().find(f.orgId())).as("refused org %s has no row", f.orgId()).isEmpty();
            }
            // each provisioner's run records its own refusals
            for (Provision.Result r : results.stream().map(Map.Entry::getKey).toList()) {
                long refused = r.report().count("failed");
                long recorded = setup.runs().items(r.report().runId()).stream().filter(i -> i.status().equals("failed")).count();
                assertThat(recorded).isEqualTo(refused);
            }
            // end state: every placed org (all 50, both pools, both provisioners) has the whole schema on its pool
            SchemaCheck.assertClean(url, orgs.stream().map(Org::orgId).toList(), TINY);
        }
    }
}
