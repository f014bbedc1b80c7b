package io.tenantctl.ops;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.pool.FerretErrors;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.bson.Document;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A catalog and N stand-in pools ("p1", "p2", …) with orgs that hold real documents and indexes, for rebalance tests
 * that end by reading both pools back: where the pointer is, what each database holds, and the moves table.
 */
final class RebalanceFixture implements AutoCloseable {

    final String url = TestCatalog.initialisedDatabase();
    final TestPools pools;
    final Catalog catalog;
    final PoolClients clients = new PoolClients(Map.of());
    final OpsContext ctx;
    private final List<MongoClient> direct = new ArrayList<>();

    RebalanceFixture(int... capacities) {
        pools = new TestPools(capacities.length);
        catalog = Catalog.connect(url);
        for (int i = 0; i < capacities.length; i++) {
            new Pools(catalog).add("p" + (i + 1), pools.uri(i), capacities[i], i + 1, false, false);
        }
        ctx = new OpsContext(catalog, clients, new Retry(4, 1, 5, ms -> { }, () -> 0.5, FerretErrors::isRetryable), "rebalance-test");
    }

    /** An active org on pool {@code pool} (1-based) with {@code docs} notes, a users collection and unique/compound indexes. */
    void org(String orgId, int pool, int docs) {
        MongoDatabase db = db(pool, "org_" + orgId.replace('-', '_'));
        db.createCollection("users");
        db.getCollection("users").createIndex(new Document("email", 1), new com.mongodb.client.model.IndexOptions().unique(true).name("email_1"));
        db.createCollection("notes");
        db.getCollection("notes").createIndex(new Document("owner", 1).append("at", -1), new com.mongodb.client.model.IndexOptions().name("owner_1_at_-1"));
        db.getCollection("users").insertOne(new Document("_id", "u-" + orgId).append("email", orgId + "@example.com"));
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < docs; i++) {
            batch.add(new Document("_id", i).append("owner", "u-" + orgId).append("at", (long) i).append("text", "note " + i + " of " + orgId)
                    .append("tags", List.of("a", "b")).append("meta", new Document("n", i * 1.5)));
            if (batch.size() == 1000) {
                db.getCollection("notes").insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            db.getCollection("notes").insertMany(batch);
        }
        catalog.orgs().adopt(orgId, "p" + pool, db.getName(), "free", null);
    }

    /** A database on pool {@code pool} (1-based), through a client of the test's own. */
    MongoDatabase db(int pool, String name) {
        MongoClient c = MongoClients.create(pools.uri(pool - 1));
        direct.add(c);
        return c.getDatabase(name);
    }

    MongoDatabase db(String poolId, String name) {
        return db(Integer.parseInt(poolId.substring(1)), name);
    }

    /** The database the org's pointer names, read from its pool. */
    MongoDatabase current(String orgId) {
        Org o = catalog.orgs().get(orgId);
        return db(o.poolId(), o.databaseName());
    }

    Fingerprint fingerprint(MongoDatabase db) {
        return LastingFingerprint.every(db);
    }

    boolean exists(int pool, String database) {
        return pools.databaseNames(pool - 1).contains(database);
    }

    Rebalance.Result move(Rebalance rebalance, String orgId, String toPool) {
        return move(rebalance, orgId, toPool, Duration.ofSeconds(30), false);
    }

    Rebalance.Result move(Rebalance rebalance, String orgId, String toPool, Duration maxFreeze, boolean force) {
        Rebalance.PlannedMove one = rebalance.planOne(orgId, toPool);
        return rebalance.apply(request(List.of(one), maxFreeze, force));
    }

    static Rebalance.ApplyRequest request(List<Rebalance.PlannedMove> moves, Duration maxFreeze, boolean force) {
        return new Rebalance.ApplyRequest(moves, null, new Rebalance.Limits(maxFreeze, Duration.ZERO, force), false,
                new RunEngine.Drive(new RunEngine.Settings(1, 4, 0, false, 0), RunControl.START, new CancelToken(), Progress.NONE));
    }

    /** Applies {@code plan} (5 min max freeze, no --force) with {@code rebalance} on a daemon thread: what it returns or throws. */
    static java.util.concurrent.CompletableFuture<Rebalance.Result> applyOnAThread(Rebalance rebalance, Rebalance.PlannedMove plan) {
        java.util.concurrent.CompletableFuture<Rebalance.Result> out = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                out.complete(rebalance.apply(request(List.of(plan), Duration.ofMinutes(5), false)));
            } catch (Throwable e) {
                out.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return out;
    }

    MoveRepository.Move onlyMove(String orgId) {
        List<MoveRepository.Move> moves = catalog.moves().list(orgId, 10);
        assertThat(moves).as("moves of " + orgId).hasSize(1);
        return moves.get(0);
    }

    /** Whether the routing view (what applications read) says the org may be written to. */
    boolean writable(String orgId) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select writable from routing where org_id = '" + orgId + "'")) {
            assertThat(rs.next()).as("routing row of " + orgId).isTrue();
            return rs.getBoolean(1);
        }
    }

    @Override
    public void close() {
        direct.forEach(MongoClient::close);
        clients.close();
        catalog.close();
        pools.close();
    }
}
