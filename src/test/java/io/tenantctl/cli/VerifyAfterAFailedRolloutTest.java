package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rollout that stops part-way on an org clears the org's recorded manifest (it is between two manifests). verify
 * then checks the org against the manifest that rollout applies — not "its schema is not checked", clean, exit 0 while
 * the org lacks the rollout's indexes — and names the migrate-all that finishes it.
 */
class VerifyAfterAFailedRolloutTest {

    @Test
    void anOrgARolloutStoppedPartWayOnIsAProblemUntilTheRolloutIsFinished(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            AtomicBoolean poolFails = new AtomicBoolean();
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog()).decoratePools(real -> MigrateAllFixture.stoppingOnAcme(real, poolFails::get));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), List.of("acme", "globex"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);

            poolFails.set(true);
            Cli.Result rollout = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
            assertThat(rollout.exitCode()).as(rollout.err()).isEqualTo(1);
            String hash = strictJson(rollout).get("schema_hash").asText();
            assertThat(org(cli, "acme").get("schema_hash").isNull()).as("the rollout stopped part-way: no manifest recorded").isTrue();
            poolFails.set(false);

            Cli.Result verified = cli.run("verify", "-o", "json");
            assertThat(verified.exitCode()).as("acme lacks the rollout's index: " + verified.out()).isEqualTo(4);
            List<JsonNode> acme = findings(strictJson(verified), "acme");
            assertThat(acme).filteredOn(f -> f.get("kind").asText().equals("schema_missing")).singleElement()
                    .satisfies(f -> assertThat(f.get("detail").asText()).contains("messages.created_-1"));
            assertThat(acme).filteredOn(f -> f.get("kind").asText().equals("no_schema_record")).singleElement().satisfies(f ->
                    assertThat(f.get("fix").asText()).startsWith("tenantctl migrate-all --org acme --schema-hash " + hash));
            assertThat(findings(strictJson(verified), "globex")).as("globex was migrated").isEmpty();

            ok(cli, "migrate-all", "--org", "acme", "--schema-hash", hash);
            assertThat(org(cli, "acme").get("schema_hash").asText()).isEqualTo(hash);
            ok(cli, "schema", "diff", "acme", "--schema", v2.toString());
            Cli.Result again = cli.run("verify", "-o", "json");
            assertThat(again.exitCode()).as(again.out()).isZero();
            assertThat(findings(strictJson(again), "acme")).isEmpty();
        }
    }

    /**
     * Found by a probing helper: an org a rollout was cut off on (Ctrl-C as it failed there) got the fix "migrate-all
     * --org X --schema-hash H", which exits 3 while that run is unfinished and leaves out the run's apply flags. While
     * the run is unfinished the fix is its own --resume RUN; once it has ended, the new run of the org with its flags.
     */
    @Test
    void anOrgAnUnfinishedRolloutLeftWithoutARecordIsFinishedByThatRun(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String[] run = cutOff(pools, dir);
            String fix = noSchemaRecordFix(cli);
            assertThat(fix).startsWith("tenantctl migrate-all --resume " + run[0]);
            Cli.Result resumed = cli.run(pasted(fix));
            assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
            assertThat(org(cli, "acme").get("schema_hash").asText()).isEqualTo(run[1]);
        }
    }

    @Test
    void anOrgAnEndedRolloutLeftWithoutARecordGetsANewRunWithThatRunsFlags(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String[] run = cutOff(pools, dir);
            ok(cli, "runs", "cancel", run[0]);
            String fix = noSchemaRecordFix(cli);
            assertThat(fix).isEqualTo("tenantctl migrate-all --org acme --schema-hash " + run[1] + " --replace-conflicting");
            Cli.Result finished = cli.run(pasted(fix));
            assertThat(finished.exitCode()).as(finished.toString()).isZero();
            assertThat(org(cli, "acme").get("schema_hash").asText()).isEqualTo(run[1]);
        }
    }

    private Cli cli;

    /** A --replace-conflicting rollout interrupted (Ctrl-C) as it failed on acme: {run id, its manifest's hash}. */
    private String[] cutOff(TestPools pools, Path dir) {
        AtomicBoolean poolFails = new AtomicBoolean();
        io.tenantctl.fanout.CancelToken ctrlC = new io.tenantctl.fanout.CancelToken();
        cli = Cli.withCatalog(CliFixture.initialisedCatalog()).decoratePools(real -> MigrateAllFixture.stoppingOnAcme(real, poolFails::get,
                () -> ctrlC.cancel("test"))); // Ctrl-C as acme fails: the run is interrupted, acme left between two manifests
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), List.of("acme", "globex", "initech"));
        Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
        poolFails.set(true);
        Cli.Result rollout = cli.run(ctrlC, "migrate-all", "--schema", v2.toString(), "--replace-conflicting",
                "--per-pool", "1", "--concurrency", "1", "-o", "json");
        poolFails.set(false);
        assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(130);
        assertThat(org(cli, "acme").get("schema_hash").isNull()).as("the rollout stopped part-way: no manifest recorded").isTrue();
        return new String[] {strictJson(rollout).get("run_id").asText(), strictJson(rollout).get("schema_hash").asText()};
    }

    private static String noSchemaRecordFix(Cli cli) {
        Cli.Result verified = cli.run("verify", "--org", "acme", "-o", "json");
        return findings(strictJson(verified), "acme").stream().filter(f -> f.get("kind").asText().equals("no_schema_record"))
                .findFirst().orElseThrow(() -> new AssertionError(verified.toString())).get("fix").asText();
    }

    /** A command as a person pastes it: the words before a "   (" note, split on spaces, "tenantctl" left out. */
    private static String[] pasted(String command) {
        return command.split(" {3}\\(")[0].trim().replaceFirst("^tenantctl ", "").split("\\s+");
    }

    /**
     * An org adopted with no manifest recorded that a rollout never reached (its run cancelled first) is not checked
     * against that rollout's manifest: nothing moved it towards it (the demo's legacy app database came out 338 missing).
     */
    @Test
    void anOrgARolloutNeverReachedIsNotCheckedAgainstItsManifest(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), List.of("acme"));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
                s.execute("update orgs set schema_hash = null where org_id = 'acme'"); // as adopt leaves a database no manifest fits
            }
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            String runId = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--detach", "-o", "json")).get("run_id").asText();
            ok(cli, "runs", "cancel", runId);

            Cli.Result verified = cli.run("verify", "-o", "json");

            assertThat(verified.exitCode()).as(verified.out()).isZero();
            assertThat(findings(strictJson(verified), "acme")).singleElement().satisfies(f -> {
                assertThat(f.get("kind").asText()).isEqualTo("no_schema_record");
                assertThat(f.get("detail").asText()).contains("its schema is not checked");
            });
        }
    }

    private static JsonNode org(Cli cli, String orgId) {
        return strictJson(ok(cli, "orgs", "show", orgId, "-o", "json"));
    }

    private static List<JsonNode> findings(JsonNode doc, String orgId) {
        List<JsonNode> out = new ArrayList<>();
        doc.get("findings").forEach(f -> {
            if (orgId.equals(f.path("org_id").asText(null))) {
                out.add(f);
            }
        });
        return out;
    }
}
