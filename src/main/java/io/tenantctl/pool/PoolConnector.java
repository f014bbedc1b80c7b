package io.tenantctl.pool;

import com.mongodb.client.MongoDatabase;

/**
 * Hands out database handles on pools. The production implementation is {@link PoolClients}; tests wrap it
 * to inject failures (a FerretDB deadlock, a dead pool) without touching the code under test.
 */
public interface PoolConnector extends AutoCloseable {

    /** A handle on {@code database} in pool {@code poolId}, whose stored URI is {@code uri}. */
    MongoDatabase database(String poolId, String uri, String database);

    /** Fails fast with a CONFIG error naming the pool when it does not answer a ping. */
    void ping(String poolId, String uri);

    @Override
    void close();
}
