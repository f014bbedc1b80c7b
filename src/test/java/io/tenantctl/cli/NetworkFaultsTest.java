package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.ops.Fingerprint;
import io.tenantctl.ops.Fingerprints;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.TestPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every verb that moves data, run through a {@link FaultProxy} in front of its pools (and, for backup and restore, its
 * object store) while the network misbehaves: latency, a connection cut mid-stream, the pool going away mid-stream
 * (every connection refused from then on) and a black hole (accepted, never answered). Each run must either complete
 * or fail the org cleanly, within the configured timeouts, in one line naming the pool (or the store); re-running with
 * the network healthy completes; and no document is lost or duplicated, no schema left half-made.
 *
 * <p>Pool timeouts are set low here (1.5 s connect/selection, 1.5 s socket read) through the environment an operator
 * would use, so the worst case — six attempts, each a read timeout, plus full-jitter backoff — stays well under the
 * wall-clock bound every faulty run is held to. The faulty run itself connects with 300 ms
 * ({@link #FAULTY_CONNECT_TIMEOUT_MS}): each of its attempts on a pool gone or black-holed waits that out, and the
 * attempts, not their length, are what is tested; the healthy runs around it keep 1.5 s, so that a loaded machine's slow
 * connect cannot fail them. For the same reason a run into a black hole waits 500 ms for a reply
 * ({@link #BLACK_HOLE_READ_TIMEOUT_MS}), not 1.5 s: every one of its reads past the fault waits the timeout out.
 * Mid-stream faults are armed on byte counts measured on a healthy run of the same shape, so they fire at the same point
 * every time.
 */
class NetworkFaultsTest {

    /** Pool timeouts for these tests, in ms, and the bound on one faulty run: six read timeouts + backoff + margin. */
    static final int TIMEOUT_MS = 1_500;
    static final Duration BOUND = Duration.ofSeconds(30);
    /** The faulty run's connect and server-selection timeout, in ms (see the class comment). */
    static final int FAULTY_CONNECT_TIMEOUT_MS = 300;
    /** The socket read timeout (pools and store), in ms, of a run into a black hole (see the class comment). */
    static final int BLACK_HOLE_READ_TIMEOUT_MS = 500;

    enum Fault {
        LATENCY, CUT_ONCE, GONE, BLACK_HOLE;

        /** Arms this fault on {@code proxy} to strike after {@code bytes} more bytes (latency: from the start). */
        void arm(FaultProxy proxy, long bytes) {
            switch (this) {
                case LATENCY -> proxy.latency(Duration.ofMillis(5));
                case CUT_ONCE -> proxy.afterBytes(bytes, proxy::cutAll);
                case GONE -> proxy.afterBytes(bytes, () -> proxy.cutEvery(0));
                case BLACK_HOLE -> proxy.afterBytes(bytes, proxy::blackHole);
            }
        }
    }

    private static S3ProxyFixture s3;
    static final Map<String, List<Long>> DURATIONS = new java.util.concurrent.ConcurrentSkipListMap<>();

    private TestPools pools;
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final List<MongoClient> direct = new ArrayList<>();
    private FaultProxy storeProxy;
    private String catalogUrl;
    private Cli cli;
    /** {@link #cli} with the faulty run's connect timeout. */
    private Cli faultyCli;
    /** {@link #faultyCli} with the black-holed run's read timeouts. */
    private Cli blackHoleCli;
    private Path schema;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
        DURATIONS.forEach((k, v) -> System.out.println("fault run " + k + ": " + v + " ms"));
    }

    /** The sentinel secrets of the CLI's environment, except the store's credentials, which the store really uses. */
    private static final Map<String, String> SENTINELS = new java.util.LinkedHashMap<>(io.tenantctl.testing.Sentinels.ENV);

    static {
        SENTINELS.remove("AWS_SECRET_ACCESS_KEY");
        SENTINELS.remove("AWS_SESSION_TOKEN");
    }

    @AfterEach
    void stop() throws Exception {
        if (catalogUrl != null) {
            io.tenantctl.testing.Sentinels.assertNone(SENTINELS, io.tenantctl.testing.Sentinels.dumpCatalog(catalogUrl), "the catalog");
        }
        direct.forEach(MongoClient::close);
        proxies.forEach(FaultProxy::close);
        if (storeProxy != null) {
            storeProxy.close();
        }
        if (pools != null) {
            pools.close();
        }
    }

    /** Two pools (pool-0, pool-1), each behind its own proxy, an S3 store behind a proxy, a CLI on all of them. */
    private void fleet(Path dir) throws Exception {
        pools = new TestPools(2);
        catalogUrl = CliFixture.initialisedCatalog();
        storeProxy = FaultProxy.to(s3.endpoint().toString());
        Map<String, String> env = new HashMap<>(SENTINELS); // an operator's environment: secrets tenantctl must never show
        env.putAll(s3.env());
        env.put("TENANTCTL_S3_ENDPOINT", storeProxy.uriFor(s3.endpoint().toString()));
        env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
        env.put("TENANTCTL_CATALOG_URL", catalogUrl);
        env.put("TENANTCTL_POOL_CONNECT_TIMEOUT_MS", String.valueOf(TIMEOUT_MS));
        env.put("TENANTCTL_POOL_SOCKET_TIMEOUT_MS", String.valueOf(TIMEOUT_MS));
        env.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", String.valueOf(TIMEOUT_MS));
        env.put("USER", "test");
        cli = new Cli(env);
        Map<String, String> faulty = new HashMap<>(env);
        faulty.put("TENANTCTL_POOL_CONNECT_TIMEOUT_MS", String.valueOf(FAULTY_CONNECT_TIMEOUT_MS));
        faultyCli = new Cli(faulty);
        Map<String, String> blackHole = new HashMap<>(faulty);
        blackHole.put("TENANTCTL_POOL_SOCKET_TIMEOUT_MS", String.valueOf(BLACK_HOLE_READ_TIMEOUT_MS));
        blackHole.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", String.valueOf(BLACK_HOLE_READ_TIMEOUT_MS));
        blackHoleCli = new Cli(blackHole);
        schema = CliFixture.smallSchema(dir);
        for (int i = 0; i < 2; i++) {
            FaultProxy p = FaultProxy.to(pools.uri(i));
            proxies.add(p);
            CliFixture.addPool(cli, "pool-" + i, p.uriFor(pools.uri(i)), 100, i + 1);
            direct.add(MongoClients.create(pools.uri(i)));
        }
    }

    /**
     * Runs {@code args} under {@code fault} (a black hole: on {@link #blackHoleCli}) and the wall-clock bound, recording how
     * long it took under "{@code verb} {@code fault}".
     */
    private Cli.Result bounded(Fault fault, String verb, String... args) {
        String label = verb + " " + fault;
        Cli run = fault == Fault.BLACK_HOLE ? blackHoleCli : faultyCli;
        long t0 = System.nanoTime();
        Cli.Result r = assertTimeoutPreemptively(BOUND, () -> run.run(args), () -> label + " ran past " + BOUND);
        io.tenantctl.testing.Sentinels.assertNone(SENTINELS, r.out() + r.err(), "the output of " + label);
        DURATIONS.computeIfAbsent(label, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add((System.nanoTime() - t0) / 1_000_000);
        return r;
    }

    /** Bytes {@code run} moves through {@code proxy} when the network is healthy. */
    private static long measure(FaultProxy proxy, Runnable run) {
        long before = proxy.bytes();
        run.run();
        return proxy.bytes() - before;
    }

    /**
     * A faulty run either completed or failed cleanly: exit 1, each failure one line on stderr naming {@code where}
     * (the pool or the store), no stack trace.
     */
    private static boolean completedOrFailedCleanly(Cli.Result r, String where) {
        assertThat(r.exitCode()).as("0, 1 (orgs failed) or 3 (the store unreachable): " + r).isIn(0, 1, 3);
        assertThat(r.err()).as(r.toString()).doesNotContain("\tat ");
        if (r.exitCode() == 0) {
            return true;
        }
        JsonNode doc = r.out().startsWith("{") ? strictJson(r) : null;
        List<String> failed = doc != null && doc.has("failed")
                ? java.util.stream.StreamSupport.stream(doc.get("failed").spliterator(), false)
                        .map(f -> f.get("pool_id").asText() + ": " + f.get("error").asText()).toList()
                : doc != null ? List.of(doc.path("error").path("message").asText()) // a run the store stopped (exit 3): its one error document
                : r.err().lines().filter(l -> l.startsWith("failed: ") || l.startsWith("error: ")).toList();
        assertThat(failed).as(r.toString()).isNotEmpty();
        failed.forEach(l -> assertThat(l).as(r.toString()).contains(where));
        return false;
    }

    private String status(String orgId) {
        return strictJson(ok(cli, "orgs", "show", orgId, "-o", "json")).get("status").asText();
    }

    private MongoDatabase current(String orgId) {
        JsonNode org = strictJson(ok(cli, "orgs", "show", orgId, "-o", "json"));
        return direct.get(Integer.parseInt(org.get("pool_id").asText().substring(5))).getDatabase(org.get("database_name").asText());
    }

    private void seed(String orgId, int n) {
        List<org.bson.Document> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new org.bson.Document("_id", i).append("text", "note " + i + " " + "x".repeat(200)));
        }
        current(orgId).getCollection("notes").insertMany(batch);
        current(orgId).getCollection("users").insertOne(new org.bson.Document("_id", "u-" + orgId).append("email", orgId + "@example.com"));
    }

    // The fast slice, in the default suite: a connection cut mid-stream on every verb, and the black hole that used to
    // hang provision for ever (the pools' socket read timeout was none). The whole matrix below is @Tag("slow").

    @Test
    void provisionThroughABlackHoleFailsWithinTheTimeoutsThenCompletes(@TempDir Path dir) throws Exception {
        provision(Fault.BLACK_HOLE, dir);
    }

    @Test
    void provisionCutMidStream(@TempDir Path dir) throws Exception {
        provision(Fault.CUT_ONCE, dir);
    }

    @Test
    void migrateAllCutMidStream(@TempDir Path dir) throws Exception {
        migrateAll(Fault.CUT_ONCE, dir);
    }

    @Test
    void backupAndRestoreCutMidStreamOnThePool(@TempDir Path dir) throws Exception {
        backupAndRestoreWithPoolFaults(Fault.CUT_ONCE, dir);
    }

    /** The pool refusing every connection mid-restore used to leave the org `restoring` (its drop of the partial database failed first). */
    @Test
    void backupAndRestoreWhenThePoolGoesAwayLeaveTheOrgActive(@TempDir Path dir) throws Exception {
        backupAndRestoreWithPoolFaults(Fault.GONE, dir);
    }

    @Test
    void backupAndRestoreCutMidStreamOnTheStore(@TempDir Path dir) throws Exception {
        backupAndRestoreWithStoreFaults(Fault.CUT_ONCE, dir);
    }

    @Test
    void rebalanceMoveCutMidStreamOnTheTarget(@TempDir Path dir) throws Exception {
        rebalanceMove(Fault.CUT_ONCE, dir);
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Tag("slow")
    @ParameterizedTest
    @EnumSource(Fault.class)
    void provision(Fault fault, @TempDir Path dir) throws Exception {
        fleet(dir);
        FaultProxy proxy = proxies.get(0);
        long healthy = measure(proxy, () -> ok(cli, "provision", "warm", "--schema", schema.toString(), "--pool", "pool-0"));

        fault.arm(proxy, healthy * 6 / 10);
        Cli.Result r = bounded(fault, "provision", "provision", "a1", "a2", "--schema", schema.toString(), "--pool", "pool-0");
        if (!completedOrFailedCleanly(r, "pool-0")) {
            assertThat(List.of(status("a1"), status("a2"))).as("nothing left provisioning").doesNotContain("provisioning");
        }

        proxy.passThrough();
        ok(cli, "provision", "a1", "a2", "--schema", schema.toString(), "--pool", "pool-0");
        assertThat(List.of(status("a1"), status("a2"))).containsOnly("active");
        CliFixture.assertExactly(catalogUrl, schema, List.of("warm", "a1", "a2"));
    }

    @Tag("slow")
    @ParameterizedTest
    @EnumSource(Fault.class)
    void migrateAll(Fault fault, @TempDir Path dir) throws Exception {
        fleet(dir);
        FaultProxy proxy = proxies.get(0);
        ok(cli, "provision", "m1", "m2", "m3", "--schema", schema.toString(), "--pool", "pool-0");
        Path next = dir.resolve("next.json");
        Files.writeString(next, CliFixture.SMALL_SCHEMA.replace("""
                {"name": "messages", "indexes": [""", """
                {"name": "files", "indexes": [{"name": "file_id_1", "key": {"file_id": 1}, "unique": true}]},
                {"name": "messages", "indexes": [{"name": "user_1", "key": {"user": 1}},"""));
        Path warm = dir.resolve("warm.json");
        Files.writeString(warm, CliFixture.SMALL_SCHEMA.replace("""
                {"name": "messages", "indexes": [""", """
                {"name": "prompts", "indexes": [{"name": "prompt_id_1", "key": {"prompt_id": 1}, "unique": true}]},
                {"name": "messages", "indexes": [{"name": "user_1", "key": {"user": 1}},"""));
        long healthy = measure(proxy, () -> ok(cli, "migrate-all", "--schema", warm.toString(), "--org", "m1"));

        fault.arm(proxy, healthy * 6 / 10);
        Cli.Result r = bounded(fault, "migrate-all", "migrate-all", "--schema", next.toString());
        completedOrFailedCleanly(r, "pool-0");

        proxy.passThrough();
        ok(cli, "migrate-all", "--schema", next.toString());
        assertThat(List.of(status("m1"), status("m2"), status("m3"))).containsOnly("active");
        // m1 also keeps warm.json's prompts index (extras are never dropped without --prune): check m2, m3 exactly
        CliFixture.assertExactly(catalogUrl, next, List.of("m2", "m3"));
        CliFixture.assertClean(catalogUrl, next, List.of("m1"));
    }

    @Tag("slow")
    @ParameterizedTest
    @EnumSource(Fault.class)
    void backupAndRestoreWithPoolFaults(Fault fault, @TempDir Path dir) throws Exception {
        backupAndRestore(fault, dir, () -> proxies.get(0), "pool-0");
    }

    @Tag("slow")
    @ParameterizedTest
    @EnumSource(Fault.class)
    void backupAndRestoreWithStoreFaults(Fault fault, @TempDir Path dir) throws Exception {
        backupAndRestore(fault, dir, () -> storeProxy, "s3://");
    }

    private void backupAndRestore(Fault fault, Path dir, Supplier<FaultProxy> faulty, String where) throws Exception {
        fleet(dir);
        FaultProxy proxy = faulty.get();
        ok(cli, "provision", "warm", "b1", "--schema", schema.toString(), "--pool", "pool-0");
        seed("warm", 2_000);
        seed("b1", 2_000);
        Map<String, List<RawBsonDocument>> source = BackupFixture.contents(current("b1"));
        long healthy = measure(proxy, () -> ok(cli, "backup", "--org", "warm"));

        // backup under the fault
        fault.arm(proxy, healthy * 6 / 10);
        Cli.Result r = bounded(fault, "backup(" + where + ")", "backup", "--org", "b1", "-o", "json");
        boolean done = completedOrFailedCleanly(r, where);
        assertThat(status("b1")).isEqualTo("active");
        proxy.passThrough();
        if (!done) {
            ok(cli, "backup", "--org", "b1");
        }

        // restore under the fault (into a fresh database; the pointer flips only once counts verify)
        long restoreHealthy = measure(proxy, () -> ok(cli, "restore", "--org", "warm"));
        fault.arm(proxy, restoreHealthy * 6 / 10);
        r = bounded(fault, "restore(" + where + ")", "restore", "--org", "b1");
        done = completedOrFailedCleanly(r, where);
        assertThat(status("b1")).as("no org left restoring").isEqualTo("active");
        assertThat(BackupFixture.contents(current("b1"))).as("b1 after a %s restore", done ? "completed" : "failed").isEqualTo(source);
        proxy.passThrough();
        if (!done) {
            ok(cli, "restore", "--org", "b1");
        }
        assertThat(BackupFixture.contents(current("b1"))).as("the restored org equals its source").isEqualTo(source);
        assertThat(status("b1")).isEqualTo("active");
        CliFixture.assertClean(catalogUrl, schema, List.of("b1"));
    }

    @Tag("slow")
    @ParameterizedTest
    @EnumSource(Fault.class)
    void rebalanceMove(Fault fault, @TempDir Path dir) throws Exception {
        fleet(dir);
        FaultProxy target = proxies.get(1);
        ok(cli, "provision", "warm", "r1", "--schema", schema.toString(), "--pool", "pool-0");
        seed("warm", 2_000);
        seed("r1", 2_000);
        Fingerprint before = Fingerprints.of(current("r1"));
        long healthy = measure(target, () -> ok(cli, "rebalance", "move", "warm", "--to", "pool-1", "--freeze-grace", "0s"));

        fault.arm(target, healthy * 6 / 10);
        Cli.Result r = bounded(fault, "rebalance move", "rebalance", "move", "r1", "--to", "pool-1", "--freeze-grace", "0s");
        boolean done = completedOrFailedCleanly(r, "pool-1");
        assertThat(status("r1")).as("no org left moving or read_only").isEqualTo("active");
        assertThat(Fingerprints.of(current("r1"))).as("the database the pointer names is whole").isEqualTo(before);
        target.passThrough();
        if (!done) {
            ok(cli, "rebalance", "move", "r1", "--to", "pool-1", "--freeze-grace", "0s");
        }
        JsonNode org = strictJson(ok(cli, "orgs", "show", "r1", "-o", "json"));
        assertThat(org.get("pool_id").asText()).isEqualTo("pool-1");
        assertThat(org.get("status").asText()).isEqualTo("active");
        assertThat(Fingerprints.of(current("r1"))).as("the target is a complete copy").isEqualTo(before);
    }
}
