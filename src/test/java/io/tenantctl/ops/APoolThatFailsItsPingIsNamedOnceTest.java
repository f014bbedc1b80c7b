package io.tenantctl.ops;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.tenantctl.catalog.Pool;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.PoolSilentException;
import io.tenantctl.sandbox.LatencyBackend;
import io.tenantctl.testing.standin.StandIn;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * "pool P does not answer: why — see 'tenantctl pools stats P'" is made from the ping's failure, whose own line is
 * "pool P (URI) is unreachable: why[advice]". It used to be cut out of that line by text: where the ping's cause was
 * not a silence of the network (a FerretDB whose PostgreSQL is down answers its ping with an error), the cut found
 * nothing to cut and the line said "pool P does not answer: pool P (URI) is unreachable: …", the pool named twice.
 * The ping now carries why and advice apart, and the line is made from them.
 */
class APoolThatFailsItsPingIsNamedOnceTest {

    private static Pool pool(String uri) {
        return new Pool("pool-1", uri, 10, Pool.ACTIVE, 0, Instant.EPOCH, 0);
    }

    @Test
    void aPingAnsweredWithAnErrorNamesThePoolOnce() {
        MongoServer server = StandIn.serve(LatencyBackend.hooked(StandIn.memory(), (db, command) -> {
            if (command.equalsIgnoreCase("ping")) {
                throw new MongoServerError(1, "InternalError", "backend is not reachable");
            }
        }));
        try (PoolClients clients = new PoolClients(Map.of(), 2_000)) {
            OpsContext ctx = new OpsContext(null, clients, null, "test");
            Pool pool = pool(StandIn.uri(server));
            String see = " — see 'tenantctl pools stats pool-1'";

            assertThat(PoolHealth.silence(ctx, pool)).hasValue("pool pool-1 does not answer: code 1 (InternalError): backend is not reachable" + see);
            assertThatThrownBy(() -> PoolHealth.require(ctx, pool, "the move's target")).isInstanceOfSatisfying(PoolSilentException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("pool pool-1 (the move's target) does not answer: code 1 (InternalError): "
                            + "backend is not reachable" + see));
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void theTlsAdviceStaysAfterWhyAndBeforeWhereToLook() throws IOException {
        try (ServerSocket tlsOnly = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); PoolClients clients = new PoolClients(Map.of(), 1_000)) {
            Thread t = new Thread(() -> { // reads the plain hello and closes, as a TLS-only FerretDB does
                while (!tlsOnly.isClosed()) {
                    try (Socket s = tlsOnly.accept()) {
                        s.getInputStream().read(new byte[16]);
                    } catch (IOException closed) {
                        // the test is over
                    }
                }
            }, "tls-only-listener");
            t.setDaemon(true);
            t.start();
            OpsContext ctx = new OpsContext(null, clients, null, "test");

            String line = PoolHealth.silence(ctx, pool("mongodb://127.0.0.1:" + tlsOnly.getLocalPort() + "/")).orElseThrow();
            assertThat(line).startsWith("pool pool-1 does not answer: timed out waiting for the server (")
                    .contains("Prematurely reached end of stream")
                    .endsWith("; if the pool requires TLS (FERRETDB_LISTEN_TLS: it closes a plain connection so), add tls=true to its URI "
                            + "('pools set-uri') — see 'tenantctl pools stats pool-1'")
                    .doesNotContain("is unreachable");
        }
    }
}
