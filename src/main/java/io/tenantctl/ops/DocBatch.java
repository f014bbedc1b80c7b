package io.tenantctl.ops;

import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.List;

/**
 * The documents gathered for one insertMany: full at {@link #DOCS} documents or {@link #BYTES}, whichever comes first,
 * so that a batch of 1 MB attachments holds 8 of them, not 1,000 — memory does not grow with document size.
 */
final class DocBatch {

    static final int DOCS = 1000;
    static final long BYTES = 8L << 20;

    private final List<RawBsonDocument> docs = new ArrayList<>();
    private long bytes;

    /** Adds {@code d}; true when the batch is now full and should be sent. */
    boolean add(RawBsonDocument d) {
        docs.add(d);
        bytes += d.getByteBuffer().remaining();
        return docs.size() >= DOCS || bytes >= BYTES;
    }

    List<RawBsonDocument> docs() {
        return docs;
    }

    boolean isEmpty() {
        return docs.isEmpty();
    }

    int size() {
        return docs.size();
    }

    void clear() {
        docs.clear();
        bytes = 0;
    }

    private static final com.mongodb.client.model.InsertManyOptions UNORDERED = new com.mongodb.client.model.InsertManyOptions().ordered(false);

    /**
     * Inserts one batch into a collection only its caller writes (a restore's database, a move's collection copied again
     * whole), retried as FERRETDB.md has network errors retried. A retry may follow a batch that went in and lost only its
     * reply: it inserts unordered and passes over the documents it finds there already (duplicate _id), which are the
     * batch's own; the caller's count check and read-back hold every document. A retry is a new write: made only while the
     * caller still holds what it writes ({@code ours} throws otherwise: one woken past its lease, or after its move was
     * rolled back, must not write the batch again into what is now another's database).
     */
    static void insert(com.mongodb.client.MongoCollection<RawBsonDocument> coll, List<RawBsonDocument> docs, io.tenantctl.pool.Retry retry,
                       io.tenantctl.pool.Retry.Attempts attempts, Runnable ours) {
        retry.run(attempts, () -> coll.insertMany(docs), () -> {
            ours.run();
            try {
                coll.insertMany(docs, UNORDERED);
            } catch (com.mongodb.MongoBulkWriteException e) {
                if (e.getWriteConcernError() != null || e.getWriteErrors().stream().anyMatch(w -> w.getCode() != 11000)) {
                    throw e;
                }
            }
        });
    }
}
