package io.tenantctl.ops;

import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import io.tenantctl.pool.Retry;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;

import java.util.List;
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
     * read ({@code after} when none). {@code each} must not fail with what the policy retries: the read would go on past it.
     */
    static BsonValue read(MongoCollection<RawBsonDocument> coll, Bson filter, Bson projection, BsonValue after, int limit, Retry retry,
                          Retry.Attempts attempts, Consumer<RawBsonDocument> each) {
        BsonValue[] last = {after};
        int[] read = {0};
        retry.run(attempts, () -> {
            if (limit > 0 && read[0] == limit) {
                return; // all read; only what came after failed
            }
            Bson from = last[0] == null ? null : after(last[0]);
            FindIterable<RawBsonDocument> find = coll.find(filter == null ? from == null ? new BsonDocument() : from
                            : from == null ? filter : com.mongodb.client.model.Filters.and(filter, from))
                    .projection(projection).sort(BY_ID).batchSize(Mover.BATCH).limit(limit == 0 ? 0 : limit - read[0]);
            for (RawBsonDocument d : find) {
                each.accept(d);
                last[0] = d.get("_id");
                read[0]++;
            }
        });
        return last[0];
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
