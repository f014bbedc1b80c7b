package io.tenantctl.schema;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tenantctl.TenantctlException;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The declarative schema: collections and their indexes. {@link #hash()} is the SHA-256 of a canonical form
 * (collections sorted by name, indexes sorted by name, key order kept, default options omitted), so two manifests
 * that mean the same thing have the same hash whatever their layout.
 */
public final class SchemaManifest {

    /** FerretDB refuses more indexes than this on one collection (the _id_ index included). */
    public static final int MAX_INDEXES_PER_COLLECTION = 64;
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
    private static final String DEFAULT_RESOURCE = "/io/tenantctl/schema/librechat.json";

    private final String source;
    private final String description;
    private final List<CollectionSpec> collections;
    /** Computed once: a manifest is compared with thousands of orgs' recorded hashes. */
    private volatile String canonicalJson;
    private volatile String hash;

    public SchemaManifest(String source, List<CollectionSpec> collections) {
        this(source, null, collections);
    }

    /** {@code description} is a note for people (the manifest's optional "description"); it is not part of the hash. */
    public SchemaManifest(String source, String description, List<CollectionSpec> collections) {
        this.source = source;
        this.description = description;
        this.collections = List.copyOf(collections);
    }

    /** Where the manifest came from (a file, the built-in model, the catalog); for messages only. */
    public String source() {
        return source;
    }

    /** The manifest's "description", or null. */
    public String description() {
        return description;
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
        if (file.toString().isEmpty()) { // --schema "$VAR" with VAR unset: the empty path is the working directory
            throw TenantctlException.usage("--schema is empty: name the manifest file, or leave --schema out for the built-in LibreChat model");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (file.getFileName() != null && file.getFileName().toString().equals("-")) { // capture | migrate-all --schema -
                throw TenantctlException.usage("--schema - does not read standard input (there is no file " + file + "): write the manifest to "
                        + "a file first ('tenantctl schema capture … > captured.json') and give that file, which the run records");
            }
            throw TenantctlException.usage("schema file " + file + " does not exist");
        } catch (IOException e) {
            throw TenantctlException.usage("schema file " + file + " is unreadable: " + io.tenantctl.IoErrors.describe(e));
        }
        SchemaManifest manifest = parse(utf8(bytes, file), file.toString());
        if (manifest.collections().isEmpty()) { // a templating slip: rolled out, every org would be recorded on a manifest of nothing
            throw TenantctlException.usage("schema " + file + " lists no collections: it is no release's manifest (a rollout of it creates and drops "
                    + "nothing, yet records every org as on it); name the file 'tenantctl schema export' or 'tenantctl schema capture' wrote");
        }
        return manifest;
    }

    /**
     * The file's text, strictly UTF-8. A manifest saved in another encoding (PowerShell's {@code >} writes UTF-16, an old
     * editor Latin-1) used to fail as "unreadable: Input length = 1", which says neither what is wrong nor what to do.
     * A NUL byte (never in JSON text) or a UTF-16 byte-order mark means UTF-16; other invalid UTF-8 is most likely a
     * single-byte encoding such as Latin-1. A leading UTF-8 byte-order mark is skipped.
     */
    private static String utf8(byte[] bytes, Path file) {
        // a UTF-8 byte-order mark, as Windows PowerShell 5 writes "UTF-8": JSON text may ignore it (RFC 8259, 8.1)
        int from = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF ? 3 : 0;
        boolean utf16 = bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)
                || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF));
        for (int i = 0; i < bytes.length && !utf16; i++) {
            utf16 = bytes[i] == 0; // also without a byte-order mark, where ASCII text in UTF-16 decodes as UTF-8 with NULs
        }
        try {
            if (!utf16) {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
            }
        } catch (CharacterCodingException e) {
            // below
        }
        throw TenantctlException.usage("schema file " + file + " is not UTF-8 (" + (utf16 ? "it looks like UTF-16" : "Latin-1 or another 8-bit encoding?")
                + "): save it as UTF-8 and try again");
    }

    /**
     * Parses and validates strictly (see {@link ManifestParser}); every problem is a USAGE error naming {@code source},
     * the collection, the index and the field.
     */
    public static SchemaManifest parse(String json, String source) {
        return ManifestParser.parse(json, source);
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
        return new SchemaManifest(source, description, collections.stream().filter(c -> names.contains(c.name())).toList());
    }

    /**
     * A collection's canonical form: name, indexes sorted by name and, only when it supersedes something, the
     * {@code drop} names sorted. Leaving {@code drop} out when empty keeps the hash of every manifest without one
     * exactly what it was before {@code drop} existed.
     */
    private static Document canonical(CollectionSpec c) {
        Document d = new Document("name", c.name())
                .append("indexes", c.indexes().stream().sorted(Comparator.comparing(IndexSpec::name)).map(IndexSpec::canonical).toList());
        if (!c.drop().isEmpty()) {
            d.append("drop", c.drop().stream().sorted().toList());
        }
        return d;
    }

    /** The canonical JSON the hash is computed over. */
    public String canonicalJson() {
        String json = canonicalJson;
        if (json == null) {
            List<Document> cs = new ArrayList<>();
            collections.stream().sorted(Comparator.comparing(CollectionSpec::name)).forEach(c -> cs.add(canonical(c)));
            json = new Document("collections", cs).toJson(RELAXED);
            canonicalJson = json;
        }
        return json;
    }

    /**
     * The manifest in exactly the format {@link #parse} reads, ready to be saved as a {@code --schema} file: collections
     * and indexes in the manifest's own order, one index per line with its fields in canonical order and default
     * options left out, {@code drop} where a collection has one. It parses back to the same hash. A collection's
     * {@code model} note is not kept.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        if (description != null) {
            sb.append("  \"description\": ").append(quote(description)).append(",\n");
        }
        sb.append("  \"collections\": [");
        for (int i = 0; i < collections.size(); i++) {
            CollectionSpec c = collections.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(quote(c.name())).append(", \"indexes\": [");
            for (int j = 0; j < c.indexes().size(); j++) {
                sb.append(j == 0 ? "\n" : ",\n").append("      ").append(c.indexes().get(j).canonical().toJson(RELAXED));
            }
            sb.append(c.indexes().isEmpty() ? "]" : "\n    ]");
            if (!c.drop().isEmpty()) {
                sb.append(", \"drop\": [").append(String.join(", ", c.drop().stream().map(SchemaManifest::quote).toList())).append(']');
            }
            sb.append('}');
        }
        return sb.append(collections.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    private static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
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
