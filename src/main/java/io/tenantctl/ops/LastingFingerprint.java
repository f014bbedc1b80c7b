package io.tenantctl.ops;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.Retry;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.Date;
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
    /** Read once: what a caller that retries nothing gets (a dropped connection fails the read). */
    private static final Retry ONCE = Retry.ferretDefault().withMaxAttempts(1);

    private LastingFingerprint() {
    }

    /** The fingerprint of the documents that last, going on after a dropped connection within {@code attempts} (a delete's reads). */
    static Fingerprint of(MongoDatabase db, Retry retry, Retry.Attempts attempts) {
        return of(db, true, retry, attempts);
    }

    /** The fingerprint of every document, expiring or not (a move's ledger or a delete's record taken before the mark). */
    static Fingerprint every(MongoDatabase db) {
        return of(db, false, ONCE, new Retry.Attempts());
    }

    /**
     * Each collection's count and order-independent digest, of its documents that last ({@code lastingOnly}) or of all, in
     * one pass: listings asked again and reads gone on from their last _id ({@link ResumedRead}) after a dropped connection,
     * within {@code attempts}.
     */
    private static Fingerprint of(MongoDatabase db, boolean lastingOnly, Retry retry, Retry.Attempts attempts) {
        Fingerprint.Builder b = new Fingerprint.Builder();
        for (String name : new TreeSet<>(retry.call(attempts, () -> db.listCollectionNames().into(new ArrayList<>())))) {
            if (name.startsWith("system.")) {
                continue;
            }
            b.collection(name);
            Document which = lastingOnly ? lasting(retry.call(attempts, () -> ttls(db.getCollection(name)))) : new Document();
            ResumedRead.read(db.getCollection(name, RawBsonDocument.class), which, null, null, 0, retry, attempts, b::add);
        }
        return b.build();
    }

    /** One single-field TTL index of a collection: its field, its expireAfterSeconds, its partialFilterExpression or null. */
    record Ttl(String field, long seconds, BsonDocument partial) {

        /** The documents this index will delete by itself once their time comes: its field holds a date, within its filter. */
        Document dated() {
            return within(new Document(field, new Document("$type", "date")));
        }

        /** Of those, the ones whose time has come by {@code at} (the index's date more than its seconds before it). */
        Document expiredBy(Date at) {
            return within(new Document(field, new Document("$type", "date").append("$lte", new Date(at.getTime() - seconds * 1000))));
        }

        private Document within(Document d) {
            return partial == null ? d : new Document("$and", List.of(d, partial));
        }
    }

    /** The collection's TTL indexes that expire documents: single-field ones (a compound one expires nothing). */
    static List<Ttl> ttls(MongoCollection<?> coll) {
        return ttls(coll.listIndexes(BsonDocument.class));
    }

    /** The TTL indexes that expire documents among {@code indexes} (as listIndexes returns them): single-field ones. */
    static List<Ttl> ttls(Iterable<BsonDocument> indexes) {
        List<Ttl> out = new ArrayList<>();
        for (BsonDocument index : indexes) {
            BsonDocument key = index.getDocument("key", new BsonDocument());
            if (index.isNumber("expireAfterSeconds") && key.size() == 1) { // a compound one expires nothing
                out.add(new Ttl(key.getFirstKey(), index.getNumber("expireAfterSeconds").longValue(),
                        index.isDocument("partialFilterExpression") ? index.getDocument("partialFilterExpression") : null));
            }
        }
        return out;
    }

    /** The documents that last: none of {@code ttls} will delete them (every document when there are none). */
    static Document lasting(List<Ttl> ttls) {
        return ttls.isEmpty() ? new Document() : new Document("$nor", ttls.stream().map(Ttl::dated).toList());
    }

    /** The documents one of {@code ttls} will delete by itself some day: all but {@link #lasting}. */
    static Document dated(List<Ttl> ttls) {
        return new Document("$or", ttls.stream().map(Ttl::dated).toList());
    }

    /** Dated documents none of {@code ttls} may have deleted by {@code at}: a pool's TTL job cannot have taken them yet. */
    static Document datedUnexpired(List<Ttl> ttls, Date at) {
        return new Document("$and", List.of(dated(ttls), new Document("$nor", ttls.stream().map(t -> t.expiredBy(at)).toList())));
    }

    /** {@code f} as the catalog keeps it, marked as one of the lasting documents. */
    static String toJson(Fingerprint f) {
        return Json.args("collections", f.collections(), EXCLUDES, EXPIRING);
    }

    /**
     * The database as it is now, taken the way {@code recorded} was: of its lasting documents, or (recorded before) of all;
     * going on after a dropped connection within {@code attempts} (a revert's reads, a purge's).
     */
    static Fingerprint likeRecorded(MongoDatabase db, String recorded, Retry retry, Retry.Attempts attempts) {
        return of(db, EXPIRING.equals(Json.tree(recorded).path(EXCLUDES).asText()), retry, attempts);
    }
}
