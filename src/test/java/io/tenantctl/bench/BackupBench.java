package io.tenantctl.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.github.luben.zstd.ZstdOutputStream;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * scripts/bench backup: one org with N chat-message-shaped documents (~1 KB) on a sandbox pool.
 * Backup throughput against a raw driver cursor drain of the same data to nowhere, and restore throughput against
 * raw insertMany batches of 1,000, in the same run; both tenantctl runs are separate processes under -Xmx256m (and
 * ParallelGC, as scripts/tenantctl runs it) and report their peak heap and CPU time. Then 1,000 small orgs on 4 latency-injected pools, backed up with fan-out vs one by one.
 *
 * <p>Args: JAR [--docs 1000000] [--compression gzip] [--rounds 3] [--small-orgs 1000] [--latency-ms 2]
 */
public final class BackupBench {

    private static final Pattern HEAP = Pattern.compile("heap_peak_mb=(\\d+) cpu_ms=(-?\\d+)");

    private BackupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int docs = 1_000_000;
        String compression = "zstd"; // the default, as users run it
        int smallOrgs = 1000;
        long latencyMs = 2;
        int rounds = 3;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--docs" -> docs = Integer.parseInt(args[++i]);
                case "--compression" -> compression = args[++i];
                case "--small-orgs" -> smallOrgs = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = io.tenantctl.testing.Trees.scratch("bench-backup");
        Path manifest = dir.resolve("messages.json");
        Files.writeString(manifest, "{\"collections\": [{\"name\": \"messages\", \"indexes\": []}]}");
        double backupVsRaw;
        double backupVsFloor;
        double restoreVsRaw;
        long heap;
        try (BenchFleet fleet = new BenchFleet(1, 0, 10)) {
            fleet.tenantctl("provision", "big", "--schema", manifest.toString(), "-q", "--no-progress");
            try (MongoClient client = MongoClients.create(fleet.uris.get(0))) {
                MongoCollection<Document> messages = client.getDatabase("org_big").getCollection("messages");
                log("raw insertMany: %d documents of ~1 KB in batches of 1,000...", docs);
                long i0 = System.nanoTime();
                insertMessages(messages, docs);
                double insert = secs(i0);
                log("raw insertMany: %.1f s, %.0f docs/s", insert, docs / insert);

                Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", fleet.catalogUrl(),
                        "TENANTCTL_STORE", dir.resolve("store").toUri().toString(), "TENANTCTL_REPORT_HEAP", "1");
                // The machine is shared and noisy (the same drain has taken 1.0 s and 4.1 s minutes apart), and the
                // stand-in's first pass over the data is slower than the next (JIT): so drain and backup alternate,
                // several rounds, and the ratio is of the medians.
                List<Double> drains = new ArrayList<>();
                List<Double> floors = new ArrayList<>();
                List<Double> warmFloors = new ArrayList<>();
                List<Double> backups = new ArrayList<>();
                long backupHeap = 0;
                for (int round = 1; round <= rounds; round++) {
                    MongoCollection<RawBsonDocument> raw = client.getDatabase("org_big").getCollection("messages", RawBsonDocument.class);
                    long d0 = System.nanoTime();
                    long n = drain(raw, null);
                    double drain = secs(d0);
                    drains.add(drain);
                    log("round %d/%d: raw drain (find().batchSize(1000), documents thrown away): %.2f s, %.0f docs/s (%d docs)",
                            round, rounds, drain, n / drain, n);
                    long f0 = System.nanoTime();
                    try (ZstdOutputStream z = new ZstdOutputStream(OutputStream.nullOutputStream(), 1)) {
                        drain(raw, z);
                    }
                    double warmFloor = secs(f0);
                    warmFloors.add(warmFloor);
                    log("round %d/%d: floor in this warm JVM (the same drain, each document's raw BSON into zstd level 1): %.2f s",
                            round, rounds, warmFloor);
                    double floor = floorProcess(jar, fleet.uris.get(0), docs);
                    floors.add(floor);
                    log("round %d/%d: floor as a process (the same, started as tenantctl is: fresh JVM, same options, -Xmx256m): %.2f s",
                            round, rounds, floor);
                    Run b = tenantctl(jar, env, "backup", "--org", "big", "--compression", compression, "-o", "json", "--no-progress");
                    backups.add(b.secs);
                    backupHeap = Math.max(backupHeap, b.heapMb);
                    log("round %d/%d: tenantctl backup --org big --compression %s (separate process, -Xmx256m): %.2f s, %.0f docs/s, peak heap %d MB",
                            round, rounds, compression, b.secs, docs / b.secs, b.heapMb);
                }
                double drain = median(drains);
                double backupSecs = median(backups);
                log("medians of %d rounds: raw drain %.2f s, floor as a process %.2f s (floor_vs_raw=%.2f), floor in the warm JVM %.2f s,"
                        + " tenantctl backup %.2f s; backup_vs_warm_floor=%.2f", rounds, drain, median(floors), drain / median(floors),
                        median(warmFloors), backupSecs, median(warmFloors) / backupSecs);
                client.getDatabase("org_big").drop(); // free the stand-in's memory; restore reads the backup, not the source
                log("tenantctl restore --org big --to-org big-copy (separate process, -Xmx256m)...");
                Run restore = tenantctl(jar, env, "restore", "--org", "big", "--to-org", "big-copy", "-o", "json", "--no-progress");
                long restored = client.getDatabase("org_big_copy").getCollection("messages").countDocuments();
                if (restored != docs) {
                    throw new IllegalStateException("restore produced " + restored + " documents, expected " + docs);
                }
                log("tenantctl restore: %.1f s, %.0f docs/s, peak heap %d MB", restore.secs, docs / restore.secs, restore.heapMb);
                backupVsRaw = drain / backupSecs;
                backupVsFloor = median(floors) / backupSecs;
                restoreVsRaw = insert / restore.secs;
                heap = Math.max(backupHeap, restore.heapMb);
            }
        }

        if (smallOrgs > 0) { // --small-orgs 0 skips this part
            smallOrgs(dir, smallOrgs, latencyMs);
        }
        System.out.printf("backup backup_vs_raw=%.2f backup_vs_floor=%.2f restore_vs_raw=%.2f heap_mb=%d%n", backupVsRaw, backupVsFloor,
                restoreVsRaw, heap);
    }

    /** 1,000 small orgs on 4 latency-injected pools: backup --all with fan-out against one by one. */
    private static void smallOrgs(Path dir, int smallOrgs, long latencyMs) throws Exception {
        try (BenchFleet fleet = new BenchFleet(4, latencyMs, (smallOrgs + 3) / 4)) {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= smallOrgs; i++) {
                ids.add(String.format("small-%05d", i));
            }
            Path file = dir.resolve("small.txt");
            Files.write(file, ids);
            Path two = dir.resolve("two.json");
            Files.writeString(two, "{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"email_1\", \"key\": {\"email\": 1}}]},"
                    + " {\"name\": \"messages\", \"indexes\": []}]}");
            log("small orgs: provisioning %d orgs with 10 documents each on 4 pools, %d ms per command...", smallOrgs, latencyMs);
            fleet.tenantctl("provision", "--file", file.toString(), "--schema", two.toString(), "--per-pool", "8", "--concurrency", "32",
                    "-q", "--no-progress");
            fillSmallOrgs(fleet, ids);
            fleet.env.put("TENANTCTL_STORE", dir.resolve("small-store").toUri().toString());
            // tenantctl runs in this JVM, and the JIT compiles its backup path over several passes of 1,000 orgs. While
            // fan-out keeps both cores busy the compiler threads fall behind (six fan-out passes in a row each ran beside
            // ~5 s of compiling); a one-by-one pass leaves a core idle and they catch up. Measured at 12-05's end: after
            // one pass of each, the next fan-out pass still ran beside 5 s of compiling; after two of each, 1 s. So two
            // passes of each are not counted; then fan-out and one by one twice each, alternating, each logged with the
            // JIT time it ran beside.
            String[] fanOut = {"backup", "--all", "-q", "--no-progress"};
            String[] oneByOne = {"backup", "--all", "--per-pool", "1", "--concurrency", "1", "-q", "--no-progress"};
            double cold = 0;
            for (int pass = 1; pass <= 2; pass++) {
                Jit jit = Jit.now();
                long w0 = System.nanoTime();
                fleet.tenantctl(fanOut);
                cold = pass == 1 ? secs(w0) : cold;
                log("small orgs: warm-up %d, fan-out (not counted): %.1f s, %s", pass, secs(w0), jit.since());
                jit = Jit.now();
                w0 = System.nanoTime();
                fleet.tenantctl(oneByOne);
                log("small orgs: warm-up %d, one by one (not counted): %.1f s, %s", pass, secs(w0), jit.since());
            }
            List<Double> fans = new ArrayList<>();
            List<Double> seqs = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                Jit jit = Jit.now();
                long f0 = System.nanoTime();
                fleet.tenantctl(fanOut);
                fans.add(secs(f0));
                log("small orgs: backup --all with default fan-out (4 per pool, 16 overall): %.1f s, %s", fans.get(round), jit.since());
                jit = Jit.now();
                long s0 = System.nanoTime();
                fleet.tenantctl(oneByOne);
                seqs.add(secs(s0));
                log("small orgs: backup --all one by one: %.1f s, %s", seqs.get(round), jit.since());
            }
            double fan = median(fans);
            double seq = median(seqs);
            log("small orgs: one by one %.1f s / fan-out %.1f s: fan-out speedup %.1fx (%.1fx against the first, cold pass)", seq, fan,
                    seq / fan, seq / cold);
        }
    }

    private record Run(double secs, long heapMb) {
    }

    /** The JIT's accumulated compile time and this process's CPU time, to tell a warm pass from one the JIT ran beside. */
    private record Jit(long compileMs, long cpuNs) {
        static Jit now() {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return new Jit(ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), os.getProcessCpuTime());
        }

        String since() {
            Jit now = now();
            return String.format("JIT %.1f s, process CPU %.1f s", (now.compileMs - compileMs) / 1000.0, (now.cpuNs - cpuNs) / 1e9);
        }
    }

    /** {@link FloorDrain} as a separate process, started like tenantctl; its wall time, process start included. */
    private static double floorProcess(Path jar, String uri, int docs) throws Exception {
        List<String> cmd = ShippedJvm.mainClass(jar, FloorDrain.class, "-Xmx256m");
        cmd.addAll(List.of(uri, "org_big", "messages"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        int code = p.waitFor();
        double s = secs(t0);
        if (code != 0 || !out.endsWith(String.valueOf(docs))) {
            throw new IllegalStateException("the floor process exited " + code + ":\n" + out);
        }
        return s;
    }

    private static Run tenantctl(Path jar, Map<String, String> env, String... args) throws Exception {
        // as scripts/tenantctl runs it, with the heap capped at 256 MB
        List<String> cmd = ShippedJvm.command(jar, "-Xmx256m");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        int code = p.waitFor();
        double s = secs(t0);
        if (code != 0) {
            throw new IllegalStateException("tenantctl " + String.join(" ", args) + " exited " + code + ":\n" + out + err);
        }
        Matcher m = HEAP.matcher(err);
        if (!m.find()) {
            return new Run(s, -1);
        }
        log("  (process: %.1f s wall, %.1f s CPU)", s, Long.parseLong(m.group(2)) / 1000.0);
        return new Run(s, Long.parseLong(m.group(1)));
    }

    /** Chat messages of about 1 KB: ids, a conversation, a sender, timestamps and ~700 characters of text. */
    private static void insertMessages(MongoCollection<Document> coll, int n) {
        Random random = new Random(42);
        String[] words = "the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part".split(" ");
        List<Document> batch = new ArrayList<>(1000);
        long start = System.currentTimeMillis() - 86_400_000L * 365;
        for (int i = 0; i < n; i++) {
            StringBuilder text = new StringBuilder(720);
            while (text.length() < 700) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            Date created = new Date(start + i * 1000L);
            batch.add(new Document("_id", new ObjectId())
                    .append("messageId", UUID.randomUUID().toString())
                    .append("conversationId", new UUID(42, i / 40).toString())
                    .append("parentMessageId", UUID.randomUUID().toString())
                    .append("user", "64b7f0c2a1e4d93f5c2b" + String.format("%04x", i % 500))
                    .append("sender", i % 2 == 0 ? "User" : "GPT-4o")
                    .append("isCreatedByUser", i % 2 == 0)
                    .append("model", "gpt-4o")
                    .append("endpoint", "openAI")
                    .append("tokenCount", 50 + random.nextInt(400))
                    .append("text", text.toString())
                    .append("createdAt", created)
                    .append("updatedAt", created));
            if (batch.size() == 1000) {
                coll.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            coll.insertMany(batch);
        }
    }

    private static void fillSmallOrgs(BenchFleet fleet, List<String> ids) {
        List<MongoClient> clients = fleet.uris.stream().map(MongoClients::create).toList();
        try {
            int perPool = (ids.size() + 3) / 4;
            for (int i = 0; i < ids.size(); i++) {
                List<Document> docs = new ArrayList<>();
                for (int d = 0; d < 10; d++) {
                    docs.add(new Document("email", "user" + d + "@" + ids.get(i) + ".example").append("n", d));
                }
                clients.get(i / perPool).getDatabase("org_" + ids.get(i).replace('-', '_')).getCollection("users").insertMany(docs);
            }
        } finally {
            clients.forEach(MongoClient::close);
        }
    }

    /** Reads every document of the collection; writes each one's raw BSON to {@code sink} unless it is null. */
    private static long drain(MongoCollection<RawBsonDocument> coll, OutputStream sink) throws IOException {
        long n = 0;
        try (MongoCursor<RawBsonDocument> c = coll.find().batchSize(1000).iterator()) {
            while (c.hasNext()) {
                ByteBuffer b = c.next().getByteBuffer().asNIO();
                if (sink != null) {
                    sink.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                }
                n++;
            }
        }
        return n;
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String fmt, Object... args) {
        System.err.printf(fmt + "%n", args);
    }
}
