package io.tenantctl.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import io.tenantctl.testing.standin.StandIn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** N in-process MongoDB-wire servers on loopback (the patched {@link StandIn}), standing in for FerretDB pools. */
public final class TestPools implements AutoCloseable {

    private final List<MongoServer> servers = new ArrayList<>();
    private final List<String> uris = new ArrayList<>();

    public TestPools(int n) {
        this(n, StandIn::memory);
    }

    /** N pools on the backends {@code backend} makes, e.g. {@link StandIn#unpatchedMemory()} to show a patch matters. */
    public TestPools(int n, Supplier<MongoBackend> backend) {
        for (int i = 0; i < n; i++) {
            MongoServer server = StandIn.serve(backend.get());
            servers.add(server);
            uris.add(StandIn.uri(server));
        }
    }

    public String uri(int i) {
        return uris.get(i);
    }

    public List<String> uris() {
        return List.copyOf(uris);
    }

    /** The names of the databases pool {@code i} holds, read with a client of its own. */
    public List<String> databaseNames(int i) {
        try (MongoClient client = MongoClients.create(uris.get(i))) {
            return client.listDatabaseNames().into(new ArrayList<>());
        }
    }

    /** Stops pool {@code i}, so connecting to it fails as a dead pool does. */
    public void kill(int i) {
        servers.get(i).shutdownNow();
    }

    @Override
    public void close() {
        servers.forEach(MongoServer::shutdownNow);
    }
}
