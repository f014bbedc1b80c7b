package io.tenantctl.schema;

import io.tenantctl.TenantctlException;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonParseException;
import org.bson.json.JsonWriterSettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The declarative schema: collections and their indexes. {@link #hash()} is the SHA-256 of a canonical form
 * (collections sorted by name, indexes sorted by name, key order kept, default options omitted), so two manifests
 * that mean the same thing have the same hash whatever their layout.
 */
public final class SchemaManifest {

    /** FerretDB refuses more indexes than this on one collection (the _id_ index included). */
    public static final int MAX_INDEXES_PER_COLLECTION = 64;
    private static final String DEFAULT_RESOURCE = "/io/tenantctl/schema/librechat.json";
    private static final Pattern COLLECTION_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,119}$");
    private static final Set<String> COLLECTION_FIELDS = Set.of("name", "indexes", "model");
    private static final Set<String> INDEX_FIELDS = Set.of("name", "key", "unique", "sparse", "expireAfterSeconds",
            "partialFilterExpression");

    private final String source;
    private final List<CollectionSpec> collections;
    /** Computed once: a manifest is compared with thousands of orgs' recorded hashes. */
    private volatile String canonicalJson;
    private volatile String hash;

    public SchemaManifest(String source, List<CollectionSpec> collections) {
        this.source = source;
        this.collections = List.copyOf(collections);
    }

    /** Where the manifest came from (a file, the built-in model, the catalog); for messages only. */
    public String source() {
        return source;
    }

    public List<CollectionSpec> collections() {
        return collections;
    }

    /** Today's LibreChat data model, shipped with tenantctl. */
    public static SchemaManifest defaultManifest() {
        try (InputStream in = SchemaManifest.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in LibreChat manifest");
        } catch (IOException e) {
            throw new IllegalStateException("built-in manifest unreadable", e);
        }
    }

    /** The manifest in {@code file}, or the default when {@code file} is null. */
    public static SchemaManifest loadOrDefault(Path file) {
        return file == null ? defaultManifest() : load(file);
    }

    public static SchemaManifest load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw TenantctlException.usage("schema file " + file + " does not exist");
        } catch (IOException e) {
            throw TenantctlException.usage("schema file " + file + " is unreadable: " + e.getMessage());
        }
    }

    /** Parses and validates; every problem is a USAGE error naming {@code source} and the bad element. */
    public static SchemaManifest parse(String json, String source) {
        Document root;
        try {
            root = Document.parse(json);
        } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
            throw TenantctlException.usage("schema " + source + " is not valid JSON: " + e.getMessage());
        }
        if (!(root.get("collections") instanceof List<?> rawCollections)) {
            throw TenantctlException.usage("schema " + source + " has no \"collections\" array");
        }
        List<CollectionSpec> collections = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Object rc : rawCollections) {
            if (!(rc instanceof Document c) || !(c.get("name") instanceof String name)) {
                throw TenantctlException.usage("schema " + source + ": every collection needs a \"name\" string");
            }
            String where = "schema " + source + ", collection '" + name + "'";
            if (!COLLECTION_NAME.matcher(name).matches() || name.startsWith("system.")) {
                throw TenantctlException.usage(where + ": invalid collection name");
            }
            if (!seen.add(name)) {
                throw TenantctlException.usage(where + ": listed twice");
            }
            unknownFields(c, COLLECTION_FIELDS, where);
            List<IndexSpec> indexes = new ArrayList<>();
            Set<String> indexNames = new HashSet<>();
            Object rawIndexes = c.get("indexes");
            if (rawIndexes != null && !(rawIndexes instanceof List<?>)) {
                throw TenantctlException.usage(where + ": \"indexes\" must be an array");
            }
            for (Object ri : rawIndexes == null ? List.of() : (List<?>) rawIndexes) {
                IndexSpec idx = index(ri, where);
                if (!indexNames.add(idx.name())) {
                    throw TenantctlException.usage(where + ": index '" + idx.name() + "' listed twice");
                }
                indexes.add(idx);
            }
            if (indexes.size() + 1 > MAX_INDEXES_PER_COLLECTION) {
                throw TenantctlException.usage(where + ": " + indexes.size() + " indexes plus _id_ exceed FerretDB's limit of "
                        + MAX_INDEXES_PER_COLLECTION);
            }
            collections.add(new CollectionSpec(name, indexes));
        }
        return new SchemaManifest(source, collections);
    }

    private static IndexSpec index(Object ri, String where) {
        if (!(ri instanceof Document d) || !(d.get("name") instanceof String name) || name.isEmpty()) {
            throw TenantctlException.usage(where + ": every index needs a \"name\" string");
        }
        String at = where + ", index '" + name + "'";
        if (name.equals("_id_")) {
            throw TenantctlException.usage(at + ": _id_ is implicit, leave it out");
        }
        unknownFields(d, INDEX_FIELDS, at);
        if (!(d.get("key") instanceof Document key) || key.isEmpty()) {
            throw TenantctlException.usage(at + ": \"key\" must be a non-empty object");
        }
        for (Object v : key.values()) {
            boolean ok = v instanceof Number n ? n.doubleValue() == 1 || n.doubleValue() == -1 : v instanceof String;
            if (!ok) {
                throw TenantctlException.usage(at + ": key directions must be 1, -1 or an index type string");
            }
        }
        Object ttl = d.get("expireAfterSeconds");
        if (ttl != null && !(ttl instanceof Number n && n.longValue() >= 0)) {
            throw TenantctlException.usage(at + ": expireAfterSeconds must be a non-negative number");
        }
        Object pfe = d.get("partialFilterExpression");
        if (pfe != null && !(pfe instanceof Document)) {
            throw TenantctlException.usage(at + ": partialFilterExpression must be an object");
        }
        return new IndexSpec(name, key, Boolean.TRUE.equals(d.get("unique")), Boolean.TRUE.equals(d.get("sparse")),
                ttl == null ? null : ((Number) ttl).longValue(), (Document) pfe);
    }

    private static void unknownFields(Document d, Set<String> allowed, String where) {
        for (String k : d.keySet()) {
            if (!allowed.contains(k)) {
                throw TenantctlException.usage(where + ": unknown field \"" + k + "\" (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    public int indexCount() {
        return collections.stream().mapToInt(c -> c.indexes().size()).sum();
    }

    public CollectionSpec collection(String name) {
        return collections.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Collections of this manifest whose definition differs from {@code older}'s: new ones, and ones whose index
     * set changed in any way. Collections only {@code older} has are not included (tenantctl never drops them).
     */
    public java.util.Set<String> changedSince(SchemaManifest older) {
        java.util.Set<String> changed = new java.util.LinkedHashSet<>();
        for (CollectionSpec c : collections) {
            CollectionSpec before = older.collection(c.name());
            if (before == null || !canonical(before).toJson().equals(canonical(c).toJson())) {
                changed.add(c.name());
            }
        }
        return changed;
    }

    /** The same manifest restricted to {@code names}. */
    public SchemaManifest subset(java.util.Collection<String> names) {
        return new SchemaManifest(source, collections.stream().filter(c -> names.contains(c.name())).toList());
    }

    private static Document canonical(CollectionSpec c) {
        return new Document("name", c.name())
                .append("indexes", c.indexes().stream().sorted(Comparator.comparing(IndexSpec::name)).map(IndexSpec::canonical).toList());
    }

    /** The canonical JSON the hash is computed over. */
    public String canonicalJson() {
        String json = canonicalJson;
        if (json == null) {
            List<Document> cs = new ArrayList<>();
            collections.stream().sorted(Comparator.comparing(CollectionSpec::name)).forEach(c -> cs.add(canonical(c)));
            json = new Document("collections", cs).toJson(JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build());
            canonicalJson = json;
        }
        return json;
    }

    /** Hex SHA-256 of {@link #canonicalJson()}. */
    public String hash() {
        String h = hash;
        if (h == null) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
                h = HexFormat.of().formatHex(digest);
                hash = h;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "SchemaManifest[" + source + ", " + collections.size() + " collections, " + indexCount() + " indexes]";
    }
}
