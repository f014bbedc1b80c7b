package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A --detach'ed run no worker has joined yet: `orgs show` of its org names the run's --join (and its cancel), but
 * `runs show RUN` and `runs list` — where on-call looks at the run itself — named no step at all, as for a run at work.
 */
class RunsShowOfADetachedRunNoWorkerJoinedNamesItsJoinTest {

    @Test
    void runsShowAndListNameTheJoinOrgsShowNames(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "acme");
            String join = "tenantctl provision --join " + runId;
            String orgsNext = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).path("next").asText("");
            assertThat(orgsNext).startsWith(join);

            JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("running");
            assertThat(run.path("next_step").asText("")).as("%s", run).isEqualTo(join);
            assertThat(run.path("next_note").asText("")).as("%s", run).isEqualTo("run " + runId + " was detached and is waiting for a worker: "
                    + "start its workers; or end it: tenantctl runs cancel " + runId);
            String line = "running " + runId + ": " + orgsNext; // the same step, worded as orgs show words it
            Cli.Result text = ok(cli, "runs", "show", runId);
            assertThat(text.out()).as(text.toString()).containsPattern("(?m)^" + Pattern.quote(line) + "$");
            Cli.Result list = ok(cli, "runs", "list");
            assertThat(list.out()).as(list.toString()).containsPattern("(?m)^" + Pattern.quote(line) + "$");
            JsonNode listed = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(listed.path("next_step").asText("")).as("%s", listed).isEqualTo(join);

            // the step, run as named, does the run: it ends succeeded with no next step left
            ok(cli, join.substring("tenantctl ".length()).split(" "));
            JsonNode after = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(after.get("status").asText()).isEqualTo("succeeded");
            assertThat(after.path("next_step").isMissingNode() || after.get("next_step").isNull()).as("%s", after).isTrue();
            assertThat(ok(cli, "runs", "show", runId).out()).doesNotContain("--join");
        }
    }
    /**
     * Found on call: 'provision ORG --detach' of an org already active printed 'run R created with 1 orgs; start workers
     * with: tenantctl provision --join R', though the run was over the moment it was recorded (nothing to do, as its -o
     * json said: succeeded, unchanged 1). It now says what the same provision without --detach says (the org unchanged,
     * the run's line, exit 0), and the run it recorded, as that one does, waits for no worker.
     */
    @Test
    void aDetachedProvisionOfAnActiveOrgSaysWhatTheProvisionWithoutDetachSays(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "--schema", schema);
            String anyRun = "\\d{8}T\\d{6}Z-[0-9a-f]{4}";
            String plain = ok(cli, "provision", "acme", "--schema", schema).out().replaceAll(anyRun, "RUN");

            Cli.Result detached = ok(cli, "provision", "acme", "--schema", schema, "--detach");

            assertThat(detached.out()).as(detached.toString()).doesNotContain("--join").doesNotContain("start workers");
            assertThat(detached.out().replaceAll(anyRun, "RUN")).as(detached.toString()).isEqualTo(plain)
                    .contains("acme").contains("unchanged 1");
            JsonNode last = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("status").asText()).as("%s", last).isEqualTo("succeeded");
            assertThat(last.path("next_step").isMissingNode() || last.get("next_step").isNull()).as("%s", last).isTrue();
        }
    }
}
