package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by an audit: a rollout whose pool was down failed every org on it with a line pair each on stderr ("failed: ORG
 * on POOL: …" and "next: tenantctl migrate-all --org ORG --schema …"): 500 orgs, 1,000 lines, none pointing first at the
 * pool or at the one --resume that does them all again. Such orgs are now said once per pool, with one --resume; other
 * failures are listed up to a cap, the rest counted; -o json keeps every org's entry.
 */
class MigrateAllFailuresGroupedTest {

    private static final int ORGS = 30;

    @Test
    void orgsOfAPoolThatDoesNotAnswerAreSaidOnceWithTheRunsResume(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            Cli cli = Cli.withCatalog(url);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            pools.kill(0);

            Cli.Result r = cli.run("migrate-all", "--schema", v1.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            String runId = r.out().lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().split(" ")[1].replace(":", "");
            assertThat(r.err().lines()).as("one line for the pool, one next step, not a pair per org\n%s", r).hasSize(2);
            assertThat(r.err()).as(r.toString()).contains("failed: " + ORGS + " orgs on pool-0, which did not answer (org-000001, org-000002, "
                    + "org-000003 and " + (ORGS - 3) + " more)").contains("check the pool first: tenantctl pools stats pool-0")
                    .contains("  next: tenantctl migrate-all --resume " + runId + "   (once pool-0 answers: it does these " + ORGS + " orgs again)")
                    .doesNotContain("--org ");

            Cli.Result json = cli.run("migrate-all", "--resume", runId, "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            JsonNode failed = strictJson(json).get("failed");
            assertThat(failed).as("-o json keeps each org's entry").hasSize(ORGS);
            assertThat(failed.get(0).get("error").asText()).contains("pool-0");
        }
    }

    /**
     * The grouping went by the error's wording ("pool P (…) is unreachable", "pool P does not answer"): a silence worded
     * otherwise (here a ping's refusal reworded by a test double) had its orgs listed one by one again. It goes by what the
     * run recorded of each org now, that its pool did not answer ({@code "pool_silent": true} in its item's detail).
     */
    @Test
    void orgsOfASilentPoolAreGroupedByWhatTheirItemsRecordNotByTheWording(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onPing(real, poolId -> {
                throw new io.tenantctl.pool.PoolSilentException("no reply from " + poolId + " within 10 ms (injected)", null);
            }));
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);

            Cli.Result r = cli.run("migrate-all", "--schema", v1.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            String runId = r.out().lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().split(" ")[1].replace(":", "");
            assertThat(r.err().lines()).as("one line for the pool, one next step, not a pair per org\n%s", r).hasSize(2);
            assertThat(r.err()).as(r.toString()).contains("failed: " + ORGS + " orgs on pool-0, which did not answer (org-000001, org-000002, "
                    + "org-000003 and " + (ORGS - 3) + " more): no reply from pool-0 within 10 ms (injected)")
                    .contains("  next: tenantctl migrate-all --resume " + runId + "   (once pool-0 answers: it does these " + ORGS + " orgs again)");
            JsonNode item = strictJson(cli.run("runs", "show", runId, "-o", "json")).get("items").get(0);
            assertThat(item.path("detail").path("pool_silent").asBoolean()).as(item.toString()).isTrue();
        }
    }

    @Test
    void manyDistinctFailuresListTheFirstAndCountTheRest(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "createIndexes")) {
                    throw HookedPools.commandError(1, "injected: " + db + " refuses its index");
                }
            }));
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);

            Cli.Result r = cli.run("migrate-all", "--schema", v1.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().lines().filter(l -> l.startsWith("failed: "))).as(r.toString()).hasSize(Summary.LISTED);
            assertThat(r.err().lines().filter(l -> l.startsWith("  next: "))).as(r.toString()).hasSize(Summary.LISTED);
            assertThat(r.err()).as(r.toString()).contains("… and " + (ORGS - Summary.LISTED) + " more failed orgs not listed here: "
                    + "'tenantctl runs show ").contains("' or -o json lists each one with its error and next step");
        }
    }
}
