package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool holds at most 64 indexes per collection, {@code _id_} included (FERRETDB.md); the stand-in takes more
 * (WireConformanceTest pins it). A rollout builds new indexes before it drops those they supersede, so a collection at
 * the limit whose manifest swaps one index for another would need 65 for a moment: FerretDB refuses that createIndexes
 * (67) on every org, again on every re-run, while the stand-in pools took it. Found by a probing helper. Such an org now
 * fails before anything is written, saying how many indexes it would need and the two-step rollout that fits.
 */
class MigrateAllPastTheIndexLimitTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    /** users with indexes i{from}..i{to}, plus extra (if not null), and drop (if not null). */
    private static String manifest(int from, int to, String extra, String drop) {
        List<String> indexes = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            indexes.add("{\"name\": \"i" + i + "_1\", \"key\": {\"f" + i + "\": 1}}");
        }
        if (extra != null) {
            indexes.add("{\"name\": \"" + extra + "_1\", \"key\": {\"" + extra + "\": 1}}");
        }
        return "{\"collections\": [{\"name\": \"users\", \"indexes\": [" + String.join(", ", indexes) + "]"
                + (drop == null ? "" : ", \"drop\": [\"" + drop + "\"]") + "}]}";
    }

    @Test
    void aSwapAtTheLimitFailsBeforeAnythingIsWrittenAndTheTwoStepRolloutWorks(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path v1 = MigrateAllFixture.write(dir, "v1.json", manifest(0, 62, null, null)); // 63 + _id_ = 64
        MigrateAllFixture.provision(cli, v1, List.of("acme"));
        Path v2 = MigrateAllFixture.write(dir, "v2.json", manifest(1, 62, "email", "i0_1")); // i0_1 gives way to email_1

        Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode failed = strictJson(run).get("failed").get(0);
        assertThat(failed.get("error").asText()).as(run.toString()).contains("users").contains("65 indexes").contains("64")
                .contains("nothing was changed —").contains("i0_1");
        try (MigrateAllFixture.Direct d = new MigrateAllFixture.Direct()) {
            Map<String, ?> users = d.indexes(pools.uri(0), "acme").get("users");
            assertThat(users).as("nothing was built or dropped").hasSize(63).containsKey("i0_1").doesNotContainKey("email_1");
        }

        // what the message advises: first a manifest that only drops, then the one that adds
        Path step1 = MigrateAllFixture.write(dir, "step1.json", manifest(1, 62, null, "i0_1"));
        ok(cli, "migrate-all", "--schema", step1.toString());
        ok(cli, "migrate-all", "--schema", v2.toString());
        SchemaCheck.assertClean(url, "acme", SchemaManifest.load(v2));
    }

    /**
     * Found by probing: 'verify --fix' built the indexes an org lacks with no such check. users at the limit — one of the
     * manifest's indexes dropped by hand, one the application made in its place — and the fix built the missing one, the
     * 65th, which FerretDB refuses (67) on every run. The fix is refused up front with migrate-all's message, and its dry
     * run says so too; nothing is built.
     */
    @Test
    void verifyFixDoesNotBuildAnIndexThatWouldTakeACollectionPastTheLimit(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path v1 = MigrateAllFixture.write(dir, "v1.json", manifest(0, 62, null, null)); // 63 + _id_ = 64
        MigrateAllFixture.provision(cli, v1, List.of("acme"));
        try (MigrateAllFixture.Direct d = new MigrateAllFixture.Direct()) {
            MongoCollection<Document> users = d.db(pools.uri(0), "acme").getCollection("users");
            users.dropIndex("i0_1");
            users.createIndex(new Document("app", 1)); // the application's own: 64 again

            for (String[] args : List.of(new String[]{"verify", "--org", "acme", "--fix", "--dry-run"}, new String[]{"verify", "--org", "acme", "--fix"})) {
                Cli.Result fix = cli.run(args);
                assertThat(fix.exitCode()).as("i0_1 is still missing: " + fix).isEqualTo(4);
                assertThat(fix.out()).as(fix.toString()).contains("users.i0_1: users would hold 65 indexes (64 now, 1 more built")
                        .contains("a pool holds at most 64 indexes per collection").contains("nothing was changed on users —")
                        .doesNotContain("would create").doesNotContain("created").doesNotContain("--fix creates");
            }
            assertThat(d.indexes(pools.uri(0), "acme").get("users")).as("nothing was built").hasSize(63).doesNotContainKey("i0_1")
                    .containsKey("app_1");
        }
    }

    /**
     * Found by probing: verify --fix refused the index that would take users past the limit with migrate-all's "nothing
     * was changed" — while the same --fix built the index orders lacked. What it says is what is true: nothing was
     * changed on users; the org's other collection was fixed, and says so.
     */
    @Test
    void verifyFixSaysNothingWasChangedOnTheCollectionAtTheLimitWhileItFixesTheOrgsOthers(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        String users = manifest(0, 62, null, null); // 63 + _id_ = 64
        String withOrders = users.substring(0, users.length() - 2)
                + ", {\"name\": \"orders\", \"indexes\": [{\"name\": \"placed_1\", \"key\": {\"placed\": 1}}]}]}";
        Path v1 = MigrateAllFixture.write(dir, "v1.json", withOrders);
        MigrateAllFixture.provision(cli, v1, List.of("acme"));
        try (MigrateAllFixture.Direct d = new MigrateAllFixture.Direct()) {
            MongoCollection<Document> usersColl = d.db(pools.uri(0), "acme").getCollection("users");
            usersColl.dropIndex("i0_1");
            usersColl.createIndex(new Document("app", 1)); // the application's own: 64 again
            d.db(pools.uri(0), "acme").getCollection("orders").dropIndex("placed_1");

            Cli.Result fix = cli.run("verify", "--org", "acme", "--fix");
            assertThat(fix.exitCode()).as("i0_1 is still missing: " + fix).isEqualTo(4);
            assertThat(fix.out()).as(fix.toString()).contains("users.i0_1: users would hold 65 indexes")
                    .contains("nothing was changed on users —").doesNotContain("nothing was changed —")
                    .contains("created 0 collections and 1 index");
            Map<String, Map<String, Document>> after = d.indexes(pools.uri(0), "acme");
            assertThat(after.get("orders")).as("the fix built what orders lacked").containsKey("placed_1");
            assertThat(after.get("users")).as("nothing was built on users").hasSize(63).doesNotContainKey("i0_1").containsKey("app_1");
        }
    }
}
