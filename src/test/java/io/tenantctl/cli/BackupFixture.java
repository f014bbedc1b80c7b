package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet for backup and restore tests: an initialised catalog, {@code n} in-process pools (pool-0, pool-1, ...), a file
 * store in a temp dir, a CLI pointed at both, and direct clients on the pools to seed and compare data.
 */
final class BackupFixture implements AutoCloseable {

    final TestPools pools;
    final String catalogUrl;
    final Path storeDir;
    final Cli cli;
    final Path schema;
    private final Map<String, String> env;
    private final List<MongoClient> clients = new ArrayList<>();
    private java.sql.Connection sql;

    BackupFixture(int n, Path dir) {
        this(n, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()));
    }

    BackupFixture(int n, Path dir, Map<String, String> storeEnv) {
        this(n, dir, storeEnv, 100);
    }

    /** As above, each pool registered with room for {@code capacity} orgs. */
    BackupFixture(int n, Path dir, Map<String, String> storeEnv, int capacity) {
        pools = new TestPools(n);
        catalogUrl = CliFixture.initialisedCatalog();
        storeDir = dir.resolve("store");
        env = new HashMap<>(storeEnv);
        env.put("TENANTCTL_CATALOG_URL", catalogUrl);
        env.put("USER", "test");
        cli = new Cli(env);
        schema = CliFixture.smallSchema(dir);
        for (int i = 0; i < n; i++) {
            CliFixture.addPool(cli, "pool-" + i, pools.uri(i), capacity, i + 1);
            clients.add(MongoClients.create(pools.uri(i)));
        }
    }

    /** Another CLI on this fleet (the same catalog, store and user as {@link #cli}), e.g. one whose pools a test decorates. */
    Cli newCli() {
        return new Cli(env);
    }

    /** Provisions orgs (on pool-0 unless a pool is given) with the small schema. */
    void provisionTier(String tier, String pool, String... orgs) {
        List<String> args = new ArrayList<>(List.of("provision", "--schema", schema.toString(), "--tier", tier, "--pool", pool));
        args.addAll(List.of(orgs));
        ok(cli, args.toArray(String[]::new));
    }

    void provision(String... orgs) {
        provisionTier("free", "pool-0", orgs);
    }

    JsonNode org(String orgId) {
        return strictJson(ok(cli, "orgs", "show", orgId, "-o", "json"));
    }

    /** Inserts {@code n} notes {_id: i, text: "note i"} into the org's {@code collection} (more than 1,000: two insert batches). */
    void notes(String orgId, String collection, int n) {
        List<org.bson.Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new org.bson.Document("_id", i).append("text", "note " + i));
        }
        db(orgId).getCollection(collection).insertMany(docs);
    }

    /**
     * The org's database, as the catalog points at it now (its row's pool and database, what {@code orgs show} prints),
     * read on the test's catalog session: tests look it up ~1,300 times a suite, each a command run otherwise.
     */
    MongoDatabase db(String orgId) {
        java.sql.Connection c = TestCatalog.session(catalogUrl);
        synchronized (c) {
            try (java.sql.PreparedStatement st = c.prepareStatement("select pool_id, database_name from orgs where org_id = ?")) {
                st.setString(1, orgId);
                try (java.sql.ResultSet rs = st.executeQuery()) {
                    assertThat(rs.next()).as("org %s in the catalog", orgId).isTrue();
                    return database(rs.getString(1), rs.getString(2));
                }
            } catch (java.sql.SQLException e) {
                throw new AssertionError("org " + orgId + " could not be looked up", e);
            }
        }
    }

    MongoDatabase database(String poolId, String name) {
        return clients.get(Integer.parseInt(poolId.substring("pool-".length()))).getDatabase(name);
    }

    /**
     * {@code orgId} with five notes, deleted 40 days ago and handed over by a purge whose drop of its database failed (as
     * a purge killed between the two leaves it): the database left on pool-0 for the next purge, verify and gc.
     */
    void handedOverByAPurgeThatDidNotDrop(String orgId) {
        provision(orgId);
        notes(orgId, "notes", 5);
        ok(cli, "orgs", "delete", orgId);
        TestCatalog.execute(catalogUrl, "update orgs set deleted_at = now() - interval '40 days' where org_id = '" + orgId + "'");
        Cli dropFails = newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_" + orgId)
                ? HookedPools.failing(db, "drop", 1, "pool hiccup (test)") : db));
        assertThat(dropFails.run("orgs", "purge").exitCode()).isEqualTo(1);
        assertThat(databaseNames("pool-0")).contains("org_" + orgId);
    }

    List<String> databaseNames(String poolId) {
        return clients.get(Integer.parseInt(poolId.substring("pool-".length()))).listDatabaseNames().into(new ArrayList<>());
    }

    /** {@link #seedNotes} of {@code n} notes in each org; returns each org's documents as they are now, by org id. */
    Map<String, Map<String, List<RawBsonDocument>>> seedNotesOf(List<String> orgIds, int n) {
        Map<String, Map<String, List<RawBsonDocument>>> contents = new java.util.TreeMap<>();
        for (String o : orgIds) {
            seedNotes(o, n);
            contents.put(o, contents(db(o)));
        }
        return contents;
    }

    /** {@code n} notes of ~200 characters each (ids 0…n-1) in the org's notes collection, inserted 1,000 at a time. */
    void seedNotes(String orgId, int n) {
        com.mongodb.client.MongoCollection<org.bson.Document> notes = db(orgId).getCollection("notes");
        List<org.bson.Document> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new org.bson.Document("_id", i).append("text", "note " + i + " " + "x".repeat(200)));
            if (batch.size() == 1000) {
                notes.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            notes.insertMany(batch);
        }
    }

    /**
     * A CLI on this fleet whose first {@code create} of a collection in a database {@code database} accepts (a restore's
     * fresh database, say) waits there until {@link HeldAtCreate#release()}d, or 60 s; only that one create waits.
     */
    HeldAtCreate holdFirstCreate(Predicate<String> database) {
        return holdCreate(database, 1);
    }

    /** As {@link #holdFirstCreate}, the {@code n}th such create waiting (a restore's second collection: its database exists). */
    HeldAtCreate holdCreate(Predicate<String> database, int n) {
        Pause pause = Pause.at(n);
        Cli held = newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "create") && database.test(db)) {
                pause.call();
            }
        }));
        return new HeldAtCreate(held, pause);
    }

    /** See {@link #holdFirstCreate}: {@code cli} runs the command to hold. */
    record HeldAtCreate(Cli cli, Pause pause) {

        /** Whether the command got to the create (and waits there) within 60 s. */
        boolean awaitReached() throws InterruptedException {
            return pause.awaitPaused();
        }

        /** Lets the held create, and the command, go on. */
        void release() {
            pause.wake();
        }
    }

    /**
     * A second worker (user "worker") joining backup run {@code runId}, stalled as if its process were stopped: once, as it
     * starts reading org_{@code orgId}'s collections (a --freeze run has frozen the org by then).
     */
    StalledWorker joinStalledAtCopy(String runId, String orgId) {
        Pause pause = Pause.at(1);
        Cli worker = new Cli(Map.of("TENANTCTL_CATALOG_URL", catalogUrl, "TENANTCTL_STORE", storeDir.toUri().toString(),
                "USER", "worker")).decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_" + orgId) ? db
                : HookedPools.beforeEach(db, "listCollectionNames", pause::call)));
        return new StalledWorker(worker.start("backup", "--join", runId, "-o", "json"), pause);
    }

    /** See {@link #joinStalledAtCopy}: {@code result} is the worker's, once woken. */
    record StalledWorker(java.util.concurrent.CompletableFuture<Cli.Result> result, Pause pause) {

        /** Whether the worker got to the org's copy (and stalls there) within 60 s. */
        boolean awaitReached() throws InterruptedException {
            return pause.awaitPaused();
        }

        /** kill -CONT. */
        void wakeUp() {
            pause.wake();
        }
    }

    /**
     * {@code orgId}'s lease held for {@code operation} by this very process (its pid is alive), as a live command on this
     * host — a move, a provision — holds it for five minutes.
     */
    void heldBy(String orgId, String operation) {
        io.tenantctl.ops.run.Worker me = io.tenantctl.ops.run.Worker.current("test");
        long pid = ProcessHandle.current().pid();
        TestCatalog.execute(catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, "
                + "lease_until) values ('" + orgId + "', '" + me.host() + "/" + pid + "/" + (operation.equals("move") ? "mover" : operation)
                + "', '" + me.host() + "', " + pid + ", '" + operation + "', null, now() + interval '5 minutes')");
    }

    /**
     * {@code orgId} as a move killed in its freeze leaves it: read_only, move m-1 into pool-1 recorded {@code frozen}, its org
     * lease held by a process of this host that is gone.
     */
    void frozenByADeadMove(String orgId) throws Exception {
        TestCatalog.execute(catalogUrl, "update orgs set status = 'read_only' where org_id = '" + orgId + "'");
        TestCatalog.execute(catalogUrl, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, "
                + "to_database, state, prior_status) values ('m-1', '" + orgId + "', 'pool-0', 'org_" + orgId + "', 'pool-1', 'org_"
                + orgId + "__m1', 'frozen', 'active')");
        String host = io.tenantctl.ops.run.Worker.current("test").host();
        String pid = String.valueOf(CliFixture.deadPid());
        TestCatalog.execute(catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, "
                + "lease_until) values ('" + orgId + "', '" + host + "/" + pid + "/dead', '" + host + "', " + pid
                + ", 'move', null, now() + interval '5 minutes')");
    }

    /** The id of {@code orgId}'s {@code backup_stale} finding, as verify (exit 4) reports it. */
    String staleFinding(String orgId) {
        Cli.Result r = cli.run("verify", "--org", orgId, "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        for (com.fasterxml.jackson.databind.JsonNode x : strictJson(r).get("findings")) {
            if (x.get("kind").asText().equals("backup_stale")) {
                return x.get("finding_id").asText();
            }
        }
        throw new AssertionError("no backup_stale: " + r);
    }

    /** A command refused on {@code orgId} because {@code operation} holds it: exit 3, the holder named and --wait offered. */
    static void refusedAsBusy(Cli.Result r, String orgId, String operation) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString())
                .contains("org " + orgId + " is busy: " + operation + " by").contains("--wait");
    }

    /** A delete at work on an org: the org frozen for it (read_only, was active), its lease held by the delete. */
    void deleteAtWork(String orgId) {
        TestCatalog.execute(catalogUrl, "update orgs set status = 'read_only', status_before_delete = 'active', "
                + "version = version + 1 where org_id = '" + orgId + "'");
        heldBy(orgId, "delete");
    }

    /**
     * Runs {@code args} (a command given --wait) against an org {@link #deleteAtWork}: once it says it is waiting, the delete
     * ends as a delete does — the org marked deleting (its database kept), its lease let go — and the command's result is
     * returned.
     */
    Cli.Result waitingOutTheDelete(String orgId, String... args) throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Cli.Result> run = cli.start(new CancelToken(), text -> {
            if (text.contains("waiting (--wait)")) {
                waiting.countDown();
            }
        }, args);
        assertThat(waiting.await(60, TimeUnit.SECONDS)).as("%s waits for the delete", List.of(args)).isTrue();
        TestCatalog.execute(catalogUrl, "update orgs set status = 'deleting', deleted_at = now(), "
                + "version = version + 1 where org_id = '" + orgId + "'");
        TestCatalog.execute(catalogUrl, "delete from org_leases where org_id = '" + orgId + "'");
        return run.get(60, TimeUnit.SECONDS);
    }

    /**
     * A CLI whose catalog was lost: a fresh one, initialised, that knows only pool-0 (this fleet's first pool), the pools and
     * store in {@code env} as they were — what {@code orgs adopt} starts from.
     */
    Cli onALostCatalog(Map<String, String> env) {
        Map<String, String> fresh = new HashMap<>(env);
        fresh.put("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase());
        fresh.put("USER", "test");
        Cli lost = new Cli(fresh);
        ok(lost, "init");
        CliFixture.addPool(lost, "pool-0", pools.uri(0), 100, 1);
        return lost;
    }

    /** Backs one org up; returns the backup id. */
    String backup(String orgId, String... extra) {
        List<String> args = new ArrayList<>(List.of("backup", "--org", orgId, "-o", "json"));
        args.addAll(List.of(extra));
        JsonNode r = strictJson(ok(cli, args.toArray(String[]::new)));
        assertThat(r.get("backed_up").asInt()).as(r.toPrettyString()).isEqualTo(1);
        return r.get("orgs").get(0).get("backup_id").asText();
    }

    /** Backs one org up {@code times} times, one after the other; returns the backup ids, oldest first. */
    List<String> backups(String orgId, int times) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            ids.add(backup(orgId));
        }
        return ids;
    }

    /** The end state of every test here: each org has the whole schema it was provisioned with (extras allowed). */
    void assertClean(String... orgs) {
        CliFixture.assertClean(catalogUrl, schema, List.of(orgs));
    }

    /**
     * The end state of a restore, or of anything that must leave an org alone: the org, as the catalog points at it now,
     * is active, has its whole schema and holds exactly {@code documents} (see {@link #contents}), every byte the same.
     */
    void assertHolds(String orgId, Map<String, List<RawBsonDocument>> documents) {
        assertThat(org(orgId).get("status").asText()).as(orgId).isEqualTo("active");
        assertClean(orgId);
        assertThat(contents(db(orgId))).as("%s's documents", orgId).isEqualTo(documents);
    }

    /** Every collection's documents in _id order, as raw BSON. */
    static Map<String, List<RawBsonDocument>> contents(MongoDatabase db) {
        Map<String, List<RawBsonDocument>> out = new TreeMap<>();
        for (String name : db.listCollectionNames()) {
            out.put(name, db.getCollection(name, RawBsonDocument.class).find().sort(new BsonDocument("_id", new org.bson.BsonInt32(1)))
                    .into(new ArrayList<>()));
        }
        return out;
    }

    /** Every collection's indexes as listIndexes returns them, without the namespace field. */
    static Map<String, List<BsonDocument>> indexes(MongoDatabase db) {
        Map<String, List<BsonDocument>> out = new TreeMap<>();
        for (String name : db.listCollectionNames()) {
            List<BsonDocument> idx = new ArrayList<>();
            for (BsonDocument d : db.getCollection(name).listIndexes(BsonDocument.class)) {
                d.remove("ns");
                idx.add(d);
            }
            idx.sort((a, b) -> a.getString("name").getValue().compareTo(b.getString("name").getValue()));
            out.put(name, idx);
        }
        return out;
    }

    /** Flips one bit in the middle of backup {@code backupId}'s file of {@code collection}, as a bucket that lost a bit. */
    void flipABit(String orgId, String backupId, String collection) throws java.io.IOException {
        Path file = files(orgId, backupId).entrySet().stream().filter(e -> e.getKey().startsWith(collection + "."))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x55;
        java.nio.file.Files.write(file, bytes);
    }

    /** Removes backup {@code backupId} of {@code orgId} from the store, every file of it; the catalog still lists it. */
    void removeFromStore(String orgId, String backupId) throws java.io.IOException {
        io.tenantctl.testing.Trees.delete(storeDir.resolve(orgId).resolve(backupId));
    }

    /** The backup's files in the store dir. */
    Map<String, Path> files(String orgId, String backupId) throws java.io.IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        try (var s = java.nio.file.Files.list(storeDir.resolve(orgId).resolve(backupId))) {
            s.sorted().forEach(p -> out.put(p.getFileName().toString(), p));
        }
        return out;
    }

    /**
     * Copies the folder of {@code orgId}'s backup {@code id} by hand, under a newer name: 20991231T235959Z-zzzzzz, a backup
     * in the store that no catalog row records and whose files still name {@code id}.
     */
    void copyBackupByHand(String orgId, String id) throws java.io.IOException {
        Path copy = storeDir.resolve(orgId).resolve("20991231T235959Z-zzzzzz");
        java.nio.file.Files.createDirectories(copy);
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(storeDir.resolve(orgId).resolve(id))) {
            for (Path file : files.toList()) {
                java.nio.file.Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
    }

    /** What a minute without their holders' heartbeats does to the org leases: all run out. Returns how many there were. */
    int expireLeases() {
        return updated("update org_leases set lease_until = now() - interval '1 second'");
    }

    /** As {@link #expireLeases}, for the claims of the run items being worked on (a mover's, a worker's). */
    int expireItemClaims() {
        return updated("update run_items set lease_until = now() - interval '1 second' where status = 'running'");
    }

    private int updated(String statement) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(catalogUrl); java.sql.Statement s = c.createStatement()) {
            return s.executeUpdate(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    /**
     * One connection to the catalog, opened on first use and closed with the fixture, for tests that read or set it by
     * SQL many times: a new connection each time costs the catalog a backend start (~20 ms here, on the test's cores).
     */
    /**
     * The catalog's orgs, org leases, runs and retired databases, each row as JSON text, sorted: what a dry run must leave
     * as it found it.
     */
    List<String> catalogRows() throws java.sql.SQLException {
        List<String> rows = new ArrayList<>();
        try (var s = sql().createStatement(); var rs = s.executeQuery("select row_to_json(o)::text from orgs o union all "
                + "select row_to_json(l)::text from org_leases l union all select row_to_json(r)::text from runs r union all "
                + "select row_to_json(d)::text from retired_databases d")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        rows.sort(null);
        return rows;
    }

    java.sql.Connection sql() throws java.sql.SQLException {
        if (sql == null) {
            sql = java.sql.DriverManager.getConnection(catalogUrl);
        }
        return sql;
    }

    @Override
    public void close() {
        if (sql != null) {
            try {
                sql.close();
            } catch (java.sql.SQLException e) {
                // a connection that will not close is no reason to fail the test
            }
        }
        clients.forEach(MongoClient::close);
        pools.close();
    }
}
