package io.tenantctl.ferretdb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;

/**
 * One real pool: PostgreSQL with DocumentDB plus FerretDB 2.8, the images of {@code docker-compose.ferretdb.yml},
 * started by Testcontainers when first asked for. Only for tests guarded by {@link RequiresDocker}: nothing here
 * touches Docker until {@link #client()} or {@link #host()} is called.
 */
public final class FerretDbPool implements AutoCloseable {

    /** Keep in step with docker-compose.ferretdb.yml. */
    public static final String DOCUMENTDB_IMAGE = "ghcr.io/ferretdb/postgres-documentdb:17-0.108.0-ferretdb-2.8.0";
    public static final String FERRETDB_IMAGE = "ghcr.io/ferretdb/ferretdb:2.8.0";

    /** The PostgreSQL role FerretDB connects as; MongoDB clients authenticate (SCRAM-SHA-256) as the same role. */
    public static final String USER = "tenantctl";
    public static final String PASSWORD = "tenantctl-pool1";
    private static final String DOCUMENTDB_ALIAS = "documentdb";
    private static final int FERRETDB_PORT = 27017;
    private static final int FERRETDB_DEBUG_PORT = 8088;

    private Network network;
    private GenericContainer<?> documentdb;
    private GenericContainer<?> ferretdb;
    private MongoClient client;

    /** A client of our own, authenticated; starts the pool on first use. */
    public synchronized MongoClient client() {
        start();
        return client;
    }

    public synchronized String host() {
        start();
        return ferretdb.getHost();
    }

    public synchronized int port() {
        start();
        return ferretdb.getMappedPort(FERRETDB_PORT);
    }

    private void start() {
        if (client != null) {
            return;
        }
        try {
            startContainers();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void startContainers() {
        network = Network.newNetwork();
        documentdb = new GenericContainer<>(DockerImageName.parse(DOCUMENTDB_IMAGE))
                .withNetwork(network)
                .withNetworkAliases(DOCUMENTDB_ALIAS)
                .withEnv("POSTGRES_USER", USER)
                .withEnv("POSTGRES_PASSWORD", PASSWORD)
                // FerretDB needs the `postgres` database; the image installs DocumentDB there
                .withEnv("POSTGRES_DB", "postgres")
                .withExposedPorts(5432)
                // The entrypoint's temporary init server (restarted once to preload DocumentDB) listens on the Unix
                // socket only, so a TCP pg_isready succeeds only for the final server, after the extension exists.
                .waitingFor(Wait.forSuccessfulCommand("pg_isready -h 127.0.0.1 -p 5432 -U " + USER + " -d postgres")
                        .withStartupTimeout(Duration.ofMinutes(3)));
        ferretdb = new GenericContainer<>(DockerImageName.parse(FERRETDB_IMAGE))
                .withNetwork(network)
                .dependsOn(documentdb)
                .withEnv("FERRETDB_POSTGRESQL_URL",
                        "postgres://" + USER + ":" + PASSWORD + "@" + DOCUMENTDB_ALIAS + ":5432/postgres")
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
                .credential(MongoCredential.createScramSha256Credential(USER, "admin", PASSWORD.toCharArray()))
                .retryWrites(false)
                .build();
        client = MongoClients.create(settings);
    }

    /** Does nothing where the pool never started (e.g. no Docker engine: every test was skipped). */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
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
}
