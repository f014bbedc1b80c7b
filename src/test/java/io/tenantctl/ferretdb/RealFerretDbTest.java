package io.tenantctl.ferretdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
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
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tenantctl against a real pool: PostgreSQL with DocumentDB plus FerretDB 2.8, the images of
 * {@code docker-compose.ferretdb.yml}, started by Testcontainers. The catalog is the usual test catalog
 * ({@link TestCatalog}); everything goes through the in-process CLI, and the result is checked with a MongoClient
 * of our own against the built-in manifest.
 *
 * <p>Skipped, with a message in the build log, where there is no Docker engine ({@link RequiresDocker}).
 */
@ExtendWith(RequiresDocker.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES) // includes pulling the images on first use
class RealFerretDbTest {

    /** Keep in step with docker-compose.ferretdb.yml. */
    static final String DOCUMENTDB_IMAGE = "ghcr.io/ferretdb/postgres-documentdb:17-0.108.0-ferretdb-2.8.0";
    static final String FERRETDB_IMAGE = "ghcr.io/ferretdb/ferretdb:2.8.0";

    /** The PostgreSQL role FerretDB connects as; MongoDB clients authenticate (SCRAM-SHA-256) as the same role. */
    private static final String POOL_USER = "tenantctl";
    private static final String POOL_PASSWORD = "tenantctl-pool1";
    private static final String DOCUMENTDB_ALIAS = "documentdb";
    private static final int FERRETDB_PORT = 27017;
    private static final int FERRETDB_DEBUG_PORT = 8088;

    private static final SchemaManifest MANIFEST = SchemaManifest.defaultManifest();

    private static Network network;
    private static GenericContainer<?> documentdb;
    private static GenericContainer<?> ferretdb;
    private static MongoClient mongo;

    /**
     * Starts the pool on first use. Lazily, not in {@code @BeforeAll}: {@link RequiresDocker} decides per test, so the
     * class itself runs even where there is no engine, and must not touch Docker there.
     */
    private static synchronized void startPool() {
        if (mongo != null) {
            return;
        }
        try {
            start();
        } catch (RuntimeException | Error e) {
            stopPool();
            throw e;
        }
    }

    private static void start() {
        network = Network.newNetwork();
        documentdb = new GenericContainer<>(DockerImageName.parse(DOCUMENTDB_IMAGE))
                .withNetwork(network)
                .withNetworkAliases(DOCUMENTDB_ALIAS)
                .withEnv("POSTGRES_USER", POOL_USER)
                .withEnv("POSTGRES_PASSWORD", POOL_PASSWORD)
                // FerretDB needs the `postgres` database; the image installs DocumentDB there
                .withEnv("POSTGRES_DB", "postgres")
                .withExposedPorts(5432)
                // The entrypoint's temporary init server (restarted once to preload DocumentDB) listens on the Unix
                // socket only, so a TCP pg_isready succeeds only for the final server, after the extension exists.
                .waitingFor(Wait.forSuccessfulCommand("pg_isready -h 127.0.0.1 -p 5432 -U " + POOL_USER + " -d postgres")
                        .withStartupTimeout(Duration.ofMinutes(3)));
        ferretdb = new GenericContainer<>(DockerImageName.parse(FERRETDB_IMAGE))
                .withNetwork(network)
                .dependsOn(documentdb)
                .withEnv("FERRETDB_POSTGRESQL_URL",
                        "postgres://" + POOL_USER + ":" + POOL_PASSWORD + "@" + DOCUMENTDB_ALIAS + ":5432/postgres")
                .withEnv("FERRETDB_TELEMETRY", "disable")
                // the image sets FERRETDB_LISTEN_ADDR=:27017 and FERRETDB_DEBUG_ADDR=:8088; say so explicitly
                .withEnv("FERRETDB_LISTEN_ADDR", ":" + FERRETDB_PORT)
                .withEnv("FERRETDB_DEBUG_ADDR", ":" + FERRETDB_DEBUG_PORT)
                .withExposedPorts(FERRETDB_PORT, FERRETDB_DEBUG_PORT)
                // readiness probe: 2xx once FerretDB answers a MongoDB ping, which round-trips to DocumentDB
                .waitingFor(Wait.forHttp("/debug/readyz").forPort(FERRETDB_DEBUG_PORT).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        ferretdb.start(); // starts documentdb first (dependsOn)

        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://" + ferretdb.getHost() + ":"
                        + ferretdb.getMappedPort(FERRETDB_PORT) + "/"))
                .credential(MongoCredential.createScramSha256Credential(POOL_USER, "admin", POOL_PASSWORD.toCharArray()))
                .retryWrites(false)
                .build();
        mongo = MongoClients.create(settings);
    }

    /** Does nothing where the pool never started (e.g. no Docker engine: every test was skipped). */
    @AfterAll
    static synchronized void stopPool() {
        if (mongo != null) {
            mongo.close();
            mongo = null;
        }
        if (ferretdb != null) {
            ferretdb.stop();
            ferretdb = null;
        }
        if (documentdb != null) {
            documentdb.stop();
            documentdb = null;
        }
        if (network != null) {
            network.close();
            network = null;
        }
    }

    /** The URI tenantctl stores: the password stays a placeholder, resolved from the environment at connect time. */
    private static String poolUri() {
        startPool();
        return "mongodb://" + POOL_USER + ":${POOL1_PASSWORD}@" + ferretdb.getHost() + ":"
                + ferretdb.getMappedPort(FERRETDB_PORT) + "/";
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
