package io.tenantctl.ops;

import com.mongodb.client.MongoCollection;
import io.tenantctl.TenantctlException;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;

import java.util.List;

/**
 * Whether a collection streamed batch by batch still holds what was streamed: {@code countDocuments} after the copy
 * against the documents written. A collection read in the server's first reply needs no count (no write can have
 * slipped in between batches). FerretDB's TTL job (each minute, FERRETDB.md) deletes what a TTL index expires, {@code
 * --freeze} or not, so where the collection has one the documents that last (no TTL index's field a date within its filter) are also
 * counted when the stream opens ({@link LastingFingerprint#lasting}): the copy holds if only dated documents went
 * since and the lasting ones are as many.
 */
final class CopiedCount {

    private final MongoCollection<?> coll;
    private final Bson lasting;
    private final long lastingBefore;
    private final boolean inOneReply;

    private CopiedCount(MongoCollection<?> coll, Bson lasting, long lastingBefore, boolean inOneReply) {
        this.coll = coll;
        this.lasting = lasting;
        this.lastingBefore = lastingBefore;
        this.inOneReply = inOneReply;
    }

    /** Taken once the stream of {@code coll} has opened ({@code inOneReply}: its cursor already closed), from its {@code indexes}. */
    static CopiedCount opened(MongoCollection<?> coll, List<BsonDocument> indexes, boolean inOneReply) {
        List<LastingFingerprint.Ttl> ttls = LastingFingerprint.ttls(indexes);
        if (inOneReply || ttls.isEmpty()) {
            return new CopiedCount(coll, null, 0, inOneReply);
        }
        Bson lasting = LastingFingerprint.lasting(ttls);
        return new CopiedCount(coll, lasting, coll.countDocuments(lasting), false);
    }

    /** Throws when the collection no longer holds the {@code streamed} documents but by what its TTL indexes expired. */
    void check(long streamed) {
        long counted = inOneReply ? streamed : coll.countDocuments();
        if (counted == streamed || counted < streamed && lasting != null && coll.countDocuments(lasting) == lastingBefore) {
            return;
        }
        throw new TenantctlException(TenantctlException.Category.FAILED, "collection " + coll.getNamespace().getCollectionName()
                + " changed while it was copied (" + io.tenantctl.Counted.of(streamed, "document") + " streamed, " + counted
                + " counted after): retry, or pass --freeze for a consistent copy");
    }
}
