package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.IndexSpec;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Before a TTL index is built over existing documents (or an existing one's expireAfterSeconds shortened): how many
 * documents it would delete at once. FerretDB, like MongoDB, removes every document whose indexed date is older than
 * expireAfterSeconds as soon as the index exists; "migrate-all never touches documents" holds only if that number is
 * shown and accepted first. One count per index, run by the pool; the stand-in pools count but never expire.
 */
final class ExpiryPreflight {

    /** Documents a new or shortened TTL index would expire at once. */
    record Expiring(String collection, String index, String field, long seconds, long count) {
        String describe() {
            return collection + "." + index + " (" + field + " older than " + seconds + " s): " + io.tenantctl.Counted.of(count, "document");
        }
    }

    private ExpiryPreflight() {
    }

    /**
     * Whether {@code wanted} may expire documents {@code had} (null: no such index yet) did not: anything but the same
     * key, the same filter and no shorter an expiry is counted (another date field, a filter widened or dropped).
     */
    static boolean expiresMore(IndexSpec wanted, IndexSpec had) {
        return wanted.expireAfterSeconds() != null && wanted.key().size() == 1
                && (had == null || had.expireAfterSeconds() == null || wanted.expireAfterSeconds() < had.expireAfterSeconds()
                || !had.key().toJson().equals(wanted.key().toJson())
                || !java.util.Objects.equals(had.partialFilterExpression(), wanted.partialFilterExpression()));
    }

    /**
     * The pool's own time ({@code isMaster}'s localTime, which FerretDB and MongoDB both answer): its server expires
     * documents by its clock, not this worker's (one behind would count none of what expired by the pool's within the
     * difference, and the index would delete them unasked). This worker's clock only from a server that does not say.
     */
    private static Instant serverTime(MongoDatabase db, Retry retry, Retry.Attempts attempts) {
        Document hello = SchemaApply.step("the pool's time", () -> retry.call(attempts, () -> db.runCommand(new Document("isMaster", 1))));
        return hello.get("localTime") instanceof Date d ? d.toInstant() : Instant.now();
    }

    /** The documents of {@code collection} that {@code index} would delete now (within its partial filter), if any. */
    static List<Expiring> find(MongoDatabase db, String collection, IndexSpec index, Retry retry, Retry.Attempts attempts) {
        String field = index.key().keySet().iterator().next();
        Date cutoff = Date.from(serverTime(db, retry, attempts).minusSeconds(index.expireAfterSeconds()));
        Document filter = new Document(field, new Document("$lt", cutoff));
        if (index.partialFilterExpression() != null) {
            filter = new Document("$and", List.of(index.partialFilterExpression(), filter));
        }
        Document query = filter;
        long n = SchemaApply.step("expiry check of " + collection + "." + index.name(), () -> retry.call(attempts,
                () -> db.getCollection(collection).countDocuments(query)));
        List<Expiring> out = new ArrayList<>();
        if (n > 0) {
            out.add(new Expiring(collection, index.name(), field, index.expireAfterSeconds(), n));
        }
        return out;
    }
}
