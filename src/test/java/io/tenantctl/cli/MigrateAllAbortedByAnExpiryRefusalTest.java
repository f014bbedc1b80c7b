package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: migrate-all runs whose orgs a TTL index's expiry pre-flight refused (a refusal
 * only {@code --allow-expiry} passes).
 */
class MigrateAllAbortedByAnExpiryRefusalTest {

    /**
     * A canary aborted by an expiry refusal printed "Resume with: tenantctl migrate-all --resume RUN", but a resume cannot
     * add --allow-expiry: pasted, it failed the same way. The step names what works: the refused orgs' own next step,
     * then the resume, or the run cancelled and run again with --allow-expiry.
     */
    @Test
    void aCanaryAbortedByAnExpiryRefusalNamesAStepThatWorks(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            Cli cli = fleet(pools, dir, "a-exp", "b-ok");
            MigrateAllExpiryTest.fiveSessionsThreeExpired(direct.getDatabase("org_a_exp").getCollection("sessions"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllExpiryTest.V2_TTL);

            Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "--canary", "1");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            String runId = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(r.err()).as(r.toString()).contains("aborted: canary failed: the first org failed; the rest were not touched")
                    .doesNotContain("Resume with: tenantctl migrate-all --resume " + runId)
                    .contains("--allow-expiry").contains("tenantctl runs cancel " + runId);
            Cli.Result json = cli.run("migrate-all", "--resume", runId, "-o", "json");
            assertThat(json.exitCode()).as("the resume alone is refused the same way: %s", json).isEqualTo(1);
            // no command a tool could run as it is: the way on is in next_note
            assertThat(strictJson(json).path("next").isNull()).as(json.toString()).isTrue();
            assertThat(strictJson(json).path("next_note").asText()).as(json.toString()).contains("--allow-expiry")
                    .contains("tenantctl runs cancel " + runId);

            // the step it names works: the refused org's own step with --allow-expiry, then the resume
            ok(cli, "migrate-all", "--org", "a-exp", "--schema", v2.toString(), "--allow-expiry");
            JsonNode resumed = strictJson(ok(cli, "migrate-all", "--resume", runId, "-o", "json"));
            assertThat(resumed.path("status").asText()).as(resumed.toString()).isEqualTo("succeeded");
        }
    }

    /**
     * Found by probing: the same with a conflict. A run without --replace-conflicting aborted by --max-failures 0 on an
     * org whose index the manifest redefines said "Resume with: tenantctl migrate-all --resume RUN"; pasted, the resume
     * (which keeps the run's flags) failed the org on the same conflict and aborted again, and again.
     */
    @Test
    void aRunAbortedByAConflictNamesAStepThatWorks(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = fleet(pools, dir, "a-conf", "b-ok");
            Path v2 = MigrateAllFixture.write(dir, "v2.json", """
                    {"collections": [{"name": "sessions", "indexes": [{"name": "user_1", "key": {"user": 1}, "unique": true}]}]}
                    """);

            Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "--max-failures", "0", "--per-pool", "1");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            String runId = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(r.err()).as(r.toString()).contains("aborted: more orgs failed than --max-failures allows")
                    .doesNotContain("Resume with: tenantctl migrate-all --resume " + runId)
                    .contains("--replace-conflicting").contains("tenantctl runs cancel " + runId);
            JsonNode json = strictJson(cli.run("migrate-all", "--resume", runId, "-o", "json"));
            assertThat(json.path("next").isNull()).as(json.toString()).isTrue();
            assertThat(json.path("next_note").asText()).as(json.toString()).contains("--replace-conflicting")
                    .contains("tenantctl runs cancel " + runId);

            // the way it names works: the run ended, and run again with --replace-conflicting
            ok(cli, "runs", "cancel", runId);
            JsonNode again = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json"));
            assertThat(again.path("migrated").asInt()).as(again.toString()).isEqualTo(2);
            CliFixture.assertExactly(cli.catalogUrl(), v2, List.of("a-conf", "b-ok"));
        }
    }

    static Cli fleet(TestPools pools, Path dir, String... orgs) {
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(), "USER", "test"));
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", """
                {"collections": [{"name": "sessions", "indexes": [{"name": "user_1", "key": {"user": 1}}]}]}
                """), List.of(orgs));
        return cli;
    }
}
