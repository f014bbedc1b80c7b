package io.tenantctl.ferretdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tenantctl against a real pool ({@link FerretDbPool}: PostgreSQL with DocumentDB plus FerretDB 2.8, the images of
 * {@code docker-compose.ferretdb.yml}, started by Testcontainers). The catalog is the usual test catalog
 * ({@link TestCatalog}); everything goes through the in-process CLI, and the result is checked with a MongoClient
 * of our own against the built-in manifest.
 *
 * <p>Skipped, with a message in the build log, where there is no Docker engine ({@link RequiresDocker}).
 */
@ExtendWith(RequiresDocker.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES) // includes pulling the images on first use
class RealFerretDbTest {

    private static final String POOL_USER = FerretDbPool.USER;
    private static final String POOL_PASSWORD = FerretDbPool.PASSWORD;

    private static final SchemaManifest MANIFEST = SchemaManifest.defaultManifest();

    /**
     * Started on first use, not in {@code @BeforeAll}: {@link RequiresDocker} decides per test, so the class itself
     * runs even where there is no engine, and must not touch Docker there.
     */
    private static final FerretDbPool POOL = new FerretDbPool();
    private static MongoClient mongo;

    private static synchronized void startPool() {
        mongo = POOL.client();
    }

    /** Does nothing where the pool never started (e.g. no Docker engine: every test was skipped). */
    @AfterAll
    static synchronized void stopPool() {
        POOL.close();
        mongo = null;
    }

    /** The URI tenantctl stores: the password stays a placeholder, resolved from the environment at connect time. */
    private static String poolUri() {
        startPool();
        return "mongodb://" + POOL_USER + ":${POOL1_PASSWORD}@" + POOL.host() + ":" + POOL.port() + "/";
    }

    /** A fresh catalog with this pool registered as pool-1. */
    private static Cli freshFleet() {
        Cli cli = new Cli(Map.of(
                "TENANTCTL_CATALOG_URL", TestCatalog.newDatabase(),
                "USER", "test",
                "POOL1_PASSWORD", POOL_PASSWORD));
        Cli.Result init = cli.run("init");
        assertThat(init.exitCode()).as("init\n%s", init).isZero();
        Cli.Result add = cli.run("pools", "add", "pool-1", "--uri", poolUri());
        assertThat(add.exitCode()).as("pools add\n%s", add).isZero();
        assertThat(add.out() + add.err()).doesNotContain(POOL_PASSWORD);
        return cli;
    }

    @Test
    void provisionsTheDefaultManifestExactlyAndIsIdempotent() {
        assertThat(MANIFEST.collections()).hasSize(47);
        assertThat(MANIFEST.indexCount()).isEqualTo(290);
        Cli cli = freshFleet();
        List<String> orgs = List.of("acme", "globex", "initech");

        Cli.Result first = cli.run(args("provision", orgs, "-o", "json"));
        assertThat(first.exitCode()).as("provision\n%s", first).isZero();
        JsonNode firstJson = first.json();
        assertThat(firstJson.path("provisioned").asInt()).as("%s", first).isEqualTo(3);
        assertThat(firstJson.path("failed")).as("%s", first).isEmpty();
        assertThat(firstJson.path("schema_hash").asText()).isEqualTo(MANIFEST.hash());

        for (String org : orgs) {
            JsonNode shown = showOrg(cli, org);
            assertThat(shown.path("status").asText()).as("%s", shown).isEqualTo("active");
            assertThat(shown.path("pool_id").asText()).isEqualTo("pool-1");
            assertThat(shown.path("schema_hash").asText()).isEqualTo(MANIFEST.hash());
            assertMatchesManifest(org, shown.path("database_name").asText());
        }

        Cli.Result again = cli.run(args("provision", orgs, "-o", "json"));
        assertThat(again.exitCode()).as("re-provision\n%s", again).isZero();
        JsonNode againJson = again.json();
        assertThat(againJson.path("unchanged").asInt()).as("%s", again).isEqualTo(3);
        assertThat(againJson.path("provisioned").asInt()).as("%s", again).isZero();
        assertThat(againJson.path("failed")).as("%s", again).isEmpty();
        for (JsonNode o : againJson.path("orgs")) {
            assertThat(o.path("outcome").asText()).as("%s", o).isEqualTo("unchanged");
        }
    }

    @Test
    void sixOrgsProvisionedConcurrentlyOnOnePoolAllEndActive() {
        Cli cli = freshFleet();
        List<String> orgs = IntStream.rangeClosed(1, 6).mapToObj(i -> "burst-" + i).toList();

        // Six concurrent createIndexes streams on one pool: if PostgreSQL deadlocks, the retry path has to absorb it.
        Cli.Result r = cli.run(args("provision", orgs, "--per-pool", "6", "--concurrency", "6", "-o", "json"));
        assertThat(r.exitCode()).as("provision --per-pool 6\n%s", r).isZero();
        JsonNode json = r.json();
        assertThat(json.path("provisioned").asInt()).as("%s", r).isEqualTo(6);
        assertThat(json.path("failed")).as("%s", r).isEmpty();
        int retried = 0;
        for (JsonNode o : json.path("orgs")) {
            if (o.path("attempts").asInt() > 1) {
                retried++;
            }
        }
        System.err.println("RealFerretDbTest: " + retried + " of 6 concurrently provisioned orgs needed a retry"
                + " (p50 " + json.path("p50_ms").asLong() + " ms, max " + json.path("max_ms").asLong() + " ms)");

        Cli.Result list = cli.run("orgs", "list", "-o", "json");
        assertThat(list.exitCode()).as("%s", list).isZero();
        JsonNode listed = list.json().path("orgs");
        assertThat(listed).hasSize(6);
        for (JsonNode o : listed) {
            assertThat(o.path("status").asText()).as("%s", o).isEqualTo("active");
            assertThat(o.path("schema_hash").asText()).isEqualTo(MANIFEST.hash());
            assertMatchesManifest(o.path("org_id").asText(), o.path("database_name").asText());
        }
    }

    /**
     * A move on real FerretDB: the same server registered as two pools (the target database gets a suffix, since the
     * org's name is taken there), copied, verified (counts, digests, FerretDB's own listIndexes output) and flipped;
     * then reverted, since nothing was written in between.
     */
    @Test
    void aMoveCopiesVerifiesAndFlips_andRevertsOnRealFerretDb() {
        Cli cli = freshFleet();
        Cli.Result add = cli.run("pools", "add", "pool-2", "--uri", poolUri() + "?appName=pool2");
        assertThat(add.exitCode()).as("pools add pool-2\n%s", add).isZero();
        Cli.Result provisioned = cli.run("provision", "mover", "--pool", "pool-1");
        assertThat(provisioned.exitCode()).as("%s", provisioned).isZero();
        List<Document> notes = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            notes.add(new Document("messageId", "m-" + i).append("conversationId", "c-" + i % 7).append("user", "u")
                    .append("text", "message " + i).append("createdAt", new java.util.Date(1_700_000_000_000L + i)));
        }
        mongo.getDatabase("org_mover").getCollection("messages").insertMany(notes);

        Cli.Result moved = cli.run("rebalance", "move", "mover", "--to", "pool-2", "--freeze-grace", "0", "-o", "json");
        assertThat(moved.exitCode()).as("rebalance move\n%s", moved).isZero();
        JsonNode line = moved.json().path("orgs").get(0);
        assertThat(line.path("outcome").asText()).isEqualTo("moved");
        JsonNode shown = showOrg(cli, "mover");
        assertThat(shown.path("pool_id").asText()).isEqualTo("pool-2");
        String target = shown.path("database_name").asText();
        assertThat(target).isNotEqualTo("org_mover");
        assertMatchesManifest("mover", target);
        assertThat(mongo.getDatabase(target).getCollection("messages").countDocuments()).isEqualTo(2_000);

        Cli.Result reverted = cli.run("rebalance", "revert", line.path("move_id").asText());
        assertThat(reverted.exitCode()).as("rebalance revert\n%s", reverted).isZero();
        assertThat(showOrg(cli, "mover").path("database_name").asText()).isEqualTo("org_mover");
        Cli.Result gc = cli.run("rebalance", "gc", "--older-than", "0", "-o", "json");
        assertThat(gc.exitCode()).as("%s", gc).isZero();
        assertThat(mongo.listDatabaseNames().into(new ArrayList<>())).doesNotContain(target).contains("org_mover");
    }

    private static JsonNode showOrg(Cli cli, String org) {
        Cli.Result r = cli.run("orgs", "show", org, "-o", "json");
        assertThat(r.exitCode()).as("orgs show %s\n%s", org, r).isZero();
        return r.json();
    }

    /** listCollections + listIndexes straight from FerretDB, diffed against the manifest: nothing missing or different. */
    private static void assertMatchesManifest(String org, String databaseName) {
        assertThat(databaseName).isNotBlank();
        MongoDatabase db = mongo.getDatabase(databaseName);
        List<String> existing = db.listCollectionNames().into(new ArrayList<>());
        Map<String, List<Document>> indexes = new LinkedHashMap<>();
        for (CollectionSpec c : MANIFEST.collections()) {
            if (existing.contains(c.name())) {
                indexes.put(c.name(), db.getCollection(c.name()).listIndexes().into(new ArrayList<>()));
            }
        }
        SchemaDiff diff = SchemaDiff.compute(MANIFEST, existing, indexes);
        assertThat(diff.conflicts()).as("org %s: conflicting indexes", org).isEmpty();
        assertThat(diff.missingCollections()).as("org %s: missing collections", org).isEmpty();
        assertThat(diff.missingIndexes()).as("org %s: missing indexes", org).isEmpty();
        assertThat(diff.upToDate()).as("org %s up to date", org).isTrue();
        assertThat(diff.extras()).as("org %s: indexes not in the manifest", org).isEmpty();
        int indexCount = indexes.values().stream()
                .mapToInt(l -> (int) l.stream().filter(d -> !"_id_".equals(d.getString("name"))).count()).sum();
        assertThat(indexCount).as("org %s: index count", org).isEqualTo(MANIFEST.indexCount());
    }

    private static String[] args(String verb, List<String> orgs, String... options) {
        List<String> all = new ArrayList<>();
        all.add(verb);
        all.addAll(orgs);
        all.addAll(List.of(options));
        return all.toArray(String[]::new);
    }
}
