package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.catalog.Org;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a move's first copy runs while the org is live, and the catch-up after the freeze is meant to
 * bring the target to the source as it is at the freeze. It does so for documents and for collections created or
 * dropped meanwhile, but not for indexes: {@code createLike} copies a collection's indexes once, when the first copy
 * creates it, and the catch-up never looks at them again. An index the application creates (mongoose's autoIndex on
 * a deploy) or drops while the org is being pre-copied makes verification fail ("index … is missing on the target" /
 * "is on the target only") and the whole move is aborted and rolled back — for a difference the frozen catch-up could
 * have settled in milliseconds. The move should end with the target holding the source's indexes as they are at the
 * freeze.
 */
@Timeout(120)
class IndexChangedDuringPreCopyTest {

    @Test
    void anIndexCreatedOnTheSourceDuringThePreCopyIsOnTheTargetAtTheFlip() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_500);
            MongoDatabase source = f.db(1, "org_acme");
            // notes is copied, users not yet: the application's deploy ensures a new index on notes
            Rebalance rebalance = new Rebalance(whenTargetCreates(f, "users",
                    () -> source.getCollection("notes").createIndex(new Document("text", 1), new IndexOptions().name("text_1"))));

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(1);
            Org org = f.catalog.orgs().get("acme");
            assertThat(org.poolId()).isEqualTo("p2");
            assertThat(indexes(f.current("acme"))).as("the target's indexes are the source's at the freeze").isEqualTo(indexes(source));
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(f.fingerprint(source));
        }
    }

    @Test
    void anIndexDroppedOnTheSourceDuringThePreCopyIsNotOnTheTargetAtTheFlip() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_500);
            MongoDatabase source = f.db(1, "org_acme");
            Rebalance rebalance = new Rebalance(whenTargetCreates(f, "users",
                    () -> source.getCollection("notes").dropIndex("owner_1_at_-1")));

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(1);
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(indexes(f.current("acme"))).as("the target's indexes are the source's at the freeze").isEqualTo(indexes(source));
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(f.fingerprint(source));
        }
    }

    /** The fixture's pools, except that {@code duringPreCopy} runs once, as the move creates {@code collection} on the target. */
    private static OpsContext whenTargetCreates(RebalanceFixture f, String collection, Runnable duringPreCopy) {
        AtomicBoolean once = new AtomicBoolean();
        return new OpsContext(f.catalog, HookedPools.onCommand(f.clients, (db, cmd) -> {
            if (HookedPools.is(cmd, "create") && collection.equals(cmd.getString("create")) && once.compareAndSet(false, true)) {
                duringPreCopy.run();
            }
        }), f.ctx.retry(), "rebalance-test");
    }

    /** Each collection's index definitions (without ns and v), by name. */
    private static Map<String, List<Document>> indexes(MongoDatabase db) {
        Map<String, List<Document>> out = new TreeMap<>();
        for (String c : db.listCollectionNames()) {
            List<Document> list = new ArrayList<>();
            for (Document i : db.getCollection(c).listIndexes()) {
                i.remove("ns");
                i.remove("v");
                list.add(i);
            }
            list.sort(Comparator.comparing(d -> d.getString("name")));
            out.put(c, list);
        }
        return out;
    }
}
