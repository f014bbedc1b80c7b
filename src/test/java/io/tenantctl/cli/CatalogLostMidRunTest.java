package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog's connection breaks in the middle of a fan-out run (a PostgreSQL failover, a proxy restart): the worker
 * cannot know whether the statement it was sending was committed, so it stops — the orgs in flight finish, the run is
 * kept — and says so in one line naming the run and the command that goes on; that command then finishes the run at
 * once (the worker's claims were let go, not left to expire a lease later), every org made exactly as the manifest says.
 */
class CatalogLostMidRunTest {

    private TestPools pools;
    private FaultProxy catalogProxy;

    @AfterEach
    void stop() {
        if (catalogProxy != null) {
            catalogProxy.close();
        }
        if (pools != null) {
            pools.close();
        }
    }

    /** The catalog {@code url} as seen through a proxy in front of it. */
    private String throughProxy(String url) {
        String jdbc = url.substring("jdbc:".length());
        catalogProxy = FaultProxy.to(jdbc);
        return "jdbc:" + catalogProxy.uriFor(jdbc);
    }

    @Test
    void aRunWhoseCatalogConnectionBreaksStopsInOneLineAndItsResumeFinishesIt(@TempDir Path dir) {
        pools = new TestPools(2);
        String url = CliFixture.initialisedCatalog();
        Set<String> started = ConcurrentHashMap.newKeySet();
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", throughProxy(url), "USER", "test")).decoratePools(real ->
                HookedPools.onCommand(real, (db, cmd) -> {
                    // the 8th org's indexes: the next bytes any worker thread sends to or gets from the catalog are lost,
                    // and every open catalog connection is cut (new ones are accepted: the catalog is back at once)
                    if (HookedPools.is(cmd, "createIndexes") && started.add(db) && started.size() == 8) {
                        catalogProxy.afterBytes(1, catalogProxy::cutAll);
                    }
                }));
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 2);
        Path schema = CliFixture.smallSchema(dir);
        List<String> ids = CliFixture.ids("lost-", 0, 24);

        Cli.Result cut = cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "-o", "json"), ids));

        assertThat(cut.exitCode()).as("a lost catalog is a connectivity failure: " + cut).isEqualTo(3);
        JsonNode error = strictJson(cut).get("error");
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(cut.toString())
                .startsWith("provision run " + runId + " stopped: catalog unreachable")
                .contains("'tenantctl provision --resume " + runId + "'")
                .doesNotContain("Connection is closed");
        assertThat(cut.err().lines().toList()).as("one line on stderr, no stack trace: " + cut)
                .containsExactly("error: " + error.get("message").asText());

        Cli.Result resumed = ok(cli, "provision", "--resume", runId, "-o", "json");

        JsonNode report = strictJson(resumed);
        assertThat(report.get("status").asText()).isEqualTo("succeeded");
        assertThat(report.get("counts").get("failed")).as(resumed.toString()).isNull();
        assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrderElementsOf(ids);
        CliFixture.assertExactly(url, schema, ids);
    }

    @Test
    void theRealProcessSaysItInOneLineWithoutTheConnectionPoolsStackTraces(@TempDir Path dir) throws Exception {
        pools = new TestPools(2);
        String url = CliFixture.initialisedCatalog();
        Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", throughProxy(url), "USER", "test");
        Cli cli = new Cli(env);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
        CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 2);
        Path schema = CliFixture.smallSchema(dir);
        List<String> healthy = new ArrayList<>(List.of("provision", "--schema", schema.toString()));
        healthy.addAll(CliFixture.ids("a-", 0, 24));
        long before = catalogProxy.bytes();
        ChildJvm.Exit first = ChildJvm.run(dir.resolve("healthy"), env, 120, Main.class.getName(), healthy.toArray(String[]::new));
        assertThat(first.code()).as(first.err()).isZero();
        long bytes = catalogProxy.bytes() - before;

        catalogProxy.afterBytes(bytes / 2, catalogProxy::cutAll); // halfway through the same run: every catalog connection cut
        List<String> same = new ArrayList<>(List.of("provision", "--schema", schema.toString()));
        same.addAll(CliFixture.ids("b-", 0, 24));
        ChildJvm.Exit lost = ChildJvm.run(dir.resolve("lost"), env, 120, Main.class.getName(), same.toArray(String[]::new));

        assertThat(lost.code()).as(lost.err()).isEqualTo(3);
        // besides the progress line a run without a terminal ends with, one line: no connection pool warning, no trace
        List<String> lines = lost.err().lines().filter(l -> !l.matches("provision: \\d+/24 orgs done, \\d+ failed")).toList();
        assertThat(lines).as(lost.err()).hasSize(1);
        assertThat(lines.get(0)).as(lost.err()).startsWith("error: ").contains("catalog unreachable").doesNotContain("unknown error");
    }
}
