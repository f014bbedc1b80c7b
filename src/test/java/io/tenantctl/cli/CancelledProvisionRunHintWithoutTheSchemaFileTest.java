package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (5f58724, verify's fix for an org of a cancelled provision run): the fix is now "tenantctl provision ORG
 * --schema <the run's> --tier <its>", {@code <the run's>} being the path as the operator typed it when the run was
 * started. A detached run is started from a laptop (or a Job whose ConfigMap is mounted there) and worked on by --join
 * workers, which take the manifest from the catalog (manifests, by the run's schema hash), not from that file; verify
 * runs later elsewhere (its CronJob, another shell). There the file is not: the fix, followed literally, exits 2
 * "schema file … does not exist" and the org stays provisioning. The run's manifest is in the catalog: the fix must
 * not depend on a file that was only where the run was started (or it must say how to get the manifest back).
 */
@Timeout(90)
class CancelledProvisionRunHintWithoutTheSchemaFileTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void verifysFixForAnOrgOfACancelledRunWorksWhereTheRunsSchemaFileIsNot(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Files.createDirectories(dir.resolve("laptop"));
        Path schema = CliFixture.smallSchema(dir.resolve("laptop"));
        SchemaManifest manifest = SchemaManifest.load(schema);
        String runId = strictJson(ok(cli, "provision", "acme", "--schema", schema.toString(), "--tier", "growth",
                "--detach", "-o", "json")).get("run_id").asText();
        ok(cli, "runs", "cancel", runId);
        Files.delete(schema); // the file was on the operator's laptop; verify runs on the fleet's own host

        Cli.Result v = cli.run("verify", "--stuck-after", "0s", "-o", "json");
        String fix = null;
        for (JsonNode f : strictJson(v).get("findings")) {
            if (f.get("kind").asText().equals("org_stuck") && "acme".equals(f.path("org_id").asText())) {
                fix = f.get("fix").asText();
            }
        }
        assertThat(fix).as("verify reports acme stuck provisioning: %s", v).isNotNull();

        Cli.Result followed = cli.run(OnCallNextStepsTest.command(fix));

        assertThat(followed.exitCode()).as("verify's fix '%s', followed literally: %s", fix, followed).isZero();
        assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("status").asText()).isEqualTo("active");
        SchemaCheck.assertClean(url, List.of("acme"), manifest);
    }
}
