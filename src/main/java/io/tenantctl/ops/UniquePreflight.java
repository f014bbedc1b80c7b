package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.IndexSpec;
import org.bson.Document;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Before a unique index is built over existing documents: are there documents it would refuse? One aggregation per
 * index, run by the pool: documents the index would hold (its {@code partialFilterExpression}, and for a sparse index
 * only documents with at least one key field), one row per key the index would hold (an array holds one key per
 * element, so arrays are unwound, and a path through an array of documents reads each one's field), grouped by key
 * value (a missing field counts as null, as the index sees it; an empty array is a key of its own, undefined), keys two
 * or more documents hold kept (one document holding a key twice is no duplicate). Nothing is read into tenantctl but the
 * offending keys and a few {@code _id}s.
 *
 * <p>Keys other than 1/-1 (text, 2dsphere, hashed…) are not checked. A dotted path through an array reads as an empty
 * array when no element has the field; there an empty array is counted with the missing fields: at worst refused here,
 * never let through.
 */
final class UniquePreflight {

    /** How many offending key values to report per index, and how many {@code _id}s each (one more kept: named when it is the last). */
    static final int MAX_KEYS = 10;
    static final int MAX_IDS = 5;

    /** Documents sharing one key value under a new unique index. */
    record Duplicate(String collection, String index, Document key, long count, List<Object> sampleIds) {
        String describe() {
            return key.toJson() + " x" + count + " (_id " + io.tenantctl.Counted.firstOf(sampleIds.stream().map(UniquePreflight::id).toList(),
                    count, MAX_IDS, ", ", "") + ")";
        }
    }

    private UniquePreflight() {
    }

    /** Whether {@code index} can be checked (unique, plain ascending/descending keys). */
    static boolean checkable(IndexSpec index) {
        return index.unique() && index.key().values().stream().allMatch(v -> v instanceof Number n
                && (n.doubleValue() == 1 || n.doubleValue() == -1));
    }

    /** Up to {@link #MAX_KEYS} key values more than one document holds, for {@code index} on {@code collection}. */
    static List<Duplicate> find(MongoDatabase db, String collection, IndexSpec index, Retry retry, Retry.Attempts attempts) {
        if (!checkable(index)) {
            return List.of();
        }
        List<String> fields = new ArrayList<>(index.key().keySet());
        List<Document> pipeline = new ArrayList<>();
        if (index.partialFilterExpression() != null) {
            pipeline.add(new Document("$match", index.partialFilterExpression()));
        }
        if (index.sparse()) {
            pipeline.add(new Document("$match", new Document("$or",
                    fields.stream().map(f -> new Document(f, new Document("$exists", true))).toList())));
        }
        Document keys = new Document();
        Document group = new Document();
        for (int i = 0; i < fields.size(); i++) {
            keys.append("k" + i, "$" + fields.get(i)).append("e" + i, emptyArray(fields.get(i)));
            group.append("k" + i, new Document("$ifNull", java.util.Arrays.asList("$k" + i, null))).append("e" + i, "$e" + i);
        }
        pipeline.add(new Document("$project", keys));
        for (int i = 0; i < fields.size(); i++) {
            pipeline.add(new Document("$unwind", new Document("path", "$k" + i).append("preserveNullAndEmptyArrays", true)));
        }
        pipeline.add(new Document("$group", new Document("_id", group).append("ids", new Document("$addToSet", "$_id"))));
        pipeline.add(new Document("$addFields", new Document("n", new Document("$size", "$ids"))));
        pipeline.add(new Document("$match", new Document("n", new Document("$gt", 1))));
        pipeline.add(new Document("$limit", MAX_KEYS));
        List<Document> groups = SchemaApply.step("duplicate check of " + collection + "." + index.name(), () -> retry.call(attempts,
                () -> db.getCollection(collection).aggregate(pipeline).allowDiskUse(true).into(new ArrayList<>())));
        List<Duplicate> out = new ArrayList<>();
        for (Document g : groups) {
            Document ids = (Document) g.get("_id");
            Document key = new Document();
            for (int i = 0; i < fields.size(); i++) {
                key.append(fields.get(i), Boolean.TRUE.equals(ids.get("e" + i)) ? List.of() : ids.get("k" + i));
            }
            List<?> all = g.getList("ids", Object.class);
            out.add(new Duplicate(collection, index.name(), key, ((Number) g.get("n")).longValue(),
                    new ArrayList<>(all.subList(0, Math.min(MAX_IDS + 1, all.size())))));
        }
        return out;
    }

    /**
     * Whether the document holds an empty array at {@code field} (the index's one key for it, undefined: unwinding drops
     * it, so it is told apart from a missing field this way). Through an array on the way, {@code $a.b} is the array of
     * its elements' fields, empty when none has one (which the index holds as null): not counted as one there.
     */
    private static Document emptyArray(String field) {
        List<Document> all = new ArrayList<>(List.of(new Document("$eq", java.util.Arrays.asList("$" + field, new Document("$literal", List.of())))));
        for (int dot = field.indexOf('.'); dot > 0; dot = field.indexOf('.', dot + 1)) {
            all.add(new Document("$not", List.of(new Document("$isArray", "$" + field.substring(0, dot)))));
        }
        return new Document("$and", all);
    }

    private static String id(Object id) {
        return id instanceof String s ? "\"" + s + "\"" : id instanceof Map<?, ?> m ? new Document((Map<String, Object>) m).toJson()
                : String.valueOf(id);
    }
}
