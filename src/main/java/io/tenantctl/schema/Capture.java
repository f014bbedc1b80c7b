package io.tenantctl.schema;

import io.tenantctl.TenantctlException;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A manifest written from what a reference database's {@code listCollections} and {@code listIndexes} returned. Pure:
 * the caller does the reading. Anything the manifest cannot express (views, collection options, index options such
 * as a collation) is refused, named, rather than silently left out of the manifest.
 */
public final class Capture {

    /** listIndexes fields that are bookkeeping or build-time hints, not part of what an index is (as schema diff ignores them). */
    private static final Set<String> IGNORED = IndexSpec.IGNORED_LISTED_FIELDS;
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private Capture() {
    }

    /**
     * @param source      names the reference database in messages
     * @param collections documents from listCollections ({@code name}, {@code type}, {@code options})
     * @param indexes     collection name → documents from listIndexes
     * @return the manifest, validated as {@code --schema} would validate it; collections sorted by name, indexes in
     * the order listIndexes returned them, key order kept, {@code _id_} and {@code system.*} left out
     */
    public static SchemaManifest manifest(String source, String description, List<Document> collections,
                                          Map<String, List<Document>> indexes) {
        List<String> cannot = new ArrayList<>();
        List<Document> out = new ArrayList<>();
        List<Document> sorted = collections.stream().sorted(Comparator.comparing(c -> c.getString("name"))).toList();
        for (Document info : sorted) {
            String name = info.getString("name");
            if (name.startsWith("system.")) {
                continue;
            }
            String type = info.getString("type");
            if (type != null && !type.equals("collection")) {
                cannot.add(name + " is a " + type + " (a manifest describes plain collections)");
                continue;
            }
            if (info.get("options") instanceof Document options && !options.isEmpty()) {
                cannot.add(name + " has collection options " + options.toJson(RELAXED));
            }
            List<Document> specs = new ArrayList<>();
            for (Document d : indexes.getOrDefault(name, List.of())) {
                if (!"_id_".equals(d.getString("name"))) {
                    specs.add(index(name, d, cannot));
                }
            }
            out.add(new Document("name", name).append("indexes", specs));
        }
        if (!cannot.isEmpty()) {
            throw TenantctlException.usage(source + " has what a manifest cannot express, and a capture would silently lose it: "
                    + String.join("; ", cannot) + " (change the reference database or the application, then capture again)");
        }
        if (out.isEmpty()) {
            throw TenantctlException.usage(source + " has no collections: check --database, and start the application "
                    + "against that database (with autoIndex on) before capturing it");
        }
        Document root = new Document();
        if (description != null) {
            root.append("description", description);
        }
        root.append("collections", out);
        return SchemaManifest.parse(root.toJson(RELAXED), source);
    }

    /** One listIndexes document as a manifest index; options it cannot carry go to {@code cannot}. */
    private static Document index(String collection, Document d, List<String> cannot) {
        String name = d.getString("name");
        Document spec = new Document("name", name).append("key", d.get("key"));
        for (Map.Entry<String, Object> e : d.entrySet()) {
            String option = e.getKey();
            Object v = e.getValue();
            switch (option) {
                case "name", "key" -> {
                }
                case "unique", "sparse" -> {
                    if (v instanceof Boolean b ? b : v instanceof Number n && n.doubleValue() != 0) {
                        spec.append(option, true);
                    } else if (!(v instanceof Boolean || v instanceof Number)) {
                        cannot.add(collection + "." + name + " option " + new Document(option, v).toJson(RELAXED));
                    }
                }
                case "expireAfterSeconds", "partialFilterExpression" -> spec.append(option, v);
                default -> {
                    if (!IGNORED.contains(option)) {
                        cannot.add(collection + "." + name + " option " + new Document(option, v).toJson(RELAXED));
                    }
                }
            }
        }
        return spec;
    }
}
