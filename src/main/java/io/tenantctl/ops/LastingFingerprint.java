package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A {@link Fingerprint} of the documents that last: each collection's, less those one of its TTL indexes will delete by
 * itself (the index's field holds a date, within its {@code partialFilterExpression}). What a deleting org's database
 * is held to until purge: FerretDB's TTL job (each minute) keeps deleting expiring sessions and tokens there, which is
 * no write a stale client made, while a write of any lasting document still changes it. Recorded with a mark, so that a
 * fingerprint an older tenantctl recorded of every document is compared with one of every document.
 */
final class LastingFingerprint {

    private static final String EXCLUDES = "excludes";
    private static final String EXPIRING = "expiring";
    private static final int BATCH = 1000;

    private LastingFingerprint() {
    }

    static Fingerprint of(MongoDatabase db) {
        Fingerprint.Builder b = new Fingerprint.Builder();
        for (String name : new TreeSet<>(db.listCollectionNames().into(new ArrayList<>()))) {
            if (name.startsWith("system.")) {
                continue;
            }
            List<Document> expiring = new ArrayList<>();
            for (Document index : db.getCollection(name).listIndexes()) {
                if (index.get("expireAfterSeconds") instanceof Number && index.get("key") instanceof Document key && key.size() == 1) {
                    // a TTL index is single-field: a compound one expires nothing
                    Document dated = new Document(key.keySet().iterator().next(), new Document("$type", "date"));
                    expiring.add(index.get("partialFilterExpression") instanceof Document partial
                            ? new Document("$and", List.of(dated, partial)) : dated);
                }
            }
            b.collection(name);
            Document lasting = expiring.isEmpty() ? new Document() : new Document("$nor", expiring);
            for (RawBsonDocument d : db.getCollection(name, RawBsonDocument.class).find(lasting).batchSize(BATCH)) {
                b.add(d);
            }
        }
        return b.build();
    }

    /** {@code f} as the catalog keeps it, marked as one of the lasting documents. */
    static String toJson(Fingerprint f) {
        return Json.args("collections", f.collections(), EXCLUDES, EXPIRING);
    }

    /** The database as it is now, taken the way {@code recorded} was: of its lasting documents, or (recorded before) of all. */
    static Fingerprint likeRecorded(MongoDatabase db, String recorded) {
        return EXPIRING.equals(Json.tree(recorded).path(EXCLUDES).asText()) ? of(db) : Mover.fingerprint(db);
    }
}
