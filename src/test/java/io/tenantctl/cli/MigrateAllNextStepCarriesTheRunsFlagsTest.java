package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failed org's next step is followed as printed, in a pipeline at 3 a.m.: it must migrate the org with the manifest
 * and flags the run had. Without --force it selected nothing for an org whose recorded manifest was already this one
 * (exit 0, the index still missing); after --resume it named "--schema FILE" and dropped the run's flags.
 */
class MigrateAllNextStepCarriesTheRunsFlagsTest {

    @Test
    void aForcedRunsNextStepKeepsForceAndFollowedBuildsTheIndex(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllExpiryTest.V2_TTL);
            Cli cli = acme(url, pools, v2);
            MongoCollection<Document> sessions = direct.getDatabase("org_acme").getCollection("sessions");
            sessions.dropIndex("expiresAt_1"); // drift behind tenantctl's back: the org still records v2
            MigrateAllExpiryTest.fiveSessionsThreeExpired(sessions);

            Cli.Result forced = cli.run("migrate-all", "--schema", v2.toString(), "--force", "-o", "json");

            assertThat(forced.exitCode()).as(forced.toString()).isEqualTo(1);
            String next = strictJson(forced).get("failed").get(0).get("next_step").asText();
            assertThat(next).contains("--force").contains("--schema " + v2);
            follow(cli, next);
            SchemaCheck.assertExactly(url, List.of("acme"), SchemaManifest.load(v2));
        }
    }

    @Test
    void aResumedRunsNextStepNamesItsManifestByHashAndItsFlags(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = acme(url, pools, MigrateAllFixture.write(dir, "v1.json", """
                    {"collections": [{"name": "sessions", "indexes": [{"name": "user_1", "key": {"user": 1}}]}]}
                    """));
            MigrateAllExpiryTest.fiveSessionsThreeExpired(direct.getDatabase("org_acme").getCollection("sessions"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllExpiryTest.V2_TTL);
            JsonNode detached = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--detach", "-o", "json"));
            String runId = detached.get("run_id").asText();

            Cli.Result resumed = cli.run("migrate-all", "--resume", runId, "-o", "json");

            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
            String next = strictJson(resumed).get("failed").get(0).get("next_step").asText();
            assertThat(next).contains("--schema-hash " + SchemaManifest.load(v2).hash()).contains("--replace-conflicting")
                    .doesNotContain("FILE");
            follow(cli, next);
            SchemaCheck.assertExactly(url, List.of("acme"), SchemaManifest.load(v2));
        }
    }

    /** The table's "Resume with:" line of a run its canary aborted is in -o json too, and followed it finishes the rollout. */
    @Test
    void anAbortedRunsJsonNamesTheResumeThatFinishesIt(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            java.util.concurrent.atomic.AtomicBoolean poolFails = new java.util.concurrent.atomic.AtomicBoolean();
            Cli cli = Cli.withCatalog(url).decoratePools(real -> io.tenantctl.testing.HookedPools.onCommand(real, (db, cmd) -> {
                if (poolFails.get() && io.tenantctl.testing.HookedPools.is(cmd, "createIndexes")) {
                    throw io.tenantctl.testing.HookedPools.commandError(1, "injected: the pool is overloaded");
                }
            }));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), List.of("acme", "globex", "initech"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);

            poolFails.set(true);
            Cli.Result aborted = cli.run("migrate-all", "--schema", v2.toString(), "--canary", "1", "-o", "json");
            poolFails.set(false);

            assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
            JsonNode doc = strictJson(aborted);
            assertThat(doc.get("status").asText()).isEqualTo("aborted");
            String next = doc.path("next").asText();
            assertThat(next).as(aborted.toString()).isEqualTo("tenantctl migrate-all --resume " + doc.get("run_id").asText());
            ok(cli, next.substring("tenantctl ".length()).split(" "));
            SchemaCheck.assertExactly(url, List.of("acme", "globex", "initech"), SchemaManifest.load(v2));
        }
    }

    /** Runs a next step as an operator would: its dry run first, then the command without --dry-run, with --allow-expiry. */
    private static void follow(Cli cli, String next) {
        List<String> args = new ArrayList<>(Arrays.asList(next.split(" "))); // next_step: the command alone
        assertThat(args.remove(0)).isEqualTo("tenantctl");
        Cli.Result dry = cli.run(args.toArray(String[]::new));
        assertThat(dry.out()).as("the dry run selects the org: " + dry).contains("acme");
        args.remove("--dry-run");
        args.add("--allow-expiry");
        ok(cli, args.toArray(String[]::new));
    }

    private static Cli acme(String url, TestPools pools, Path manifest) {
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(cli, manifest, List.of("acme"));
        return cli;
    }
}
