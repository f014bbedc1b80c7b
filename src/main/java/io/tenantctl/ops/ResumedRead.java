package io.tenantctl.ops;

import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.tenantctl.pool.Retry;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * A read of a collection that goes on after a dropped connection (a retried call of the policy, within its caller's
 * attempts): in _id order, opened again after the last _id it read, so that nothing is read twice or passed over. For a
 * collection the caller alone writes, or a frozen one.
 */
final class ResumedRead {

    private static final BsonDocument BY_ID = new BsonDocument("_id", new BsonInt32(1));
    /**
     * The types an _id may have, in the order the server sorts them (one bracket: compared by {@code $gt}). An _id of
     * another bracket is never {@code $gt} one of this bracket: those of the later brackets are asked for by type. (The
     * deprecated symbol and undefined are left out: not every server knows them as a {@code $type}.)
     */
    private static final List<List<BsonType>> BRACKETS = List.of(List.of(BsonType.MIN_KEY), List.of(BsonType.NULL),
            List.of(BsonType.INT32, BsonType.INT64, BsonType.DOUBLE, BsonType.DECIMAL128), List.of(BsonType.STRING),
            List.of(BsonType.DOCUMENT), List.of(BsonType.BINARY), List.of(BsonType.OBJECT_ID), List.of(BsonType.BOOLEAN),
            List.of(BsonType.DATE_TIME), List.of(BsonType.TIMESTAMP), List.of(BsonType.REGULAR_EXPRESSION), List.of(BsonType.MAX_KEY));

    private ResumedRead() {
    }

    /**
     * Hands {@code each} the documents of {@code coll} that match {@code filter} (null: all), with {@code projection} (null: whole), in
     * _id order after {@code after} (null: from the first), at most {@code limit} of them (0: all); returns the last _id
     * read ({@code after} when none). A {@link Cursor} read to its end: only its reads are asked again, never {@code each}.
     */
    static BsonValue read(MongoCollection<RawBsonDocument> coll, Bson filter, Bson projection, BsonValue after, int limit, Retry retry,
                          Retry.Attempts attempts, Consumer<RawBsonDocument> each) {
        try (Cursor docs = new Cursor(coll, filter, projection, after, limit, retry, attempts)) {
            docs.forEachRemaining(each);
            return docs.last;
        }
    }

    /** {@code coll}'s documents that match {@code filter} (null: all) in _id order after {@code after} (null: from the first). */
    private static FindIterable<RawBsonDocument> find(MongoCollection<RawBsonDocument> coll, Bson filter, BsonValue after) {
        Bson from = after == null ? null : after(after);
        return coll.find(filter == null ? from == null ? new BsonDocument() : from
                        : from == null ? filter : com.mongodb.client.model.Filters.and(filter, from)).sort(BY_ID).batchSize(Mover.BATCH);
    }

    /**
     * {@code coll}'s documents, as {@link #cursor}, read ahead on a thread of their own ({@link ReadAhead}): a copy writes one
     * batch while the next is read, and what is held stays bounded. On a live collection (a move's first copy) a document
     * written behind the read's place after a drop is not read: what was read is only what was copied, as with any read of a
     * live collection.
     */
    static ReadAhead<RawBsonDocument> ahead(MongoCollection<RawBsonDocument> coll, String name, Retry retry, Retry.Attempts attempts) {
        Cursor docs = cursor(coll, null, retry, attempts);
        // a collection that came whole in its first batch (the server closed its cursor) is read as it is, with no thread
        return !docs.hasNext() || docs.open.getServerCursor() == null ? new ReadAhead<>(docs, docs)
                : ReadAhead.documents(docs, docs, name, Mover.BATCH, 2);
    }

    /**
     * The documents of {@code coll} that match {@code filter} (null: all), in _id order, one at a time: as {@link #read}, a
     * cursor that drops is opened again after the last _id handed over, within {@code attempts}; anything else is thrown.
     * Close it: it holds a cursor.
     */
    static Cursor cursor(MongoCollection<RawBsonDocument> coll, Bson filter, Retry retry, Retry.Attempts attempts) {
        return new Cursor(coll, filter, null, null, 0, retry, attempts);
    }

    /** See {@link #cursor}. */
    static final class Cursor implements Iterator<RawBsonDocument>, Iterable<RawBsonDocument>, AutoCloseable {
        private final MongoCollection<RawBsonDocument> coll;
        private final Bson filter;
        private final Bson projection;
        private final int limit;
        private final Retry retry;
        private final Retry.Attempts attempts;
        private MongoCursor<RawBsonDocument> open;
        private BsonValue last;
        private int handed;
        private RawBsonDocument next;
        private boolean ended;

        /** {@code projection} null: whole; after {@code after} (null: from the first); at most {@code limit} (0: all). */
        private Cursor(MongoCollection<RawBsonDocument> coll, Bson filter, Bson projection, BsonValue after, int limit, Retry retry,
                       Retry.Attempts attempts) {
            this.coll = coll;
            this.filter = filter;
            this.projection = projection;
            this.last = after;
            this.limit = limit;
            this.retry = retry;
            this.attempts = attempts;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !ended && limit > 0 && handed == limit) {
                ended = true; // all read: the server is asked for no more
            }
            if (next == null && !ended) {
                next = retry.call(attempts, () -> {
                    try {
                        if (open == null) {
                            open = find(coll, filter, last).projection(projection).limit(limit == 0 ? 0 : limit - handed).iterator();
                        }
                        return open.hasNext() ? open.next() : null;
                    } catch (RuntimeException e) {
                        close(); // opened again, after the last _id handed over
                        throw e;
                    }
                });
                ended = next == null;
            }
            return next != null;
        }

        @Override
        public RawBsonDocument next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            RawBsonDocument d = next;
            next = null;
            last = d.get("_id");
            handed++;
            return d;
        }

        /** Itself, once: for a for-each loop. */
        @Override
        public Iterator<RawBsonDocument> iterator() {
            return this;
        }

        @Override
        public void close() {
            if (open != null) {
                try {
                    open.close();
                } catch (RuntimeException ignored) {
                    // a cursor whose connection dropped: nothing left to release
                }
                open = null;
            }
        }
    }

    /** The _ids that sort after {@code id}: greater in its bracket, or of a later one. */
    static BsonDocument after(BsonValue id) {
        BsonArray later = new BsonArray();
        BRACKETS.stream().dropWhile(b -> !b.contains(id.getBsonType())).skip(1).flatMap(List::stream)
                .forEach(t -> later.add(new BsonInt32(t == BsonType.MIN_KEY ? -1 : t.getValue())));
        BsonDocument greater = new BsonDocument("_id", new BsonDocument("$gt", id));
        return later.isEmpty() ? greater : new BsonDocument("$or", new BsonArray(List.of(greater,
                new BsonDocument("_id", new BsonDocument("$type", later)))));
    }
}
