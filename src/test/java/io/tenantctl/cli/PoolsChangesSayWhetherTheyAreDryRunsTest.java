package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper comparing each --dry-run with the real command: {@code pools set-capacity P --capacity N
 * -o json} had no {@code dry_run} field while its dry run had {@code "dry_run": true} (so did add, drain and enable): a
 * tool reading the field found it only on dry runs. Every pools change's -o json says {@code dry_run}, false when it
 * changed the pool.
 */
class PoolsChangesSayWhetherTheyAreDryRunsTest {

    private static TestPools pools;

    @BeforeAll
    static void start() {
        pools = new TestPools(1);
    }

    @AfterAll
    static void stop() {
        pools.close();
    }

    @Test
    void everyPoolsChangeSaysDryRunTrueOrFalse() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        assertDryRun(ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5", "--dry-run", "-o", "json"), true);
        assertDryRun(ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5", "-o", "json"), false);
        for (String[] change : new String[][]{{"set-capacity", "pool-1", "--capacity", "7"}, {"drain", "pool-1"}, {"enable", "pool-1"}}) {
            String[] dry = concat(change, "--dry-run");
            assertDryRun(ok(cli, concat(new String[]{"pools"}, concat(dry, "-o", "json"))), true);
            assertDryRun(ok(cli, concat(new String[]{"pools"}, concat(change, "-o", "json"))), false);
        }
        assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).get("capacity").asInt()).isEqualTo(7);
    }

    private static void assertDryRun(Cli.Result r, boolean expected) {
        JsonNode doc = strictJson(r);
        assertThat(doc.path("dry_run").isBoolean()).as("dry_run is there: %s", r).isTrue();
        assertThat(doc.path("dry_run").asBoolean()).as(r.toString()).isEqualTo(expected);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
