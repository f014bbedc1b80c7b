package io.tenantctl.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import io.tenantctl.cli.TenantCtl;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.standin.StandIn;
import org.bson.Document;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What migrate-all's duplicate pre-flight costs: one org whose {@code users} holds N documents on a sandbox pool (the
 * H2-backed stand-in, as {@code scripts/sandbox} runs it), and a dry run of a manifest that adds a unique index
 * against one that adds the same index non-unique (no check). Both read the org's collections and indexes; the
 * difference is the check. Rounds alternate; medians are reported.
 *
 * <p>Usage: {@code scripts/bench preflight [--docs 100000] [--rounds 5]}. Last line:
 * {@code preflight docs=<n> check_ms=<median difference> unique_dry_run_ms=<a> plain_dry_run_ms=<b>}.
 */
public final class PreflightBench {

    private static final String V1 = "{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}}]}]}";

    private PreflightBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        int docs = intArg(a, "--docs", 100_000);
        int rounds = intArg(a, "--rounds", 5);
        Path dir = io.tenantctl.testing.Trees.scratch("preflight-bench");
        MongoServer server = StandIn.serve(StandIn.h2(dir.resolve("pool.mv").toString()));
        String uri = StandIn.uri(server);
        String catalog = TestCatalog.newDatabase();
        Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "bench");
        Path v1 = Files.writeString(dir.resolve("v1.json"), V1);
        Path unique = Files.writeString(dir.resolve("unique.json"), V1.replace("]}]}",
                ", {\"name\": \"email_1\", \"key\": {\"email\": 1}, \"unique\": true}]}]}"));
        Path plain = Files.writeString(dir.resolve("plain.json"), V1.replace("]}]}", ", {\"name\": \"email_1\", \"key\": {\"email\": 1}}]}]}"));
        cli(env, "init");
        cli(env, "pools", "add", "pool-1", "--uri", uri);
        cli(env, "provision", "big", "--schema", v1.toString());
        try (MongoClient client = MongoClients.create(uri)) {
            MongoCollection<Document> users = client.getDatabase("org_big").getCollection("users");
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < docs; i++) {
                batch.add(new Document("email", "user" + i + "@example.test").append("tenant", "t" + (i % 50))
                        .append("name", "User " + i).append("createdAt", new java.util.Date()));
                if (batch.size() == 1000) {
                    users.insertMany(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                users.insertMany(batch);
            }
        }
        System.err.println("seeded " + docs + " users; " + rounds + " alternating rounds");
        cli(env, "migrate-all", "--schema", unique.toString(), "--dry-run"); // warm-up: JIT and the pool's own caches
        cli(env, "migrate-all", "--schema", plain.toString(), "--dry-run");
        long[] u = new long[rounds];
        long[] p = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            u[r] = cli(env, "migrate-all", "--schema", unique.toString(), "--dry-run");
            p[r] = cli(env, "migrate-all", "--schema", plain.toString(), "--dry-run");
            System.err.println("round " + (r + 1) + ": unique " + u[r] + " ms, plain " + p[r] + " ms");
        }
        long mu = median(u);
        long mp = median(p);
        server.shutdownNow();
        System.out.println("preflight docs=" + docs + " check_ms=" + (mu - mp) + " unique_dry_run_ms=" + mu + " plain_dry_run_ms=" + mp);
        System.exit(0);
    }

    private static long cli(Map<String, String> env, String... args) {
        long t0 = System.nanoTime();
        StringWriter out = new StringWriter();
        int code = TenantCtl.run(new PrintWriter(out), new PrintWriter(out), env, args);
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited " + code + ":\n" + out);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static int intArg(List<String> a, String name, int dflt) {
        int i = a.indexOf(name);
        return i >= 0 ? Integer.parseInt(a.get(i + 1)) : dflt;
    }
}
