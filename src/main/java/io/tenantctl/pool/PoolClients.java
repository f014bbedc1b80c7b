package io.tenantctl.pool;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import org.bson.Document;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One cached {@link MongoClient} per pool, with short connect and server-selection timeouts so a dead pool
 * fails fast with its name. Closed at exit.
 */
public final class PoolClients implements PoolConnector {

    private final Map<String, String> env;
    private final int timeoutMillis;
    private final Map<String, MongoClient> clients = new ConcurrentHashMap<>();

    public PoolClients(Map<String, String> env) {
        this(env, 3_000);
    }

    public PoolClients(Map<String, String> env, int timeoutMillis) {
        this.env = env;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public MongoDatabase database(String poolId, String uri, String database) {
        return client(poolId, uri).getDatabase(database);
    }

    @Override
    public void ping(String poolId, String uri) {
        try {
            client(poolId, uri).getDatabase("admin").runCommand(new Document("ping", 1));
        } catch (RuntimeException e) {
            throw TenantctlException.config(PoolUri.subject(poolId) + " (" + PoolUri.stored(uri).redacted() + ") is unreachable: "
                    + FerretErrors.describe(e), e);
        }
    }

    private MongoClient client(String poolId, String uri) {
        return clients.computeIfAbsent(poolId, id -> {
            String resolved = PoolUri.stored(uri).resolve(id, env);
            MongoClientSettings settings = MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(resolved))
                    .applicationName("tenantctl")
                    .applyToClusterSettings(b -> b.serverSelectionTimeout(timeoutMillis, TimeUnit.MILLISECONDS))
                    .applyToSocketSettings(b -> b.connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS))
                    .retryWrites(false)
                    .build();
            return MongoClients.create(settings);
        });
    }

    @Override
    public void close() {
        clients.values().forEach(MongoClient::close);
        clients.clear();
    }
}
