package io.tenantctl.schema;

import org.bson.Document;

import java.util.Map;
import java.util.Objects;

/**
 * One index as the manifest states it. Options that are false or absent are the same thing, so {@code unique:false}
 * equals no {@code unique}; key order is significant; numbers in keys and options compare by value.
 */
public record IndexSpec(String name, Document key, boolean unique, boolean sparse, Long expireAfterSeconds,
                        Document partialFilterExpression) {

    public IndexSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        key = normalize(key);
        partialFilterExpression = partialFilterExpression == null ? null : normalize(partialFilterExpression);
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
        return d;
    }

    /** The canonical form used for hashing and display: fixed field order, defaults omitted. */
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
        return d;
    }

    /** An index as {@code listIndexes} returned it (extra fields such as v and ns are ignored). */
    public static IndexSpec fromListIndexes(Document d) {
        Object ttl = d.get("expireAfterSeconds");
        return new IndexSpec(d.getString("name"), (Document) d.get("key"), truthy(d.get("unique")), truthy(d.get("sparse")),
                ttl instanceof Number n ? n.longValue() : null, (Document) d.get("partialFilterExpression"));
    }

    /** Same definition, name aside. */
    public boolean sameSpecAs(IndexSpec other) {
        return key.equals(other.key) && orderedEquals(key, other.key) && unique == other.unique && sparse == other.sparse
                && Objects.equals(expireAfterSeconds, other.expireAfterSeconds)
                && Objects.equals(partialFilterExpression, other.partialFilterExpression);
    }

    /** Short text for messages: {"a": 1, "b": -1} unique sparse ttl=60s partial={...}. */
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
        return sb.toString();
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
