package io.tenantctl.testing;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** N in-process MongoDB-wire servers on loopback, standing in for FerretDB pools. */
public final class TestPools implements AutoCloseable {

    private final List<MongoServer> servers = new ArrayList<>();
    private final List<String> uris = new ArrayList<>();

    public TestPools(int n) {
        for (int i = 0; i < n; i++) {
            MongoServer server = new MongoServer(new MemoryBackend());
            server.bind("127.0.0.1", 0);
            InetSocketAddress addr = server.getLocalAddress();
            servers.add(server);
            uris.add("mongodb://127.0.0.1:" + addr.getPort());
        }
    }

    public String uri(int i) {
        return uris.get(i);
    }

    public List<String> uris() {
        return List.copyOf(uris);
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
