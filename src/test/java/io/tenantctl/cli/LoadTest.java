package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.Main;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large catalog: N orgs over 8 pools (a small manifest, so the stand-in pools hold them all), and the commands that
 * read every org — orgs list, a shallow verify, a no-op migrate-all, backup --due --dry-run — each run as the shipped
 * process under -Xmx256m: they finish, say what they should, and report their peak heap and wall time. 500 orgs in the
 * default suite; 10,000 with the slow suites (scripts/test --slow).
 */
class LoadTest {

    private static final Pattern HEAP = Pattern.compile("heap_peak_mb=(\\d+)");
    private static final String MANIFEST = """
            {"collections": [{"name": "messages", "indexes": [{"name": "conv_1", "key": {"conversationId": 1}}]}]}
            """;

    @Test
    void fiveHundredOrgsWithin256Mb(@TempDir Path dir) throws Exception {
        run(dir, 500);
    }

    @Test
    @Tag("slow")
    void tenThousandOrgsOverEightPoolsWithin256Mb(@TempDir Path dir) throws Exception {
        run(dir, 10_000);
    }

    private static void run(Path dir, int orgs) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path schema = Files.writeString(dir.resolve("small.json"), MANIFEST);
        SchemaManifest manifest = SchemaManifest.load(schema);
        try (TestPools pools = new TestPools(8)) {
            io.tenantctl.testing.Cli cli = io.tenantctl.testing.Cli.withCatalog(url);
            for (int p = 0; p < 8; p++) {
                CliFixture.addPool(cli, "pool-" + p, pools.uri(p), orgs, p + 1);
            }
            seed(url, pools, manifest, orgs);
            Map<String, String> env = new HashMap<>();
            env.put("TENANTCTL_CATALOG_URL", url);
            env.put("TENANTCTL_STORE", dir.resolve("store").toUri().toString());
            env.put("TENANTCTL_REPORT_HEAP", "1");
            env.put("USER", "load-test");

            JsonNode list = child(dir, env, orgs, "orgs", "list", "-o", "json");
            assertThat(list.get("orgs")).hasSize(orgs);
            JsonNode verify = child(dir, env, orgs, "verify", "-o", "json", "--no-progress");
            // every org matches its manifest; none has a backup yet (a store is configured): that, and only that, is each one's problem
            assertThat(verify.get("counts").get("problems").asInt()).isEqualTo(orgs);
            assertThat(verify.get("findings")).hasSize(orgs).allSatisfy(f -> assertThat(f.get("kind").asText()).isEqualTo("backup_stale"));
            JsonNode migrate = child(dir, env, orgs, "migrate-all", "--schema", schema.toString(), "-o", "json", "--no-progress");
            assertThat(migrate.get("unchanged").asInt()).isEqualTo(orgs);
            JsonNode due = child(dir, env, orgs, "backup", "--due", "--dry-run", "-o", "json", "--no-progress");
            assertThat(due.get("counts").get("planned").asInt()).isEqualTo(orgs);
        }
    }

    /** Runs tenantctl as the shipped process under -Xmx256m; returns its JSON; prints its wall time and peak heap. */
    private static JsonNode child(Path dir, Map<String, String> env, int orgs, String... args) throws Exception {
        long t0 = System.nanoTime();
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve("child-" + args[0]), env, 300, List.of("-Xmx256m", "-XX:+UseParallelGC"),
                Main.class.getName(), args);
        double secs = (System.nanoTime() - t0) / 1e9;
        String err = exit.err();
        assertThat(exit.code()).as("tenantctl %s: %s", String.join(" ", args), err).isIn(0, 4);
        Matcher m = HEAP.matcher(err);
        assertThat(m.find()).as("heap reported: %s", err).isTrue();
        long heap = Long.parseLong(m.group(1));
        System.err.printf("LoadTest: %d orgs, 8 pools: tenantctl %s: %.1f s, peak heap %d MB (-Xmx256m)%n", orgs, String.join(" ", args),
                secs, heap);
        assertThat(heap).isLessThanOrEqualTo(256);
        return CliFixture.strictJson(new io.tenantctl.testing.Cli.Result(exit.code(), exit.out(), err));
    }

    /** N active orgs, round-robin over the 8 pools: catalog rows in batches, each database with the manifest's collection and index. */
    private static void seed(String url, TestPools pools, SchemaManifest manifest, int orgs) throws Exception {
        try (Catalog catalog = Catalog.connect(url)) {
            catalog.manifests().save(manifest.hash(), manifest.source(), manifest.canonicalJson());
        }
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("insert into orgs (org_id, pool_id, database_name, status, tier, schema_hash) "
                     + "values (?, ?, ?, 'active', 'free', ?)")) {
            for (int i = 0; i < orgs; i++) {
                ps.setString(1, String.format("load-%05d", i));
                ps.setString(2, "pool-" + (i % 8));
                ps.setString(3, String.format("org_load_%05d", i));
                ps.setString(4, manifest.hash());
                ps.addBatch();
                if (i % 1000 == 999) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
        List<MongoClient> clients = new ArrayList<>();
        try {
            for (int p = 0; p < 8; p++) {
                clients.add(MongoClients.create(pools.uri(p)));
            }
            for (int i = 0; i < orgs; i++) {
                MongoDatabase db = clients.get(i % 8).getDatabase(String.format("org_load_%05d", i));
                db.runCommand(new Document("createIndexes", "messages").append("indexes", List.of(
                        new Document("name", "conv_1").append("key", new Document("conversationId", 1)))));
            }
        } finally {
            clients.forEach(MongoClient::close);
        }
    }
}
