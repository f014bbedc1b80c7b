package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog-pressure warning after provision ("median N ms per provisioned org is above 500 ms"): it is about the time
 * of the work that was done, so failed orgs (a dead pool's connect timeouts) do not raise it; it is a warning, so -q
 * keeps it off stderr.
 */
class ProvisionPressureWarningTest {

    private static final String WARNING = "for catalog pressure";

    @Test
    void aDeadPoolsTimeoutsDoNotRaiseTheWarning(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(), "USER", "test",
                    "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "1500"));
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 4, 1);
            CliFixture.addPool(cli, "pool-dead", pools.uri(1), 10, 2);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "w0", "w1", "--schema", schema); // warmed up: pool-a's orgs below take what a live pool takes
            pools.kill(1);

            // fill-then-spill: o0, o1 on pool-a (full then), o2-o5 on the dead pool, which wait out its connect timeout together
            Cli.Result r = cli.run("provision", "o0", "o1", "o2", "o3", "o4", "o5", "--schema", schema, "--per-pool", "4");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).as(r.toString()).contains("provisioned 2,").contains("failed 4");
            assertThat(r.err()).as("the provisioned orgs were fast; only the failed ones were slow\n%s", r).doesNotContain(WARNING);
        }
    }

    @Test
    void aSlowProvisionWarns_andQuietKeepsTheWarningOffStderr(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); FaultProxy slow = FaultProxy.to(pools.uri(0))) {
            // the pool answers, slowly: the tests' one-second connect timeout (for pools they kill) failed it on a busy machine,
            // where connecting through 200 ms round trips took longer
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(), "USER", "test",
                    "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "10000"));
            CliFixture.addPool(cli, "pool-0", slow.uriFor(pools.uri(0)), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            slow.latency(Duration.ofMillis(100)); // every round trip to the pool takes 200 ms or more

            Cli.Result loud = ok(cli, "provision", "acme", "--schema", schema);
            assertThat(loud.err()).as(loud.toString()).contains("warning: median ").contains(" ms per provisioned org is above 500 ms: ");

            Cli.Result quiet = ok(cli, "provision", "globex", "--schema", schema, "-q");
            assertThat(quiet.out()).as(quiet.toString()).contains("provisioned 1,");
            assertThat(quiet.err()).as("-q keeps stderr to errors\n%s", quiet).isEmpty();
        }
    }

    /**
     * Found by an audit: a migrate-all --resume worker that migrated nothing itself (its one org failed again) warned
     * "median 900 ms per migrated org is above 500 ms" from the median of what the run's first worker did.
     */
    @Test
    void aResumingWorkerThatMigratedNothingItselfDoesNotWarn(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            java.util.concurrent.atomic.AtomicBoolean poolFails = new java.util.concurrent.atomic.AtomicBoolean();
            Cli cli = Cli.withCatalog(url).decoratePools(real -> MigrateAllFixture.stoppingOnAcme(real, poolFails::get));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), java.util.List.of("acme", "globex"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            poolFails.set(true);
            Cli.Result first = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            String runId = CliFixture.strictJson(first).get("run_id").asText();
            // globex's migration was slow, as the first worker measured it
            CliFixture.sql(url, "update run_items set millis = 900 where run_id = '" + runId + "' and status = 'succeeded'");

            Cli.Result resumed = cli.run("migrate-all", "--resume", runId);

            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
            assertThat(resumed.out()).as(resumed.toString()).contains("this worker did 1 of the run's 2 orgs: migrated 0");
            assertThat(resumed.err()).as("this worker migrated nothing: no median of its own to warn of\n%s", resumed).doesNotContain(WARNING);
        }
    }
}
