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
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A detached provision run places its orgs at once (they are {@code provisioning} from then on) and leaves the work to
 * its workers. Cancelled, the orgs no worker had begun give their places back; one a worker had begun is left to it,
 * and if that worker dies the org stays provisioning with nobody holding it. verify reports it {@code org_stuck}. Its fix was 'provision --resume RUN' (refused: a cancelled run is not resumable), then
 * 'provision ORG --schema <the run's file>', a path typed on the machine that started the run — where verify runs (its
 * CronJob, another shell) the file is not. The fix, followed literally, must finish the org as the run meant it: the
 * run's manifest (kept in the catalog, by hash) and its tier.
 */
@Timeout(90)
class CancelledProvisionRunStuckOrgHintTest {

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
        // a worker on another host had begun acme (holding its lease) when the run was cancelled (left to it), then died: acme provisioning,
        // nobody holding it (an org no worker had begun gives its place back at the cancel)
        sql(url, "update run_items set status = 'running', claimed_by = 'elsewhere/1/x', lease_until = now() + interval '10 minutes', "
                + "attempts = 1 where run_id = '" + runId + "'");
        sql(url, "insert into org_leases (org_id, holder, operation, run_id, lease_until) values ('acme', 'elsewhere/1/x', 'provision', '"
                + runId + "', now() + interval '10 minutes')");
        ok(cli, "runs", "cancel", runId);
        sql(url, "update run_items set lease_until = now() - interval '1 minute' where run_id = '" + runId + "'");
        sql(url, "update org_leases set lease_until = now() - interval '1 minute' where org_id = 'acme'");
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
        JsonNode acme = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
        assertThat(acme.get("status").asText()).isEqualTo("active");
        assertThat(acme.get("tier").asText()).as("the run's --tier").isEqualTo("growth");
        SchemaCheck.assertClean(url, List.of("acme"), manifest);
    }

    /**
     * Found by a 3 a.m. audit of the run verbs: an org of a provision run that found no room has no row. Once the run was
     * cancelled, a worker that joined it (a retried pod) looked that org up for its next step: 'provision --join RUN'
     * printed the run's table, then "error: no org named 'beta'", exit 2 (a usage error, as if the run id were wrong); with
     * -o json half a document, then "unexpected IllegalStateException". It exits 1 as a cancelled run's joiner does, its
     * one document naming the provision that makes the org as the run meant it, which works once there is room.
     */
    @Test
    void aJoinOfACancelledRunWhoseOrgFoundNoRoomNamesTheProvisionThatMakesIt(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 1, 1);
        Path schema = CliFixture.smallSchema(dir);
        // beta found no room as the run was recorded: failed at once, no row (the --detach says so, exit 1)
        String runId = strictJson(cli.run("provision", "acme", "beta", "--schema", schema.toString(), "--tier", "growth",
                "--detach", "-o", "json")).get("run_id").asText();
        ok(cli, "runs", "cancel", runId);

        Cli.Result joined = cli.run("provision", "--join", runId, "-o", "json");

        assertThat(joined.exitCode()).as("a worker joining a cancelled run: %s", joined).isEqualTo(1);
        JsonNode failed = strictJson(joined).get("failed");
        assertThat(failed).as("%s", joined).hasSize(1);
        String hash = SchemaManifest.load(schema).hash();
        assertThat(failed.get(0).get("next_note").asText()).as("%s", joined)
                .endsWith("then: tenantctl provision beta --schema-hash " + hash + " --tier growth");
        Cli.Result text = cli.run("provision", "--join", runId);
        assertThat(text.exitCode()).as("%s", text).isEqualTo(1);
        assertThat(text.err()).as("%s", text).doesNotContain("error:")
                .contains("then: tenantctl provision beta --schema-hash " + hash + " --tier growth");

        ok(cli, "pools", "set-capacity", "pool-1", "--capacity", "2");
        ok(cli, OnCallNextStepsTest.command("tenantctl provision beta --schema-hash " + hash + " --tier growth"));
        JsonNode beta = strictJson(ok(cli, "orgs", "show", "beta", "-o", "json"));
        assertThat(beta.get("status").asText()).isEqualTo("active");
        assertThat(beta.get("tier").asText()).isEqualTo("growth");
    }
}
