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

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (run limits across workers, 'runs cancel'): a detached provision run places its orgs at once (they are
 * {@code provisioning} from then on) and leaves the work to its workers. Cancelled before they got to them, the orgs stay
 * provisioning with nobody holding them. {@code verify} then reports them {@code org_stuck} with the fix
 * "tenantctl provision --resume RUN (resumes it; …)", RUN being the provision run that has the org — the cancelled one.
 * Followed literally it is refused, exit 2: "run RUN was cancelled: start a new provision run instead". The fix must be a
 * command that finishes the org as the run meant it (its manifest and tier), e.g. a new provision of the org with the
 * run's --schema, since the run itself can no longer be resumed.
 */
@Timeout(90)
class CancelledProvisionRunStuckOrgHintTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void verifysFixForAnOrgOfACancelledProvisionRunWorksWhenFollowedLiterally(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path schema = CliFixture.smallSchema(dir);
        String runId = strictJson(ok(cli, "provision", "acme", "globex", "--schema", schema.toString(), "--tier", "growth",
                "--detach", "-o", "json")).get("run_id").asText();
        // the Job was started with the wrong image, say: the operator ends the run before its workers did anything
        ok(cli, "runs", "cancel", runId);
        assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).toString()).contains("provisioning");

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
        JsonNode acme = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
        assertThat(acme.toString()).as("acme is finished, as its run meant it").contains("\"active\"").contains("growth");
        SchemaCheck.assertClean(url, List.of("acme"), SchemaManifest.load(schema));
    }
}
