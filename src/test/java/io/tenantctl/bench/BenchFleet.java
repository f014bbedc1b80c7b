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

    /**
     * Provisions {@code n} orgs (bench-00001, …) with the full LibreChat manifest, fast (8 per pool, 32 at once), listing
     * their ids in {@code dir}/orgs.txt; returns the ids.
     */
    java.util.List<String> provisionOrgs(java.nio.file.Path dir, int n) throws IOException {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(String.format("bench-%05d", i));
        }
        java.nio.file.Path file = dir.resolve("orgs.txt");
        Files.write(file, ids);
        System.err.printf("setup: provisioning %d orgs (47 collections, 290 indexes each) on %d pools...%n", n, uris.size());
        long t0 = System.nanoTime();
        tenantctl("provision", "--file", file.toString(), "--per-pool", "8", "--concurrency", "32", "-q", "--no-progress");
        System.err.printf("setup: provisioned in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return ids;
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
