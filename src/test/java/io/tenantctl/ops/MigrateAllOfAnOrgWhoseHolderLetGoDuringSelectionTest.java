package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.FerretErrors;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper (about one rollout in four during a stream of signups): migrate-all lists the orgs, then
 * looks for the holder of each one in passing. A signup's provision that ends in between (its org active, its lease let
 * go) left the org "provisioning and nothing works on it": skipped, on the old manifest, exit 0 — and its next step
 * resumed a provision that had succeeded. The same for an org a backup --freeze held read_only. The test ends both
 * holders at that moment (the first notice of the selection, for an org named earlier and left out by --pool), then
 * expects both orgs migrated and their schema clean.
 */
@Timeout(120)
class MigrateAllOfAnOrgWhoseHolderLetGoDuringSelectionTest {

    private static final String V1 = """
            {"collections": [{"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}}]}]}
            """;
    private static final String V2 = """
            {"collections": [{"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}},
                                                           {"name": "tenant_1", "key": {"tenant": 1}}]}]}
            """;

    @Test
    void anOrgActiveByTheTimeItsHolderIsLookedForIsMigrated(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(2)) {
            String url = TestCatalog.initialisedDatabase();
            Cli cli = Cli.withCatalog(url);
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "10");
            ok(cli, "pools", "add", "pool-2", "--uri", pools.uri(1), "--capacity", "10");
            Path v1 = dir.resolve("v1.json");
            Files.writeString(v1, V1);
            ok(cli, "provision", "--schema", v1.toString(), "--pool", "pool-1", "elsewhere");
            ok(cli, "provision", "--schema", v1.toString(), "--pool", "pool-2", "signup", "frozen");
            // as the rollout lists them: a signup's provision in flight, and an org a backup --freeze holds read_only
            TestCatalog.execute(url, "update orgs set status = 'provisioning' where org_id = 'signup'");
            TestCatalog.execute(url, "update orgs set status = 'read_only' where org_id = 'frozen'");
            SchemaManifest v2 = SchemaManifest.parse(V2, "v2");

            try (Catalog catalog = Catalog.open(url); PoolClients clients = new PoolClients(Map.of())) {
                boolean[] ended = {false};
                OpsContext ctx = new OpsContext(catalog, clients, new Retry(4, 1, 5, ms -> { }, () -> 0.5, FerretErrors::isRetryable),
                        "test", notice -> {
                    if (!ended[0]) { // both holders let go now: their orgs are active, their leases (none here) gone
                        ended[0] = true;
                        TestCatalog.execute(url, "update orgs set status = 'active' where org_id in ('signup', 'frozen')");
                    }
                });
                MigrateAll.Result r = new MigrateAll(ctx).run(new MigrateAll.Request(v2,
                        new MigrateAll.Selector(List.of("pool-2"), List.of("elsewhere", "signup", "frozen"), null, false, false),
                        new MigrateAll.Apply(false, false, false), new MigrateAll.Staging(0, null),
                        new RunEngine.Drive(new RunEngine.Settings(2, 4, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        false, false));

                assertThat(ended[0]).as("the holders ended during the selection").isTrue();
                List<RunReport.Org> lines = new java.util.ArrayList<>();
                r.lines().forEach(lines::add); // read back from the run's items
                Map<String, String> outcomes = lines.stream().collect(Collectors.toMap(RunReport.Org::orgId,
                        o -> o.outcome() + (o.error() == null ? "" : ": " + o.error())));
                assertThat(outcomes).as("neither is left on the old manifest").containsEntry("signup", "migrated")
                        .containsEntry("frozen", "migrated").doesNotContainKey("elsewhere");
                assertThat(r.selected()).isEqualTo(2);
            }
            SchemaCheck.assertExactly(url, List.of("signup", "frozen"), SchemaManifest.parse(V2, "v2"));
        }
    }

    private static void ok(Cli cli, String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }
}
