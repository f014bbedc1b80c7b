package io.tenantctl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.cli.TenantCtl;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.standin.StandIn;
import org.bson.Document;
import org.bson.types.ObjectId;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * What a move costs: {@code --orgs} orgs of {@code --docs} LibreChat-like messages moved from one sandbox pool to another
 * by one {@code rebalance apply} (moves per minute; freeze window p50/p95), then one org of 10,000 and one of 100,000
 * documents moved alone (freeze window each, and their ratio: linear growth is 10). Pools are the H2-backed stand-in
 * that {@code scripts/sandbox} runs ({@code --backend memory} for the in-memory one); the freeze grace is 0, so the
 * freeze is the tool's own time (copy and verification), not the caches' grace an operator adds.
 *
 * <p>Usage: {@code scripts/bench rebalance [--orgs 100] [--docs 1000] [--backend h2|memory]}. Last line:
 * {@code rebalance moves_per_min=<m> freeze_10k_ms=<a> freeze_100k_ms=<b>}.
 */
public final class RebalanceBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RebalanceBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        int orgs = intArg(a, "--orgs", 100);
        int docs = intArg(a, "--docs", 1000);
        boolean h2 = !"memory".equals(arg(a, "--backend", "h2"));
        Path dir = io.tenantctl.testing.Trees.scratch("rebalance-bench");
        List<MongoServer> servers = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            MongoBackend backend = h2 ? StandIn.h2(dir.resolve("pool-" + i + ".mv").toString()) : StandIn.memory();
            MongoServer s = StandIn.serve(backend);
            servers.add(s);
            uris.add(StandIn.uri(s));
        }
        String catalogUrl = TestCatalog.newDatabase();
        Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", catalogUrl, "USER", "bench");
        cli(env, "init");
        cli(env, "pools", "add", "pool-1", "--uri", uris.get(0), "--capacity", "1000");
        cli(env, "pools", "add", "pool-2", "--uri", uris.get(1), "--capacity", "1000");
        System.err.printf("seeding %d orgs x %d documents, and orgs of 10,000 and 100,000 on pool-1 (%s)...%n", orgs, docs, h2 ? "h2" : "memory");
        try (MongoClient client = MongoClients.create(uris.get(0)); Catalog catalog = Catalog.connect(catalogUrl)) {
            for (int i = 0; i < orgs; i++) {
                seed(client, catalog, "o" + i, docs);
            }
            seed(client, catalog, "big-10k", 10_000);
            seed(client, catalog, "big-100k", 100_000);
        }

        // 1. many small moves, as one rebalance apply with the defaults (one move per source and per target pool at a time)
        StringBuilder plan = new StringBuilder("{\"moves\": [");
        for (int i = 0; i < orgs; i++) {
            plan.append(i == 0 ? "" : ",").append("{\"org_id\": \"o").append(i).append("\", \"from_pool\": \"pool-1\", \"to_pool\": \"pool-2\"}");
        }
        Path planFile = Files.writeString(dir.resolve("plan.json"), plan.append("]}").toString());
        long t0 = System.nanoTime();
        JsonNode applied = JSON.readTree(cli(env, "rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "-o", "json"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Long> freezes = new ArrayList<>();
        applied.get("orgs").forEach(o -> freezes.add(o.get("freeze_ms").asLong()));
        freezes.sort(Long::compare);
        double perMin = applied.get("counts").path("moved").asInt() / seconds * 60;
        System.err.printf("%d moves of %d documents in %.1f s: %.0f moves/min; freeze p50 %d ms, p95 %d ms, max %d ms%n",
                freezes.size(), docs, seconds, perMin, pct(freezes, 50), pct(freezes, 95), freezes.get(freezes.size() - 1));

        // 2. one org of 10,000 and one of 100,000 documents, each moved alone; and what one plain read of each costs
        //    on this pool (same run): a freeze reads the data three times (catch-up, then source and target in verification)
        long scan10 = scanMs(uris.get(0), "org_big_10k");
        long scan100 = scanMs(uris.get(0), "org_big_100k");
        long f10 = moveOne(env, "big-10k");
        long f100 = moveOne(env, "big-100k");
        System.err.printf("freeze window: 10,000 documents %d ms, 100,000 documents %d ms (ratio %.1f; linear = 10)%n",
                f10, f100, f10 == 0 ? 0 : (double) f100 / f10);
        System.err.printf("one plain read of the same data on this pool: 10,000 documents %d ms, 100,000 documents %d ms (ratio %.1f);"
                + " freeze / read: %.1f and %.1f%n", scan10, scan100, scan10 == 0 ? 0 : (double) scan100 / scan10,
                scan10 == 0 ? 0 : (double) f10 / scan10, scan100 == 0 ? 0 : (double) f100 / scan100);
        servers.forEach(MongoServer::shutdownNow);
        System.out.printf("rebalance moves_per_min=%.0f freeze_10k_ms=%d freeze_100k_ms=%d%n", perMin, f10, f100);
    }

    private static long moveOne(Map<String, String> env, String org) throws Exception {
        JsonNode r = JSON.readTree(cli(env, "rebalance", "move", org, "--to", "pool-2", "--freeze-grace", "0", "--max-freeze", "10m", "-o", "json"));
        JsonNode line = r.get("orgs").get(0);
        System.err.printf("%s: %d documents, %d bytes, freeze %d ms, copy+verify %d ms, %.1f MB/s%n", org, line.get("docs").asLong(),
                line.get("bytes").asLong(), line.get("freeze_ms").asLong(), line.get("copy_ms").asLong(), line.get("mb_per_s").asDouble());
        return line.get("freeze_ms").asLong();
    }

    /** The best of three full reads of an org's messages, as raw BSON, in ms. */
    private static long scanMs(String uri, String database) {
        try (MongoClient client = MongoClients.create(uri)) {
            MongoCollection<org.bson.RawBsonDocument> c = client.getDatabase(database).getCollection("messages", org.bson.RawBsonDocument.class);
            long best = Long.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                long n = 0;
                for (org.bson.RawBsonDocument d : c.find().batchSize(1000)) {
                    n += d.size();
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1_000_000);
            }
            return best;
        }
    }

    /** An org's database on pool-1: LibreChat-like messages (about 400 bytes each), registered in the catalog as active. */
    private static void seed(MongoClient client, Catalog catalog, String org, int n) {
        String db = "org_" + org.replace('-', '_');
        MongoCollection<Document> messages = client.getDatabase(db).getCollection("messages");
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new Document("_id", new ObjectId()).append("messageId", "msg-" + org + "-" + i)
                    .append("conversationId", "conv-" + (i % 97)).append("user", "user-" + (i % 13)).append("sender", i % 2 == 0 ? "User" : "GPT-4")
                    .append("text", "This is message " + i + " of " + org + ", long enough to look like a real chat turn with some words in it.")
                    .append("isCreatedByUser", i % 2 == 0).append("tokenCount", 40 + i % 300).append("model", "gpt-4o")
                    .append("createdAt", new Date(1_700_000_000_000L + i * 1000L)).append("updatedAt", new Date(1_700_000_000_000L + i * 1000L)));
            if (batch.size() == 1000) {
                messages.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            messages.insertMany(batch);
        }
        messages.createIndex(new Document("messageId", 1), new com.mongodb.client.model.IndexOptions().unique(true).name("messageId_1"));
        messages.createIndex(new Document("conversationId", 1).append("user", 1), new com.mongodb.client.model.IndexOptions().name("conversationId_1_user_1"));
        client.getDatabase(db).getCollection("conversations").insertOne(new Document("conversationId", "conv-0").append("title", "hello"));
        catalog.orgs().adopt(org, "pool-1", db, "free", null);
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String cli(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TenantCtl.run(new PrintWriter(out), new PrintWriter(err), env, args);
        if (code != 0) {
            throw new IllegalStateException("tenantctl " + String.join(" ", args) + " exited " + code + ": " + err + out);
        }
        return out.toString();
    }

    private static String arg(List<String> a, String name, String otherwise) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : otherwise;
    }

    private static int intArg(List<String> a, String name, int otherwise) {
        return Integer.parseInt(arg(a, name, String.valueOf(otherwise)));
    }
}
