package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a verify of one org shared by workers — 'verify --org acme --fix --detach', workers 'verify --join
 * RUN', then 'verify --resume RUN' to add the fleet checks, as the join tells you to — records only --fix and --deep on
 * its run (Verify.Args), not its --org/--pool selection; and the resume may not be given --org (refused, "the run keeps
 * its selection"). So the resume runs the fleet checks of an unscoped verify: it looks at every run in the catalog and,
 * with the run's --fix, cancels another team's abandoned provision run — which 'verify --org acme --fix' run directly
 * leaves alone (the run checks are fleet-only). The provision run that was about to be resumed is cancelled for good
 * ('provision --resume' now exits 2 "was cancelled") by a verify that was asked about one org.
 */
class VerifyResumeOfAnOrgScopedFixTest {

    @Test
    void resumingAVerifyOfOneOrgFixesOnlyWhatThatVerifyCovers(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(2)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            Path schema = CliFixture.smallSchema(dir);
            MigrateAllFixture.provision(cli, schema, java.util.List.of("acme"));

            // another team's provision run whose worker died mid-way (kill -9 on another host): abandoned, to be resumed
            String provisionRun = strictJson(ok(cli, "provision", "new-1", "new-2", "--schema", schema.toString(), "--detach", "-o", "json"))
                    .get("run_id").asText();
            sql(url, "update run_items set status = 'running', claimed_by = 'elsewhere/4242/dead', lease_until = now() - interval '1 minute' "
                    + "where run_id = '" + provisionRun + "' and org_id = 'new-1'");
            sql(url, "update runs set heartbeat_at = now() - interval '5 minutes' where run_id = '" + provisionRun + "'");
            assertThat(status(cli, provisionRun)).isEqualTo("abandoned");

            // a verify --fix of acme alone leaves it be: run checks are the fleet's
            cli.run("verify", "--org", "acme", "--fix");
            assertThat(status(cli, provisionRun)).as("after 'verify --org acme --fix'").isEqualTo("abandoned");

            // the same verify, shared by workers
            String verifyRun = strictJson(ok(cli, "verify", "--org", "acme", "--fix", "--detach", "-o", "json")).get("run_id").asText();
            ok(cli, "verify", "--join", verifyRun);
            Cli.Result resumed = cli.run("verify", "--resume", verifyRun, "-o", "json");
            JsonNode doc = strictJson(resumed);

            assertThat(doc.get("fixed").toString()).as("what the resumed 'verify --org acme --fix' fixed").doesNotContain(provisionRun);
            assertThat(status(cli, provisionRun)).as("the other team's run after the resumed 'verify --org acme --fix'").isEqualTo("abandoned");
            Cli.Result provisionResumed = cli.run("provision", "--resume", provisionRun);
            assertThat(provisionResumed.exitCode()).as(provisionResumed.toString()).isZero();
        }
    }

    private static String status(Cli cli, String runId) {
        return strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText();
    }
}
