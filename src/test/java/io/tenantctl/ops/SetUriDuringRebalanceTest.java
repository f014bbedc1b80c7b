package io.tenantctl.ops;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a pool's client is cached per pool id for the life of the process (PoolClients keys on the id and
 * ignores the URI it is handed afterwards). A rebalance run in flight when the operator re-points a pool with
 * {@code pools set-uri} (its FerretDB moved to a new host, the data copied over) keeps copying into the OLD server for
 * every later move, then flips each org's pointer to that pool — whose URI now names the new server, where the org's
 * database does not exist. Applications read the routing view and find the tenant empty; the data is on a host nobody
 * points at, and its retained source is dropped by the next 'rebalance gc'. The Mover reads the pool (and its URI) from
 * the catalog before every move; the client it gets must be for that URI.
 */
class SetUriDuringRebalanceTest {

    @Test
    void aMoveStartedAfterItsTargetPoolWasRepointedCopiesToTheServerThePoolNowNames() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10); TestPools newHost = new TestPools(1)) {
            f.org("acme", 1, 300);
            f.org("beta", 1, 300);
            java.util.Map<String, Long> notes = java.util.Map.of("acme", f.current("acme").getCollection("notes").countDocuments(),
                    "beta", f.current("beta").getCollection("notes").countDocuments());
            AtomicBoolean once = new AtomicBoolean();
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.RETAINED && once.compareAndSet(false, true)) {
                    // between the run's two moves: p2's server is migrated to a new host and the pool re-pointed
                    copyServer(f.pools.uri(1), newHost.uri(0));
                    new Pools(f.catalog).setUri("p2", newHost.uri(0), false, false);
                }
            });
            List<Rebalance.PlannedMove> plan = List.of(rebalance.planOne("acme", "p2"), rebalance.planOne("beta", "p2"));
            Rebalance.Result r = rebalance.apply(RebalanceFixture.request(plan, Duration.ofMinutes(5), false));
            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(2);

            for (String orgId : List.of("acme", "beta")) {
                Org org = f.catalog.orgs().get(orgId);
                assertThat(org.poolId()).isEqualTo("p2");
                // what an application reads: the pool's URI as the catalog has it now, and the org's database there
                try (MongoClient c = MongoClients.create(f.catalog.pools().get("p2").uri())) {
                    MongoDatabase db = c.getDatabase(org.databaseName());
                    assertThat(db.getCollection("notes").countDocuments())
                            .as("%s's notes in %s on the server pool p2 names now", orgId, org.databaseName())
                            .isEqualTo(notes.get(orgId));
                }
            }
        }
    }

    /** Every org database of one server copied, document by document, onto another (the host migration). */
    private static void copyServer(String from, String to) {
        try (MongoClient a = MongoClients.create(from); MongoClient b = MongoClients.create(to)) {
            for (String name : a.listDatabaseNames().into(new ArrayList<>())) {
                if (!name.startsWith("org_")) {
                    continue;
                }
                for (String coll : a.getDatabase(name).listCollectionNames().into(new ArrayList<>())) {
                    List<Document> docs = a.getDatabase(name).getCollection(coll).find().into(new ArrayList<>());
                    b.getDatabase(name).createCollection(coll);
                    if (!docs.isEmpty()) {
                        b.getDatabase(name).getCollection(coll).insertMany(docs);
                    }
                }
            }
        }
    }
}
