package io.tenantctl.schema;

import io.tenantctl.TenantctlException;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.json.JsonParseException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a manifest's text into a {@link SchemaManifest}, refusing anything it would otherwise have to guess at:
 * every problem is a USAGE error naming the source, the collection, the index and the field. Nothing reaches a pool
 * unless the whole manifest passes.
 */
final class ManifestParser {

    static final List<String> ROOT_FIELDS = List.of("collections", "description");
    static final List<String> COLLECTION_FIELDS = List.of("name", "indexes", "drop", "model");
    static final List<String> INDEX_FIELDS = List.of("name", "key", "unique", "sparse", "expireAfterSeconds", "partialFilterExpression");
    /** MongoDB's special index types: FerretDB.md documents none of them, so the manifest refuses them by name. */
    private static final Set<String> SPECIAL_INDEX_TYPES = Set.of("text", "2dsphere", "2d", "hashed", "geoHaystack", "columnstore");
    private static final Pattern COLLECTION_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,119}$");
    private static final long MAX_TTL_SECONDS = Integer.MAX_VALUE;

    private final StrictJson.Parsed parsed;
    private final String source;

    private ManifestParser(StrictJson.Parsed parsed, String source) {
        this.parsed = parsed;
        this.source = source;
    }

    static SchemaManifest parse(String json, String source) {
        return new ManifestParser(StrictJson.parse(json, source), source).manifest();
    }

    private SchemaManifest manifest() {
        BsonDocument root = parsed.root;
        String where = "schema " + source;
        noDuplicates(root, where);
        unknownFields(root, ROOT_FIELDS, where);
        BsonValue description = root.get("description");
        if (description != null && !description.isString()) {
            throw usage(where + ": \"description\" must be a string, not " + show(description));
        }
        if (!(root.get("collections") instanceof BsonArray rawCollections)) {
            throw usage(where + " has no \"collections\" array");
        }
        List<CollectionSpec> collections = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (BsonValue rc : rawCollections) {
            CollectionSpec c = collection(rc, where);
            if (!seen.add(c.name())) {
                throw usage(where + ", collection '" + c.name() + "': listed twice");
            }
            collections.add(c);
        }
        return new SchemaManifest(source, description == null ? null : description.asString().getValue(), collections);
    }

    private CollectionSpec collection(BsonValue rc, String manifest) {
        if (!(rc instanceof BsonDocument c) || !(c.get("name") instanceof org.bson.BsonString n)) {
            throw usage(manifest + ": every collection needs a \"name\" string");
        }
        String name = n.getValue();
        String where = manifest + ", collection '" + name + "'";
        if (!COLLECTION_NAME.matcher(name).matches() || name.startsWith("system.")) {
            throw usage(where + ": invalid collection name, " + collectionNameFault(name) + " (the rule: 1-120 characters, "
                    + "the first an ASCII letter or _; ASCII letters, digits, _ . -; not system.*)");
        }
        noDuplicates(c, where);
        unknownFields(c, COLLECTION_FIELDS, where);
        BsonValue model = c.get("model");
        if (model != null && !model.isString()) {
            throw usage(where + ": \"model\" must be a string, not " + show(model));
        }
        BsonValue rawIndexes = c.get("indexes");
        if (rawIndexes != null && !rawIndexes.isArray()) {
            throw usage(where + ": \"indexes\" must be an array, not " + show(rawIndexes));
        }
        List<IndexSpec> indexes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, String> byKey = new HashMap<>();
        for (BsonValue ri : rawIndexes == null ? List.<BsonValue>of() : rawIndexes.asArray()) {
            IndexSpec idx = index(ri, where);
            if (!names.add(idx.name())) {
                throw usage(where + ": index '" + idx.name() + "' listed twice");
            }
            String other = byKey.putIfAbsent(idx.key().toJson(), idx.name());
            if (other != null) {
                throw usage(where + ": indexes '" + other + "' and '" + idx.name() + "' have the same key " + idx.key().toJson()
                        + "; MongoDB and FerretDB refuse a second index on one key pattern (IndexOptionsConflict, \"index already "
                        + "exists with a different name\"), which would fail the collection's whole createIndexes: keep one");
            }
            indexes.add(idx);
        }
        if (indexes.size() + 1 > SchemaManifest.MAX_INDEXES_PER_COLLECTION) {
            throw usage(where + ": " + indexes.size() + " indexes plus _id_ exceed FerretDB's limit of "
                    + SchemaManifest.MAX_INDEXES_PER_COLLECTION);
        }
        return new CollectionSpec(name, indexes, drop(c.get("drop"), names, where));
    }

    /** Which part of the collection name rule {@code name} breaks, for the message. */
    private static String collectionNameFault(String name) {
        if (name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > 120) {
            return "it has " + name.length() + " characters";
        }
        if (name.startsWith("system.")) {
            return "it is a system.* name";
        }
        char first = name.charAt(0);
        if (!(first == '_' || (first < 128 && Character.isLetter(first)))) {
            return "its first character '" + first + "' is not an ASCII letter or _";
        }
        for (int i = 1; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (!(ch < 128 && (Character.isLetterOrDigit(ch) || ch == '_' || ch == '.' || ch == '-'))) {
                return "it has the character '" + ch + "'";
            }
        }
        return "it breaks the rule";
    }

    /** The indexes this version supersedes: names only, none of them wanted, _id_ or the "*" wildcard. */
    private static List<String> drop(BsonValue raw, Set<String> wanted, String where) {
        if (raw == null) {
            return List.of();
        }
        if (!raw.isArray()) {
            throw usage(where + ": \"drop\" must be an array of index names, not " + show(raw));
        }
        Set<String> drop = new LinkedHashSet<>();
        for (BsonValue v : raw.asArray()) {
            if (!v.isString() || v.asString().getValue().isEmpty()) {
                throw usage(where + ": \"drop\" lists " + show(v) + "; every entry must be an index name (a non-empty string)");
            }
            String name = v.asString().getValue();
            if (name.equals("_id_")) {
                throw usage(where + ": \"drop\" lists _id_, which can never be dropped: remove it");
            }
            if (name.equals("*")) {
                throw usage(where + ": \"drop\" lists \"*\", which dropIndexes reads as every index: name the superseded indexes one by one");
            }
            if (wanted.contains(name)) {
                throw usage(where + ": index '" + name + "' is both in \"indexes\" and in \"drop\": an index the manifest wants "
                        + "cannot also be superseded; remove it from one of them");
            }
            if (!drop.add(name)) {
                throw usage(where + ": \"drop\" lists '" + name + "' twice");
            }
        }
        return List.copyOf(drop);
    }

    private IndexSpec index(BsonValue ri, String collection) {
        if (!(ri instanceof BsonDocument d) || !(d.get("name") instanceof org.bson.BsonString n) || n.getValue().isEmpty()) {
            throw usage(collection + ": every index needs a \"name\" string");
        }
        String name = n.getValue();
        String at = collection + ", index '" + name + "'";
        if (name.equals("_id_")) {
            throw usage(at + ": _id_ is implicit, leave it out");
        }
        if (name.equals("*")) {
            throw usage(at + ": \"*\" is not a usable index name (dropIndexes reads it as every index)");
        }
        noDuplicates(d, at);
        unknownFields(d, INDEX_FIELDS, at);
        Document key = key(d.get("key"), at);
        boolean unique = flag(d, "unique", at);
        boolean sparse = flag(d, "sparse", at);
        Long ttl = ttl(d.get("expireAfterSeconds"), at);
        Document partial = partial(d.get("partialFilterExpression"), at);
        if (sparse && partial != null) {
            throw usage(at + ": \"sparse\" together with \"partialFilterExpression\": MongoDB and FerretDB refuse the pair at "
                    + "createIndexes (\"cannot mix\"); drop \"sparse\" (the filter already leaves out the documents it does not match, "
                    + "add {\"FIELD\": {\"$exists\": true}} to it for what sparse did)");
        }
        if (ttl != null && key.size() != 1) {
            throw usage(at + ": \"expireAfterSeconds\" on a compound key " + key.toJson() + ": a TTL index has exactly one field "
                    + "(on a compound index MongoDB ignores the option and nothing would ever expire)");
        }
        if (key.equals(new Document("_id", 1))) {
            throw usage(at + ": key {_id: 1} is the implicit _id_ index's (every collection has _id_ on {_id: 1} already); "
                    + "MongoDB and FerretDB refuse a second index on it (IndexOptionsConflict): remove this index");
        }
        if (ttl != null && key.containsKey("_id")) {
            throw usage(at + ": \"expireAfterSeconds\" on _id: MongoDB refuses a TTL index on the _id field; "
                    + "put the TTL on a date field, or remove \"expireAfterSeconds\"");
        }
        return new IndexSpec(name, key, unique, sparse, ttl, partial);
    }

    private Document key(BsonValue raw, String at) {
        if (!(raw instanceof BsonDocument key) || key.isEmpty()) {
            throw usage(at + ": \"key\" must be a non-empty object such as {\"field\": 1}");
        }
        if (!parsed.duplicates(key).isEmpty()) {
            StrictJson.Duplicate dup = parsed.duplicates(key).get(0);
            throw usage(at + ": key field \"" + dup.name() + "\" is given twice (line " + dup.line()
                    + "); MongoDB and FerretDB refuse such a key: give each field once");
        }
        if (key.size() > MAX_KEY_FIELDS) {
            throw usage(at + ": the key has " + key.size() + " fields; MongoDB takes at most " + MAX_KEY_FIELDS
                    + " in a compound index");
        }
        Document out = new Document();
        for (Map.Entry<String, BsonValue> e : key.entrySet()) {
            String field = e.getKey();
            BsonValue v = e.getValue();
            if (field.isEmpty() || field.startsWith("$")) {
                throw usage(at + ": key field \"" + field + "\" is not indexable here (empty, or $-prefixed such as the $** wildcard)");
            }
            for (String part : field.split("\\.", -1)) {
                if (part.isEmpty() || part.startsWith("$")) {
                    throw usage(at + ": key field \"" + field + "\" has an empty or $-prefixed path part; MongoDB and FerretDB "
                            + "refuse such a key (write dotted paths as a.b)");
                }
            }
            if (v.isString() && SPECIAL_INDEX_TYPES.contains(v.asString().getValue())) {
                throw usage(at + ": key field \"" + field + "\" asks for a \"" + v.asString().getValue() + "\" index, which "
                        + "tenantctl does not build: keys are 1 (ascending) or -1 (descending), the types FerretDB is documented to support");
            }
            if (!v.isNumber() || (number(v) != 1 && number(v) != -1)) {
                throw usage(at + ": key field \"" + field + "\" has direction " + show(v) + "; it must be 1 (ascending) or -1 (descending)");
            }
            out.append(field, number(v) > 0 ? 1 : -1);
        }
        return out;
    }

    private static boolean flag(BsonDocument d, String option, String at) {
        BsonValue v = d.get(option);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw usage(at + ": \"" + option + "\" must be true or false, not " + show(v));
        }
        return v.asBoolean().getValue();
    }

    private static Long ttl(BsonValue v, String at) {
        if (v == null) {
            return null;
        }
        double x = v.isNumber() ? number(v) : Double.NaN;
        if (!(x >= 0 && x <= MAX_TTL_SECONDS && x == Math.rint(x))) {
            throw usage(at + ": \"expireAfterSeconds\" must be a whole number of seconds from 0 to " + MAX_TTL_SECONDS + ", not " + show(v));
        }
        return (long) x;
    }

    private Document partial(BsonValue v, String at) {
        if (v == null) {
            return null;
        }
        if (!v.isDocument()) {
            throw usage(at + ": \"partialFilterExpression\" must be an object (a filter document), not " + show(v));
        }
        StrictJson.Duplicate dup = parsed.firstDuplicateWithin(v);
        if (dup != null) {
            throw usage(at + ": partialFilterExpression gives \"" + dup.name() + "\" twice (line " + dup.line()
                    + "); say each condition once (combine them with $and)");
        }
        Document filter;
        try {
            // Extended JSON such as {"$date": "..."} means a BSON type here, as it did before the strict reader.
            filter = Document.parse(v.asDocument().toJson());
        } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
            throw usage(at + ": partialFilterExpression is not valid Extended JSON: " + e.getMessage());
        }
        String refused = first(filter, (k, val) -> k.startsWith("$") && !PARTIAL_OPERATORS.contains(k) ? k : null); // a partial index takes no other
        if (refused != null) { // refused by the server at createIndexes, on every org of the rollout: said here instead
            throw usage(at + ": partialFilterExpression uses " + refused + ", which MongoDB does not take in a partial index "
                    + "(it takes " + String.join(", ", PARTIAL_OPERATORS) + ")");
        }
        String value = first(filter, ManifestParser::valueNotTaken);
        if (value != null) { // the operator is taken, but not with this value: refused at createIndexes the same way
            throw usage(at + ": partialFilterExpression uses " + value);
        }
        return filter;
    }

    /** The $type aliases MongoDB knows (an unknown one is BadValue at createIndexes), and the type numbers. */
    static final List<String> TYPE_ALIASES = List.of("double", "string", "object", "array", "binData", "undefined", "objectId",
            "bool", "date", "null", "regex", "dbPointer", "javascript", "symbol", "javascriptWithScope", "int", "timestamp", "long",
            "decimal", "minKey", "maxKey", "number");
    private static final java.util.Set<Double> TYPE_NUMBERS = java.util.Set.of(1d, 2d, 3d, 4d, 5d, 6d, 7d, 8d, 9d, 10d, 11d, 12d,
            13d, 14d, 15d, 16d, 17d, 18d, 19d, -1d, 127d);

    /**
     * What is wrong with one {@code $exists} or {@code $type} of a partial filter, said as the refusal goes on, or null: only
     * {@code $exists: true} is taken (false, 0 and null mean "missing"), and only the types MongoDB knows.
     */
    private static String valueNotTaken(String key, Object v) {
        if ("$exists".equals(key) && (v == null || Boolean.FALSE.equals(v) || v instanceof Number n && n.doubleValue() == 0)) {
            return "{\"$exists\": " + v + "}, which MongoDB does not take in a partial index (it takes $exists: true only)";
        }
        if ("$type".equals(key)) {
            for (Object t : v instanceof List<?> l ? l : java.util.Collections.singletonList(v)) {
                if (!(t instanceof String alias && TYPE_ALIASES.contains(alias) || t instanceof Number n && TYPE_NUMBERS.contains(n.doubleValue()))) {
                    return "{\"$type\": " + (t instanceof String str ? "\"" + str + "\"" : String.valueOf(t)) + "}, a type MongoDB does not "
                            + "know (it takes " + String.join(", ", TYPE_ALIASES) + ", or a BSON type number)";
                }
            }
        }
        return null;
    }

    /** The first answer {@code check} gives for a field (key and value) of {@code filter}, at any depth, or null. */
    private static String first(Object filter, java.util.function.BiFunction<String, Object, String> check) {
        if (filter instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String found = check.apply(String.valueOf(e.getKey()), e.getValue());
                if (found == null) {
                    found = first(e.getValue(), check);
                }
                if (found != null) {
                    return found;
                }
            }
        } else if (filter instanceof List<?> l) {
            for (Object o : l) {
                String found = first(o, check);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** At most this many fields in one index key: MongoDB's documented limit (FerretDB's is not verified here). */
    static final int MAX_KEY_FIELDS = 32;

    /** The query operators MongoDB accepts in a partialFilterExpression. */
    static final List<String> PARTIAL_OPERATORS = List.of("$eq", "$exists", "$gt", "$gte", "$lt", "$lte", "$type", "$and", "$or", "$in");

    private void noDuplicates(BsonDocument d, String where) {
        if (!parsed.duplicates(d).isEmpty()) {
            StrictJson.Duplicate dup = parsed.duplicates(d).get(0);
            throw usage(where + ": \"" + dup.name() + "\" is given twice (line " + dup.line()
                    + "); JSON readers disagree on which one counts, so give it once");
        }
    }

    private static void unknownFields(BsonDocument d, List<String> allowed, String where) {
        for (String k : d.keySet()) {
            if (!allowed.contains(k)) {
                throw usage(where + ": unknown field \"" + k + "\" (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static double number(BsonValue v) {
        return v.isInt32() ? v.asInt32().getValue() : v.isInt64() ? v.asInt64().getValue() : v.asDouble().getValue();
    }

    /** A value as it would appear in the manifest, for messages. */
    private static String show(BsonValue v) {
        return switch (v.getBsonType()) {
            case STRING -> "\"" + v.asString().getValue() + "\"";
            case DOCUMENT -> "an object";
            case ARRAY -> "an array";
            case NULL -> "null";
            case BOOLEAN -> String.valueOf(v.asBoolean().getValue());
            case INT32 -> String.valueOf(v.asInt32().getValue());
            case INT64 -> String.valueOf(v.asInt64().getValue());
            case DOUBLE -> String.valueOf(v.asDouble().getValue());
            default -> v.getBsonType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static TenantctlException usage(String message) {
        return TenantctlException.usage(message);
    }
}
