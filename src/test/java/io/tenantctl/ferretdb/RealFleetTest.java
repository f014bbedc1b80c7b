package io.tenantctl.ferretdb;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.store.S3ObjectStore;
import io.tenantctl.store.S3Options;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The six verbs end to end on the compose file's stack: two real FerretDB pools (each FerretDB 2.8 on its own
 * DocumentDB PostgreSQL) and MinIO as the backup store, tenantctl driven as an operator would. Runs wherever a Docker
 * engine is found; skipped, with a message, elsewhere ({@link RequiresDocker}).
 */
@ExtendWith(RequiresDocker.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RealFleetTest {

    /** Keep in step with docker-compose.ferretdb.yml (Docker Hub no longer serves minio/minio; quay.io does). */
    static final String MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
    private static final String MINIO_USER = "tenantctl";
    private static final String MINIO_PASSWORD = "tenantctl-secret";
    private static final String BUCKET = "tenantctl-backups";

    private static final FerretDbPool POOL1 = new FerretDbPool();
    private static final FerretDbPool POOL2 = new FerretDbPool();
    private static GenericContainer<?> minio;

    @AfterAll
    static synchronized void stop() {
        POOL1.close();
        POOL2.close();
        if (minio != null) {
            minio.stop();
            minio = null;
        }
    }

    private static synchronized URI minio() {
        if (minio == null) {
            minio = new GenericContainer<>(DockerImageName.parse(MINIO_IMAGE))
                    .withEnv("MINIO_ROOT_USER", MINIO_USER)
                    .withEnv("MINIO_ROOT_PASSWORD", MINIO_PASSWORD)
                    .withCommand("server", "/data")
                    .withExposedPorts(9000)
                    .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000).withStartupTimeout(Duration.ofMinutes(2)));
            minio.start();
            URI endpoint = URI.create("http://" + minio.getHost() + ":" + minio.getMappedPort(9000));
            try (S3Client s3 = S3ObjectStore.buildClient(S3Options.compatible(BUCKET, "", endpoint),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(MINIO_USER, MINIO_PASSWORD)))) {
                s3.createBucket(r -> r.bucket(BUCKET));
            }
        }
        return URI.create("http://" + minio.getHost() + ":" + minio.getMappedPort(9000));
    }

    private static String uri(FerretDbPool pool, String variable) {
        return "mongodb://" + FerretDbPool.USER + ":${" + variable + "}@" + pool.host() + ":" + pool.port() + "/";
    }

    private static JsonNode ok(Cli cli, String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).as("tenantctl %s\n%s", String.join(" ", args), r).isZero();
        return args[args.length - 1].equals("json") ? r.json() : null;
    }

    /** Every document of every collection of a database, by collection, sorted by _id (for equality of two copies). */
    private static Map<String, List<Document>> contents(FerretDbPool pool, String database) {
        Map<String, List<Document>> out = new java.util.TreeMap<>();
        var db = pool.client().getDatabase(database);
        for (String c : db.listCollectionNames()) {
            out.put(c, db.getCollection(c).find().sort(new Document("_id", 1)).into(new ArrayList<>()));
        }
        return out;
    }

    @Test
    void provisionMigrateBackupRestoreRebalanceAndVerifyOnTwoFerretDbPoolsAndMinio(@TempDir Path dir) throws Exception {
        URI store = minio();
        Map<String, String> env = new HashMap<>();
        env.put("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase());
        env.put("USER", "real-fleet");
        env.put("POOL1_PASSWORD", FerretDbPool.PASSWORD);
        env.put("POOL2_PASSWORD", FerretDbPool.PASSWORD);
        env.put("TENANTCTL_STORE", "s3://" + BUCKET + "/fleet");
        env.put("TENANTCTL_S3_ENDPOINT", store.toString());
        env.put("AWS_ACCESS_KEY_ID", MINIO_USER);
        env.put("AWS_SECRET_ACCESS_KEY", MINIO_PASSWORD);
        env.put("AWS_REGION", "us-east-1");
        Cli cli = new Cli(env);
        ok(cli, "init");
        ok(cli, "pools", "add", "pool-1", "--uri", uri(POOL1, "POOL1_PASSWORD"), "--capacity", "10");
        ok(cli, "pools", "add", "pool-2", "--uri", uri(POOL2, "POOL2_PASSWORD"), "--capacity", "10");

        // provision: the full LibreChat manifest, fill-then-spill (all on pool-1), one pinned to pool-2
        assertThat(ok(cli, "provision", "acme", "globex", "-o", "json").get("provisioned").asInt()).isEqualTo(2);
        assertThat(ok(cli, "provision", "initech", "--pool", "pool-2", "-o", "json").get("provisioned").asInt()).isEqualTo(1);
        List<Document> messages = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            messages.add(new Document("messageId", "m-" + i).append("conversationId", "c-" + i % 17).append("user", "u-" + i % 5)
                    .append("text", "message " + i).append("createdAt", new java.util.Date(1_700_000_000_000L + i)));
        }
        POOL1.client().getDatabase("org_acme").getCollection("messages").insertMany(messages);

        // migrate-all: one index added to the manifest reaches every org on both pools
        Path next = dir.resolve("next.json");
        Cli.Result exported = cli.run("schema", "export");
        assertThat(exported.exitCode()).isZero();
        Files.writeString(next, exported.out().replaceFirst("\"indexes\"\\s*:\\s*\\[", "\"indexes\": [{\"name\": \"real_fleet_1\", \"key\": {\"realFleet\": 1}},"));
        SchemaManifest v2 = SchemaManifest.load(next);
        JsonNode migrated = ok(cli, "migrate-all", "--schema", next.toString(), "-o", "json");
        assertThat(migrated.get("migrated").asInt()).isEqualTo(3);

        // backup to MinIO, restore as a new org: the same documents
        JsonNode backedUp = ok(cli, "backup", "--all", "-o", "json");
        assertThat(backedUp.get("backed_up").asInt()).isEqualTo(3);
        ok(cli, "restore", "--org", "acme", "--to-org", "acme-copy");
        JsonNode copy = ok(cli, "orgs", "show", "acme-copy", "-o", "json");
        assertThat(contents(copy.get("pool_id").asText().equals("pool-1") ? POOL1 : POOL2, copy.get("database_name").asText()))
                .isEqualTo(contents(POOL1, "org_acme"));

        // rebalance: acme moves to pool-2 with every document, verified before the flip
        Map<String, List<Document>> before = contents(POOL1, "org_acme");
        JsonNode moved = ok(cli, "rebalance", "move", "acme", "--to", "pool-2", "--freeze-grace", "0", "-o", "json");
        assertThat(moved.get("counts").get("moved").asInt()).isEqualTo(1);
        JsonNode acme = ok(cli, "orgs", "show", "acme", "-o", "json");
        assertThat(acme.get("pool_id").asText()).isEqualTo("pool-2");
        assertThat(contents(POOL2, acme.get("database_name").asText())).isEqualTo(before);

        // verify: the whole fleet clean (the move's retained source is informational), and deep reads the backups back
        ok(cli, "backup", "--org", "acme,acme-copy");
        JsonNode verified = ok(cli, "verify", "--deep", "-o", "json");
        assertThat(verified.get("problems").asInt()).as(verified.toPrettyString()).isZero();
        assertThat(verified.get("counts").get("clean").asInt()).isEqualTo(4);
        assertThat(v2.hash()).isEqualTo(ok(cli, "orgs", "show", "initech", "-o", "json").get("schema_hash").asText());
    }
}
