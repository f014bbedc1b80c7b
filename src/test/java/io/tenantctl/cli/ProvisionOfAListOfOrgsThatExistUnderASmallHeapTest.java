package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * provision of a signup list whose orgs exist already (re-run after a partial success, or the whole customer list) read
 * the catalog row of every org it was given into one map, kept to the end with an item per org beside it: a --file of
 * 30,000 ids, all active, ran out of memory under -Xmx24m (exit 1, no run; it needed -Xmx40m), its dry run too. The ids
 * are looked up a page at a time as the run is recorded (or planned), each page's new orgs placed then, so that only
 * the ids given are held.
 */
class ProvisionOfAListOfOrgsThatExistUnderASmallHeapTest {

    private static final int ORGS = 30_000;
    private static final int HEAP_MB = Integer.getInteger("provision.list.heap", 24);

    @TempDir
    Path dir;

    @Test
    void aFileOfThirtyThousandOrgsThatExistAndTwoNewOnesIsPlannedAndRecordedUnder24Mb() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            List<String> ids = new ArrayList<>(IntStream.rangeClosed(1, ORGS).mapToObj(g -> String.format("org-%06d", g)).toList());
            ids.add(ORGS / 2, "acme"); // new orgs among them, placed as their page is recorded, in the order given
            ids.add("globex");
            Path file = Files.write(dir.resolve("signups.txt"), ids);
            String schema = CliFixture.smallSchema(dir).toString();
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
            // the dry run plans and lists every org; the run (detached: its work and its report are other tests') is recorded
            for (String last : List.of("--dry-run", "--detach")) {
                String[] args = {"provision", "--file", file.toString(), "--schema", schema, last};
                ChildJvm.Exit exit = ChildJvm.run(dir.resolve(last.substring(2)), env, 120, List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"),
                        Main.class.getName(), args);
                String err = exit.err();
                assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
                assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", String.join(" ", args), ids.size(), HEAP_MB, err).isEqualTo(0);
                if (last.equals("--detach")) {
                    assertThat(exit.out()).startsWith("run ").contains(" created with " + ids.size() + " orgs");
                    continue;
                }
                List<String> lines = exit.out().lines().toList();
                assertThat(lines).as("a header, a row per org in the order given, the summary").hasSize(ids.size() + 2);
                assertThat(lines.get(1 + ORGS / 2 - 1)).startsWith(String.format("org-%06d ", ORGS / 2)).contains(" unchanged ");
                assertThat(lines.get(1 + ORGS / 2)).startsWith("acme ").contains(" org_acme ").contains(" planned ");
                assertThat(lines.get(1 + ORGS / 2 + 1)).startsWith(String.format("org-%06d ", ORGS / 2 + 1)).contains(" unchanged ");
                assertThat(lines.get(ids.size())).startsWith("globex ").contains(" planned ");
                assertThat(lines.get(ids.size() + 1)).isEqualTo("dry run: nothing written; 2 orgs would be provisioned, " + ORGS
                        + " already active, 0 cannot be");
            }
            assertThat(CliFixture.count(url, "select count(*) from orgs where org_id in ('acme', 'globex') and status = 'provisioning' "
                    + "and pool_id = 'pool-0'")).as("the new orgs placed").isEqualTo(2);
            assertThat(CliFixture.count(url, "select count(*) from run_items where status = 'pending'")).as("to do: the new orgs").isEqualTo(2);
            assertThat(CliFixture.count(url, "select count(*) from run_items where status = 'unchanged'")).isEqualTo(ORGS);
        }
    }
}
