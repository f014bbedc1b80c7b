package io.tenantctl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaManifest;
import org.bson.Document;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

/**
 * scripts/bench migrate-all: on 4 pools whose every wire command costs a round trip,
 * (a) the seed investigation's procedure — every org one after another, every collection created and all its
 * indexes sent again, no hash skip — against (b) tenantctl migrate-all's default after one index was added to the
 * manifest, both over the same 1,000 orgs in the same run; then (c) a no-op migrate-all over 10,000 up-to-date
 * orgs, timed as a fresh tenantctl process (JVM start included).
 *
 * <p>Args: JAR [--orgs 1000] [--latency-ms 2] [--noop-orgs 10000]
 */
public final class MigrateAllBench {

    private MigrateAllBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int orgs = 1000;
        long latencyMs = 2;
        int noopOrgs = 10_000;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--orgs" -> orgs = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                case "--noop-orgs" -> noopOrgs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int pools = 4;
        try (BenchFleet fleet = new BenchFleet(pools, latencyMs, (orgs + pools - 1) / pools)) {
            Path dir = io.tenantctl.testing.Trees.scratch("bench-migrate");
            List<String> lines = fleet.provisionOrgs(dir, orgs);

            SchemaManifest v1 = SchemaManifest.defaultManifest();
            Path v2File = dir.resolve("v2.json");
            Files.writeString(v2File, withExtraIndex(v1));
            SchemaManifest v2 = SchemaManifest.load(v2File);

            log("(a) seed procedure: %d orgs one after another, every collection and index re-sent...", orgs);
            long a0 = System.nanoTime();
            seedProcedure(fleet, lines, v2);
            double a = secs(a0);
            log("(a) %.2f s (%.1f ms per org)", a, a * 1000 / orgs);

            // (a) already created the new index everywhere; take it away again so (b) has the real work to do.
            dropExtraIndex(fleet, lines);

            log("(b) tenantctl migrate-all (defaults) after one index was added to the manifest...");
            long b0 = System.nanoTime();
            String json = fleet.tenantctl("migrate-all", "--schema", v2File.toString(), "-o", "json", "--no-progress");
            double b = secs(b0);
            ObjectNode result = (ObjectNode) new ObjectMapper().readTree(json);
            result.remove("orgs"); // one entry per org: the header and counts are what a reader of this log wants
            log("(b) %.2f s (%.1f ms per org): %s", b, b * 1000 / orgs, result);
            requireAllMigrated(fleet, lines, v2);

            log("(c) seeding %d more up-to-date orgs into the catalog (a no-op run reads only the catalog)...", noopOrgs - orgs);
            seedCatalogOrgs(fleet.catalogUrl(), noopOrgs - orgs, v2.hash());
            List<String> cmd = new ArrayList<>(ShippedJvm.command(jar));
            cmd.addAll(List.of("migrate-all", "--schema", v2File.toString(), "-o", "json", "--no-progress"));
            double c = Double.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
                pb.environment().put("TENANTCTL_CATALOG_URL", fleet.catalogUrl());
                long c0 = System.nanoTime();
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                int code = p.waitFor();
                double s = secs(c0);
                if (code != 0 || !out.contains("\"unchanged\" : " + noopOrgs)) {
                    throw new IllegalStateException("no-op run failed (exit " + code + "): " + out + new String(p.getErrorStream().readAllBytes()));
                }
                log("(c) no-op over %d orgs, fresh process: %.2f s", noopOrgs, s);
                c = Math.min(c, s);
            }
            System.out.printf("migrate-all fanout_speedup=%.1f noop_10k_s=%.2f%n", a / b, c);
        }
    }

    /** The seed's migrateOrg: for every org in turn, create every collection and send all of its indexes. */
    private static void seedProcedure(BenchFleet fleet, List<String> orgIds, SchemaManifest manifest) {
        List<MongoClient> clients = fleet.uris.stream().map(MongoClients::create).toList();
        try {
            int perPool = (orgIds.size() + clients.size() - 1) / clients.size();
            for (int i = 0; i < orgIds.size(); i++) {
                MongoDatabase db = clients.get(i / perPool).getDatabase("org_" + orgIds.get(i).replace('-', '_'));
                for (CollectionSpec c : manifest.collections()) {
                    try {
                        db.runCommand(new Document("create", c.name()));
                    } catch (com.mongodb.MongoCommandException e) {
                        if (e.getErrorCode() != 48) {
                            throw e;
                        }
                    }
                    db.runCommand(new Document("createIndexes", c.name())
                            .append("indexes", c.indexes().stream().map(IndexSpec::toCreateDocument).toList()));
                }
            }
        } finally {
            clients.forEach(MongoClient::close);
        }
    }

    private static void dropExtraIndex(BenchFleet fleet, List<String> orgIds) {
        List<MongoClient> clients = fleet.uris.stream().map(MongoClients::create).toList();
        try {
            int perPool = (orgIds.size() + clients.size() - 1) / clients.size();
            for (int i = 0; i < orgIds.size(); i++) {
                clients.get(i / perPool).getDatabase("org_" + orgIds.get(i).replace('-', '_'))
                        .runCommand(new Document("dropIndexes", "messages").append("index", "bench_user_createdAt"));
            }
        } finally {
            clients.forEach(MongoClient::close);
        }
    }

    private static void requireAllMigrated(BenchFleet fleet, List<String> orgIds, SchemaManifest v2) throws Exception {
        try (Connection c = DriverManager.getConnection(fleet.catalogUrl());
             PreparedStatement ps = c.prepareStatement("select count(*) from orgs where schema_hash = ?")) {
            ps.setString(1, v2.hash());
            try (var rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != orgIds.size()) {
                    throw new IllegalStateException("only " + rs.getInt(1) + " of " + orgIds.size() + " orgs carry the new hash");
                }
            }
        }
    }

    private static void seedCatalogOrgs(String url, int n, String hash) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("""
                     insert into orgs (org_id, pool_id, database_name, status, schema_hash)
                     select 'noop-' || g, 'pool-' || (1 + g % 4), 'org_noop_' || g, 'active', ?
                     from generate_series(1, ?) g""")) {
            ps.setString(1, hash);
            ps.setInt(2, n);
            ps.executeUpdate();
        }
    }

    private static String withExtraIndex(SchemaManifest m) {
        String json = m.canonicalJson();
        Document root = Document.parse(json);
        for (Object o : root.getList("collections", Object.class)) {
            Document c = (Document) o;
            if (c.getString("name").equals("messages")) {
                @SuppressWarnings("unchecked")
                List<Object> idx = (List<Object>) c.get("indexes");
                idx.add(new Document("name", "bench_user_createdAt").append("key", new Document("user", 1).append("createdAt", -1)));
            }
        }
        return root.toJson();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String fmt, Object... args) {
        System.err.printf(fmt + "%n", args);
    }
}
