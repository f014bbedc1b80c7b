package io.tenantctl.schema;

import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One index as the manifest states it, or as {@code listIndexes} returned it. Options that are false or absent are the
 * same thing, so {@code unique:false} equals no {@code unique}; key order is significant; numbers in keys and options
 * compare by value. {@code otherOptions} holds what a listed index has beyond the manifest's fields (a
 * {@code collation}, {@code hidden}, ...): a manifest index never has any, so a listed index with one is not the
 * manifest's.
 */
public record IndexSpec(String name, Document key, boolean unique, boolean sparse, Long expireAfterSeconds,
                        Document partialFilterExpression, Document otherOptions) {

    /** listIndexes fields that are bookkeeping or build-time hints, not part of what an index is (capture ignores them too). */
    public static final Set<String> IGNORED_LISTED_FIELDS = Set.of("v", "ns", "background");
    /** The fields a manifest index has. */
    private static final List<String> MANIFEST_FIELDS = List.of("name", "key", "unique", "sparse", "expireAfterSeconds",
            "partialFilterExpression");
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    public IndexSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        key = normalize(key);
        partialFilterExpression = partialFilterExpression == null ? null : normalize(partialFilterExpression);
        otherOptions = otherOptions == null ? new Document() : normalize(otherOptions);
    }

    /** An index with only the fields a manifest can state. */
    public IndexSpec(String name, Document key, boolean unique, boolean sparse, Long expireAfterSeconds, Document partialFilterExpression) {
        this(name, key, unique, sparse, expireAfterSeconds, partialFilterExpression, null);
    }

    /** The document to send in a {@code createIndexes} command. */
    public Document toCreateDocument() {
        Document d = new Document("key", key).append("name", name);
        if (unique) {
            d.append("unique", true);
        }
        if (sparse) {
            d.append("sparse", true);
        }
        if (expireAfterSeconds != null) {
            d.append("expireAfterSeconds", expireAfterSeconds.intValue());
        }
        if (partialFilterExpression != null) {
            d.append("partialFilterExpression", partialFilterExpression);
        }
        d.putAll(otherOptions);
        return d;
    }

    /**
     * The canonical form used for hashing and display: fixed field order, defaults omitted, then a listed index's other
     * options (a manifest index has none, so its hash is what it always was).
     */
    public Document canonical() {
        Document d = new Document("name", name).append("key", key);
        if (unique) {
            d.append("unique", true);
        }
        if (sparse) {
            d.append("sparse", true);
        }
        if (expireAfterSeconds != null) {
            d.append("expireAfterSeconds", expireAfterSeconds);
        }
        if (partialFilterExpression != null) {
            d.append("partialFilterExpression", partialFilterExpression);
        }
        d.putAll(otherOptions);
        return d;
    }

    /**
     * An index as {@code listIndexes} returned it. Only bookkeeping ({@link #IGNORED_LISTED_FIELDS}) is ignored: any
     * other option the manifest cannot state (a collation, hidden, ...) is kept in {@code otherOptions}, so the index
     * differs from every manifest index, as capture refuses the same options rather than lose them.
     */
    public static IndexSpec fromListIndexes(Document d) {
        Object ttl = d.get("expireAfterSeconds");
        Document other = new Document();
        d.forEach((field, value) -> {
            if (!MANIFEST_FIELDS.contains(field) && !IGNORED_LISTED_FIELDS.contains(field)) {
                other.append(field, value);
            }
        });
        return new IndexSpec(d.getString("name"), (Document) d.get("key"), truthy(d.get("unique")), truthy(d.get("sparse")),
                ttl instanceof Number n ? n.longValue() : null, (Document) d.get("partialFilterExpression"), other);
    }

    /** Same definition, name aside. */
    public boolean sameSpecAs(IndexSpec other) {
        return key.equals(other.key) && orderedEquals(key, other.key) && unique == other.unique && sparse == other.sparse
                && Objects.equals(expireAfterSeconds, other.expireAfterSeconds)
                && Objects.equals(partialFilterExpression, other.partialFilterExpression)
                && otherOptions.equals(other.otherOptions);
    }

    /** Short text for messages: {"a": 1, "b": -1} unique sparse ttl=60s partial={...} collation={...}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(key.toJson());
        if (unique) {
            sb.append(" unique");
        }
        if (sparse) {
            sb.append(" sparse");
        }
        if (expireAfterSeconds != null) {
            sb.append(" ttl=").append(expireAfterSeconds).append('s');
        }
        if (partialFilterExpression != null) {
            sb.append(" partial=").append(partialFilterExpression.toJson());
        }
        otherOptions.forEach((option, value) -> sb.append(' ').append(option).append('=').append(json(value)));
        return sb.toString();
    }

    /** One option's value as relaxed Extended JSON (a string quoted, a document as JSON). */
    private static String json(Object value) {
        String wrapped = new Document("v", value).toJson(RELAXED);
        return wrapped.substring(wrapped.indexOf(':') + 1, wrapped.length() - 1).trim();
    }

    private static boolean orderedEquals(Document a, Document b) {
        return a.keySet().stream().toList().equals(b.keySet().stream().toList());
    }

    private static boolean truthy(Object o) {
        return o instanceof Boolean b ? b : o instanceof Number n && n.doubleValue() != 0;
    }

    /**
     * Integral numbers become Integer (or Long when large), recursively, so 1, 1L and 1.0 compare equal. A value never
     * changes: a long is kept as it is (not sent through a double, which loses bits past 2^53 and saturates past 2^63),
     * and a double becomes an integer only when it is integral and within ±2^53, where a double is exact.
     */
    static Document normalize(Document d) {
        Document out = new Document();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            out.append(e.getKey(), normalizeValue(e.getValue()));
        }
        return out;
    }

    private static Object normalizeValue(Object v) {
        if (v instanceof Document doc) {
            return normalize(doc);
        }
        if (v instanceof java.util.List<?> list) {
            return list.stream().map(IndexSpec::normalizeValue).toList();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return integer(((Number) v).longValue());
        }
        if (v instanceof Number n && !(v instanceof org.bson.types.Decimal128)) {
            double x = n.doubleValue();
            if (x == Math.rint(x) && Math.abs(x) <= EXACT_DOUBLE) {
                return integer((long) x);
            }
            return x;
        }
        return v;
    }

    /** Doubles are exact integers up to this magnitude (2^53); past it, integral doubles stay doubles. */
    private static final double EXACT_DOUBLE = 9007199254740992d;

    /** Integer when it fits, else the long itself. */
    private static Object integer(long l) {
        return l == (int) l ? Integer.valueOf((int) l) : Long.valueOf(l);
    }
}
