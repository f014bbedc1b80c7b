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
}
