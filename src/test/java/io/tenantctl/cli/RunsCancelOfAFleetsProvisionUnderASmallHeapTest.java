package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 'runs cancel' of a provision run that had started none of its orgs released them set-based, but held every org it
 * ended (the cancel's own list of them, twice over) and every one it gave back, in memory, and its -o json printed them
 * from that list: a run of 50,000 orgs ran out of memory under -Xmx16m (its dry run too). The orgs the cancel ended are read back a page at
 * a time, each one given back spooled for -o json's places_released (still every one), and only the first 20 and the
 * count kept for the text line.
 */
@org.junit.jupiter.api.Tag("slow") // 50,000 orgs, two cancels of them in a child JVM: ~17 s on 2 cores
class RunsCancelOfAFleetsProvisionUnderASmallHeapTest {

    private static final int ORGS = 50_000;
    private static final int HEAP_MB = Integer.getInteger("runs.cancel.heap", 16);
    private static final String RUN = "20261207T000000Z-0c0c";

    @TempDir
    Path dir;

    @Test
    void aProvisionOfFiftyThousandOrgsIsCancelledUnder16MbAndItsJsonListsEachOrgGivenBack() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            CliFixture.sql(url, "update orgs set status = 'provisioning'");
            CliFixture.sql(url, "insert into runs (run_id, verb, args, status, actor, finished_at) values ('" + RUN + "', 'provision', "
                    + "'{}', 'interrupted', 'oncall', now())");
            CliFixture.sql(url, "insert into run_items (run_id, org_id, status, pool_id, seq) select '" + RUN + "', org_id, 'pending', "
                    + "pool_id, row_number() over (order by org_id) from orgs");
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
            JsonNode dry = cancel(env, "--dry-run");
            assertThat(dry.get("dry_run").asBoolean()).isTrue();
            assertThat(CliFixture.count(url, "select count(*) from orgs")).as("a dry run").isEqualTo(ORGS);

            JsonNode cancelled = cancel(env);
            assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
            for (JsonNode doc : List.of(dry, cancelled)) {
                JsonNode released = doc.get("provision").get("places_released");
                assertThat(released.size()).as("every org given back, listed").isEqualTo(ORGS);
                assertThat(released.get(0).asText()).isEqualTo("org-000001");
                assertThat(released.get(ORGS - 1).asText()).isEqualTo(String.format("org-%06d", ORGS));
                assertThat(doc.get("provision").get("failed").size()).isZero();
            }
            assertThat(CliFixture.count(url, "select count(*) from orgs")).as("their places given back").isZero();
            assertThat(CliFixture.count(url, "select count(*) from run_items where status = 'cancelled'")).isEqualTo(ORGS);
        }
    }

    private JsonNode cancel(Map<String, String> env, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("runs", "cancel", RUN, "-o", "json"));
        args.addAll(List.of(more));
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve(more.length == 0 ? "cancel" : "dry-run"), env, 120,
                List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"), Main.class.getName(), args.toArray(String[]::new));
        String err = exit.err();
        assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
        assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", String.join(" ", args), ORGS, HEAP_MB, err).isEqualTo(0);
        return io.tenantctl.cli.render.Output.JSON.readTree(exit.out());
    }
}
