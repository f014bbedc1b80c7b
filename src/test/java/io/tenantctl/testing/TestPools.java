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
    /** The ports of killed pools, held bound (not listening) so that no other server takes them while a test runs. */
    private final List<java.net.Socket> held = new ArrayList<>();

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

    /**
     * Stops pool {@code i}, so connecting to it fails as a dead pool does (refused), and keeps its port bound, not
     * listening, until {@link #close}: another test's pool started meanwhile (surefire runs forks side by side) could be
     * given the freed ephemeral port and answer for the dead one. Left free when the bind fails (the port in TIME_WAIT).
     */
    public void kill(int i) {
        int port = servers.get(i).getLocalAddress().getPort();
        servers.get(i).shutdownNow();
        java.net.Socket holder = new java.net.Socket();
        try {
            holder.setReuseAddress(false);
            holder.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            held.add(holder);
        } catch (java.io.IOException taken) {
            closeQuietly(holder);
        }
    }

    @Override
    public void close() {
        servers.forEach(MongoServer::shutdownNow);
        held.forEach(TestPools::closeQuietly);
    }

    private static void closeQuietly(java.net.Socket s) {
        try {
            s.close();
        } catch (java.io.IOException ignored) {
            // a bound, unconnected socket: nothing to flush
        }
    }
}
