package io.tenantctl.pool;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import org.bson.Document;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One cached {@link MongoClient} per pool, with short connect and server-selection timeouts so a dead pool
 * fails fast with its name, and a socket read timeout so a pool that accepts connections but stops answering (a
 * black-holed network path, a hung FerretDB) fails the command instead of blocking it forever: the driver's default
 * read timeout is none at all. Closed at exit.
 *
 * <p>Timeouts: {@code TENANTCTL_POOL_CONNECT_TIMEOUT_MS} (connect, handshake and server selection; default 3,000) and
 * {@code TENANTCTL_POOL_SOCKET_TIMEOUT_MS} (longest wait for one reply; default 60,000, long enough for a
 * {@code createIndexes} over a large restored collection). A pool URI's own {@code socketTimeoutMS} wins for that pool.
 */
public final class PoolClients implements PoolConnector {

    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 3_000;
    public static final int DEFAULT_SOCKET_TIMEOUT_MILLIS = 60_000;
    public static final String CONNECT_TIMEOUT_ENV = "TENANTCTL_POOL_CONNECT_TIMEOUT_MS";
    public static final String SOCKET_TIMEOUT_ENV = "TENANTCTL_POOL_SOCKET_TIMEOUT_MS";

    private final Map<String, String> env;
    private final int timeoutMillis;
    private final int socketTimeoutMillis;
    private final Map<String, MongoClient> clients = new ConcurrentHashMap<>();

    public PoolClients(Map<String, String> env) {
        this(env, millis(env, CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_MILLIS));
    }

    public PoolClients(Map<String, String> env, int timeoutMillis) {
        this.env = env;
        this.timeoutMillis = timeoutMillis;
        this.socketTimeoutMillis = millis(env, SOCKET_TIMEOUT_ENV, DEFAULT_SOCKET_TIMEOUT_MILLIS);
    }

    private static int millis(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below: not a number, or past an int (the driver's timeouts are ints of milliseconds)
        }
        throw TenantctlException.usage(name + " must be a whole number of milliseconds from 1 to " + Integer.MAX_VALUE + ", not '" + v + "'");
    }

    @Override
    public MongoDatabase database(String poolId, String uri, String database) {
        return client(poolId, uri).getDatabase(database);
    }

    @Override
    public void ping(String poolId, String uri) {
        try {
            client(poolId, uri).getDatabase("admin").runCommand(new Document("ping", 1));
        } catch (TenantctlException e) {
            throw e; // already says what is wrong (a variable not set, a URI its variables make invalid)
        } catch (RuntimeException e) {
            if (FerretErrors.authenticationFailed(e)) {
                // it answered, and said no: a password that was rotated, or a variable holding another pool's
                List<String> vars = PoolUri.stored(uri).variables().stream().map(v -> "${" + v + "}").toList();
                throw TenantctlException.config(PoolUri.subject(poolId) + " (" + PoolUri.stored(uri).redacted()
                        + ") refused tenantctl's credentials: " + FerretErrors.describe(e)
                        + (vars.isEmpty() ? "" : " (check " + String.join(", ", vars) + " against the pool's user)"), e);
            }
            String why = FerretErrors.describe(e);
            throw new PoolUnreachableException(poolId, PoolUri.stored(uri).redacted(), why, why.contains("Prematurely reached end of stream")
                    && !tls(poolId, uri) ? "; if the pool requires TLS (FERRETDB_LISTEN_TLS: it closes a plain connection so), add tls=true to its "
                    + "URI ('pools set-uri')" : "", e);
        }
    }

    /** Whether the pool's URI asks for TLS, as the driver reads it (tls=true, ssl=true, or mongodb+srv://). */
    private boolean tls(String poolId, String uri) {
        return Boolean.TRUE.equals(new ConnectionString(PoolUri.stored(uri).resolve(poolId, env)).getSslEnabled());
    }

    /**
     * The client for {@code poolId} at {@code uri}. Keyed by both: after 'pools set-uri' an operation that reads the pool
     * anew gets a client for the server the pool names now, while one in flight keeps the client it started with (its
     * pointer flip then refuses, the URI having changed).
     */
    private MongoClient client(String poolId, String uri) {
        return clients.computeIfAbsent(poolId + "\n" + uri, key -> {
            String id = poolId;
            PoolUri stored = PoolUri.stored(uri);
            String resolved = stored.resolve(id, env);
            try {
                return MongoClients.create(settings(resolved, timeoutMillis, socketTimeoutMillis));
            } catch (IllegalArgumentException | IllegalStateException | com.mongodb.MongoException e) {
                // one stored before pools add asked the driver's client (maxPoolSize=-1): wrong whatever its variables hold
                try {
                    stored.requireDriverReadable(PoolUri.subject(id) + "'s URI");
                } catch (TenantctlException bad) {
                    throw new PoolUriRefusedException(bad.getMessage() + "; fix it: tenantctl pools set-uri " + id + " --uri …", List.of());
                }
                // The stored URI was checked with its placeholders filled in, so a variable's value broke it. The driver's
                // message quotes the part it could not read (a token with a comma in it, say): never shown, nor kept as a cause.
                List<String> vars = stored.variables().stream().map(v -> "${" + v + "}").toList();
                throw new PoolUriRefusedException(PoolUri.subject(id) + " (" + stored.redacted() + "): its URI is not valid"
                        + (vars.isEmpty() ? "" : " once " + String.join(", ", vars) + (vars.size() == 1 ? " is" : " are") + " substituted: check "
                        + (vars.size() == 1 ? "that variable's value" : "those variables' values"))
                        + " (the driver's message is not shown: it would quote " + io.tenantctl.Counted.them(vars.size()) + ")", vars);
            }
        });
    }

    /** The client settings for a resolved pool URI: the URI's own options (its appName kept), then tenantctl's timeouts. */
    static MongoClientSettings settings(String resolvedUri, int timeoutMillis, int socketTimeoutMillis) {
        ConnectionString cs = new ConnectionString(resolvedUri);
        int read = cs.getSocketTimeout() != null ? cs.getSocketTimeout() : socketTimeoutMillis;
        return MongoClientSettings.builder()
                .applyConnectionString(cs)
                .applicationName(cs.getApplicationName() != null ? cs.getApplicationName() : "tenantctl") // the URI's appName wins
                .applyToClusterSettings(b -> b.serverSelectionTimeout(timeoutMillis, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                        .readTimeout(read, TimeUnit.MILLISECONDS))
                .retryWrites(false)
                .build();
    }

    @Override
    public void close() {
        clients.values().forEach(MongoClient::close);
        clients.clear();
    }
}
