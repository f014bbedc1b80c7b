package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provision fails one org; the operator frees its place with 'orgs forget' (the way its next step names), on purpose.
 * A later 'provision --resume RUN' of that run — for another org of it, or from a pipeline's retry — took the failed item
 * back to pending and provisioned the forgotten org again: its row back in the catalog, its database back on the pool.
 * The forget ends the org's part in the run: the resume skips it, saying why.
 */
class AForgottenOrgIsNotProvisionedAgainByItsRunsResumeTest {

    @TempDir
    Path dir;

    @Test
    void resumeSkipsAnOrgForgottenAfterItsProvisionFailed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Cli createFails = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "create") && db.equals("org_acme")) {
                    throw HookedPools.commandError(13, "not authorized (test)");
                }
            }));
            Cli.Result failed = createFails.run("provision", "--schema", f.schema.toString(), "acme", "globex", "-o", "json");
            assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
            String runId = strictJson(failed).get("run_id").asText();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");

            ok(f.cli, "orgs", "forget", "acme");
            // what the failed create left on the pool (forget touches no database): no collection
            assertThat(collections(f)).isEmpty();

            Cli.Result resumed = f.cli.run("provision", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            JsonNode acme = null;
            for (JsonNode o : strictJson(resumed).get("orgs")) {
                if (o.get("org_id").asText().equals("acme")) {
                    acme = o;
                }
            }
            assertThat(acme).as("%s", resumed).isNotNull();
            assertThat(acme.get("outcome").asText()).as("%s", acme).isEqualTo("skipped");
            assertThat(acme.get("error").asText()).as("%s", acme).contains("orgs forget");
            assertThat(strictJson(resumed).get("counts").get("skipped").asInt()).isEqualTo(1);

            // the forgotten org stays forgotten: no row, nothing built on the pool; the other org is as its run left it
            Cli.Result shown = f.cli.run("orgs", "show", "acme");
            assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(2);
            assertThat(collections(f)).as("collections of org_acme on pool-0").isEmpty();
            assertThat(f.org("globex").get("status").asText()).isEqualTo("active");

            // the table says so too
            Cli.Result text = f.cli.run("provision", "--resume", runId);
            assertThat(text.exitCode()).as(text.toString()).isZero();
            assertThat(text.out()).as(text.toString()).containsPattern("acme .*skipped.*orgs forget").contains("skipped 1");
            assertThat(collections(f)).isEmpty();
            f.assertClean("globex");
        }
    }

    /** The collections of database org_acme on pool-0 (none when it does not exist). */
    private static java.util.List<String> collections(BackupFixture f) {
        return f.database("pool-0", "org_acme").listCollectionNames().into(new java.util.ArrayList<>());
    }
}
