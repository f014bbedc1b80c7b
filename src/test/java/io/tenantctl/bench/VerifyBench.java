package io.tenantctl.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import org.bson.Document;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a shallow {@code verify} costs: 1,000 orgs with the full LibreChat manifest on 4 stand-in pools whose every
 * command costs {@code --latency-ms} (2 ms), checked (a) the seed's way — one org after another, listCollections and
 * listIndexes of every collection, compared with the manifest — and (b) by {@code tenantctl verify} as a separate
 * process under -Xmx256m, as shipped; same run, same orgs. Each reads the same things from the pools.
 *
 * <p>Usage: {@code scripts/bench verify [--orgs 1000] [--latency-ms 2]}. Last line:
 * {@code verify speedup=<a/b> orgs_per_s=<n> heap_mb=<peak>}.
 */
public final class VerifyBench {

    private static final Pattern HEAP = Pattern.compile("heap_peak_mb=(\\d+) cpu_ms=(-?\\d+)");

    private VerifyBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int orgs = 1000;
        long latencyMs = 2;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--orgs" -> orgs = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int pools = 4;
        try (BenchFleet fleet = new BenchFleet(pools, latencyMs, (orgs + pools - 1) / pools)) {
            Path dir = io.tenantctl.testing.Trees.scratch("bench-verify");
            List<String> lines = fleet.provisionOrgs(dir, orgs);

            SchemaManifest manifest = SchemaManifest.defaultManifest();
            log("(a) seed-style check: %d orgs one after another, listCollections + listIndexes of every collection...", orgs);
            long a0 = System.nanoTime();
            int drifted = seedCheck(fleet, lines, manifest);
            double a = secs(a0);
            log("(a) %.2f s (%.1f ms per org), %d drifted", a, a * 1000 / orgs, drifted);
            if (drifted != 0) {
                throw new IllegalStateException(drifted + " orgs drifted: the setup is wrong");
            }

            log("(b) tenantctl verify (shallow, defaults), separate process, -Xmx256m...");
            List<String> cmd = new ArrayList<>(ShippedJvm.command(jar, "-Xmx256m"));
            cmd.addAll(List.of("verify", "-o", "json", "--no-progress"));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("TENANTCTL_CATALOG_URL", fleet.catalogUrl());
            pb.environment().put("TENANTCTL_REPORT_HEAP", "1");
            long b0 = System.nanoTime();
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            int code = p.waitFor();
            double b = secs(b0);
            if (code != 0 || !out.contains("\"clean\" : " + orgs)) {
                throw new IllegalStateException("verify exited " + code + ":\n" + out.substring(0, Math.min(2000, out.length())) + err);
            }
            Matcher m = HEAP.matcher(err);
            long heap = m.find() ? Long.parseLong(m.group(1)) : -1;
            log("(b) %.2f s (%.1f ms per org), peak heap %d MB", b, b * 1000 / orgs, heap);
            System.out.printf("verify speedup=%.1f orgs_per_s=%.0f heap_mb=%d%n", a / b, orgs / b, heap);
        }
    }

    /** The seed's way: for every org in turn, list its collections and each one's indexes, and diff with the manifest. */
    private static int seedCheck(BenchFleet fleet, List<String> orgIds, SchemaManifest manifest) {
        List<MongoClient> clients = fleet.uris.stream().map(MongoClients::create).toList();
        int drifted = 0;
        try {
            int perPool = (orgIds.size() + clients.size() - 1) / clients.size();
            for (int i = 0; i < orgIds.size(); i++) {
                MongoDatabase db = clients.get(i / perPool).getDatabase("org_" + orgIds.get(i).replace('-', '_'));
                List<String> existing = db.listCollectionNames().into(new ArrayList<>());
                Map<String, List<Document>> indexes = new LinkedHashMap<>();
                for (CollectionSpec c : manifest.collections()) {
                    if (existing.contains(c.name())) {
                        indexes.put(c.name(), db.getCollection(c.name()).listIndexes().into(new ArrayList<>()));
                    }
                }
                if (!SchemaDiff.compute(manifest, existing, indexes).upToDate()) {
                    drifted++;
                }
            }
        } finally {
            clients.forEach(MongoClient::close);
        }
        return drifted;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String fmt, Object... args) {
        System.err.printf(fmt + "%n", args);
    }
}
