package io.tenantctl.bench;

import de.bwaldvogel.mongo.MongoServer;
import io.tenantctl.cli.TenantCtl;
import io.tenantctl.sandbox.Sandbox;
import io.tenantctl.testing.standin.StandIn;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A throw-away fleet for benchmarks: an embedded PostgreSQL catalog and N in-memory MongoDB-wire pools (the patched
 * {@link StandIn}) whose every command costs {@code latencyMs} (a network round trip), registered and initialised.
 */
final class BenchFleet implements AutoCloseable {

    final EmbeddedPostgres pg;
    final List<MongoServer> servers = new ArrayList<>();
    final List<String> uris = new ArrayList<>();
    final Map<String, String> env = new HashMap<>(System.getenv());

    BenchFleet(int pools, long latencyMs, int capacity) throws IOException {
        pg = EmbeddedPostgres.builder().setDataDirectory(Files.createTempDirectory("bench-pg")).start();
        env.put("TENANTCTL_CATALOG_URL", pg.getJdbcUrl("postgres", "postgres"));
        for (int i = 0; i < pools; i++) {
            MongoServer s = StandIn.serve(Sandbox.withLatency(StandIn.memory(), latencyMs));
            servers.add(s);
            uris.add(StandIn.uri(s));
        }
        tenantctl("init");
        for (int i = 0; i < pools; i++) {
            tenantctl("pools", "add", "pool-" + (i + 1), "--uri", uris.get(i), "--capacity", String.valueOf(capacity));
        }
    }

    String catalogUrl() {
        return env.get("TENANTCTL_CATALOG_URL");
    }

    /** Runs tenantctl in this JVM; fails loudly unless it exits 0. Returns stdout. */
    String tenantctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TenantCtl.run(new PrintWriter(out), new PrintWriter(err), env, args);
        if (code != 0) {
            throw new IllegalStateException("tenantctl " + String.join(" ", args) + " exited " + code + ": " + err);
        }
        return out.toString();
    }

    @Override
    public void close() throws IOException {
        servers.forEach(MongoServer::shutdownNow);
        pg.close();
    }
}
