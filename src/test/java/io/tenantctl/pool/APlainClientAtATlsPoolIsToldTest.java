package io.tenantctl.pool;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A FerretDB listening with TLS only (FERRETDB_LISTEN_TLS) closes a connection that opens with a plain MongoDB message:
 * a pool added without tls=true was said as "timed out waiting for the server (…: Prematurely reached end of stream)",
 * which points at the network. Found by the pools probe. The line now says what a TLS pool does and the option to add;
 * a URI that asks for TLS already is not told so.
 */
class APlainClientAtATlsPoolIsToldTest {

    /** A server that reads what a client sends first and closes, as a TLS-only listener does with a plain hello. */
    private static ServerSocket closingOnHello() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[16]);
                } catch (IOException closed) {
                    // the test is over, or the client went first
                }
            }
        }, "tls-only-listener");
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void thePlainUriIsToldToAskForTls() throws IOException {
        try (ServerSocket tlsOnly = closingOnHello(); PoolClients clients = new PoolClients(Map.of(), 1_000)) {
            String uri = "mongodb://127.0.0.1:" + tlsOnly.getLocalPort() + "/";

            assertThatThrownBy(() -> clients.ping("pool-t", uri)).isInstanceOfSatisfying(TenantctlException.class, e -> {
                assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG);
                assertThat(e.getMessage()).startsWith("pool pool-t (" + uri + ") is unreachable: ")
                        .contains("Prematurely reached end of stream").contains("add tls=true to its URI").doesNotContain("\n");
            });
        }
    }

    @Test
    void aUriThatAsksForTlsIsNotToldToAddIt() {
        for (String uri : new String[]{"mongodb://127.0.0.1:1/?tls=true", "mongodb://127.0.0.1:1/?appName=x&ssl=true"}) {
            try (PoolClients clients = new PoolClients(Map.of(), 300)) {
                assertThatThrownBy(() -> clients.ping("pool-t", uri)).as(uri)
                        .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage()).doesNotContain("add tls=true"));
            }
        }
    }
}
