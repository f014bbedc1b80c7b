package io.tenantctl.ops;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.FerretErrors;
import io.tenantctl.pool.Retry;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A read that goes on after a dropped connection from the last _id it read must neither read a document twice nor pass
 * one over, wherever the connection drops — also where the next _id is of another type, which {@code $gt} alone never
 * matches (the server compares an _id only with those of its own type bracket).
 */
class ResumedReadTest {

    @Test
    void aReadCutAfterAnyDocumentGoesOnWithExactlyTheRestInIdOrder() {
        try (TestPools pools = new TestPools(1); MongoClient client = MongoClients.create(pools.uri(0))) {
            MongoDatabase db = client.getDatabase("org_acme");
            List<Object> ids = new ArrayList<>(List.of(-3, 7L, 2.5, "a", "b", new Document("k", 1), new Binary(new byte[]{1}),
                    new ObjectId(), true, new Date(0)));
            ids.add(null);
            for (Object id : ids) {
                db.getCollection("notes").insertOne(new Document("_id", id).append("v", String.valueOf(id)));
            }
            List<BsonValue> all = ids(db.getCollection("notes", RawBsonDocument.class).find().sort(new Document("_id", 1)).into(new ArrayList<>()));
            assertThat(all).hasSize(ids.size());

            for (int cut = 0; cut <= all.size(); cut++) {
                AtomicBoolean dropped = new AtomicBoolean();
                int at = cut;
                MongoCollection<RawBsonDocument> notes = HookedPools.aroundCollectionCall(db, "find", (collection, args, find) ->
                        HookedPools.dropsItsCursor(find.get(), at, p -> dropped.compareAndSet(false, true))).getCollection("notes", RawBsonDocument.class);
                List<RawBsonDocument> read = new ArrayList<>();
                BsonValue last = ResumedRead.read(notes, null, null, null, 0, retry(), new Retry.Attempts(), read::add);

                assertThat(ids(read)).as("cut after %d documents", cut).isEqualTo(all);
                assertThat(last).isEqualTo(all.get(all.size() - 1));
            }
        }
    }

    @Test
    void pagesOfALimitEachGoOnAfterTheLastIdOfThePageBefore() {
        try (TestPools pools = new TestPools(1); MongoClient client = MongoClients.create(pools.uri(0))) {
            MongoDatabase db = client.getDatabase("org_acme");
            for (Object id : List.of(1, 2, "x", "y", new ObjectId())) {
                db.getCollection("notes").insertOne(new Document("_id", id));
            }
            AtomicBoolean dropped = new AtomicBoolean();
            MongoCollection<RawBsonDocument> notes = HookedPools.aroundCollectionCall(db, "find", (collection, args, find) ->
                    HookedPools.dropsItsCursor(find.get(), 1, p -> dropped.compareAndSet(false, true))).getCollection("notes", RawBsonDocument.class);
            List<List<BsonValue>> pages = new ArrayList<>();
            BsonValue last = null;
            for (List<RawBsonDocument> page = new ArrayList<>(); ; page = new ArrayList<>()) {
                last = ResumedRead.read(notes, null, null, last, 2, retry(), new Retry.Attempts(), page::add);
                pages.add(ids(page));
                if (page.size() < 2) {
                    break;
                }
            }
            assertThat(dropped).isTrue();
            assertThat(pages.stream().map(List::size).toList()).isEqualTo(List.of(2, 2, 1));
            assertThat(pages.stream().flatMap(List::stream).toList())
                    .isEqualTo(ids(db.getCollection("notes", RawBsonDocument.class).find().sort(new Document("_id", 1)).into(new ArrayList<>())));
        }
    }

    private static Retry retry() {
        return new Retry(6, 1, 5, ms -> { }, () -> 0.5, FerretErrors::isRetryable);
    }

    private static List<BsonValue> ids(List<RawBsonDocument> docs) {
        return docs.stream().map(d -> d.get("_id")).toList();
    }
}
