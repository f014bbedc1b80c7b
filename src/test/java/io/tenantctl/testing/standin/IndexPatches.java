package io.tenantctl.testing.standin;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.IndexNotFoundException;
import de.bwaldvogel.mongo.exception.MongoServerError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The index commands of the patched stand-in, shared by its memory and H2 databases (which extend different library
 * classes). See {@link StandIn} for what is patched and why.
 */
final class IndexPatches {

    /** What the patches need from a database; the library keeps these protected, so each database exposes them. */
    interface Host<P> {
        /** The database's {@code system.indexes} collection, or null before its first collection exists. */
        MongoCollection<P> indexCollection();

        MongoCollection<P> resolveCollection(String collectionName, boolean throwIfNotFound);

        /** Removes the index from the collection (and, for H2, its map), leaving {@code system.indexes} alone. */
        void dropIndexOfCollection(MongoCollection<P> collection, String indexName);

        String namespace(String collectionName);

        /** Deletes the description of index {@code name} of {@code ns} from {@code system.indexes}. */
        default void deleteIndexDescription(String ns, String name) {
            indexCollection().deleteDocuments(new Document("ns", ns).append("name", name), 1);
        }
    }

    private IndexPatches() {
    }

    static boolean handles(String command) {
        return command.equalsIgnoreCase("dropIndexes") || command.equalsIgnoreCase("createIndexes");
    }

    /** Runs {@code command} (one {@link #handles} accepts); {@code library} runs a command the library's way. */
    static <P> Document handle(Host<P> host, String command, Document query, UnaryOperator<Document> library) {
        if (command.equalsIgnoreCase("dropIndexes")) {
            Document response = dropIndexes(host, command, query);
            return response != null ? response : library.apply(query);
        }
        return createIndexes(host, command, query, library);
    }

    /**
     * dropIndexes scoped to the named collection. The library deletes the description of every same-named index of
     * the database ({@code index: "name"}, upstream #246) or of every index of the database ({@code index: "*"}, #247)
     * from {@code system.indexes}, so other collections' indexes vanish from listIndexes while it reports success.
     * Returns null for forms it leaves to the library (an array of names, which the library does not support either).
     */
    private static <P> Document dropIndexes(Host<P> host, String command, Document query) {
        Object index = query.get("index");
        if (!(index instanceof String) && !(index instanceof Document)) {
            return null;
        }
        MongoCollection<P> collection = host.resolveCollection(String.valueOf(query.get(command)), false);
        Document response = new Document();
        if (collection != null) {
            response.put("nIndexesWas", collection.getNumIndexes());
            String ns = collection.getFullName();
            List<Document> drop = new ArrayList<>();
            for (Document d : descriptions(host, ns)) {
                boolean primary = ((Document) d.get("key")).keySet().equals(java.util.Set.of("_id"));
                boolean named = index instanceof Document keys
                        ? canonical(keys).equals(canonical((Document) d.get("key")))
                        : index.equals("*") ? !primary : index.equals(d.get("name"));
                if (named) {
                    drop.add(d);
                }
            }
            if (drop.isEmpty() && !"*".equals(index)) {
                throw index instanceof String name
                        ? new IndexNotFoundException("index not found with name [" + name + "]")
                        : new IndexNotFoundException((Document) index);
            }
            for (Document d : drop) {
                String name = (String) d.get("name");
                host.dropIndexOfCollection(collection, name);
                host.deleteIndexDescription(ns, name);
            }
        }
        Utils.markOkay(response);
        return response;
    }

    /**
     * createIndexes with MongoDB's conflict rules, which the library lacks (it only compares the {@code sparse} flag of
     * a same-named index, so a same-named index with another key or other options is often accepted silently, and
     * listIndexes then shows two indexes of one name):
     * <ul>
     *   <li>an index identical to an existing one (name, key, options) is a no-op;</li>
     *   <li>same name, another key or other options: 86 IndexKeySpecsConflict;</li>
     *   <li>another name, same key and same unique/sparse/partialFilterExpression: 85 IndexOptionsConflict.</li>
     * </ul>
     */
    private static <P> Document createIndexes(Host<P> host, String command, Document query, UnaryOperator<Document> library) {
        if (!(query.get("indexes") instanceof List<?> requested)) {
            return library.apply(query);
        }
        String collectionName = String.valueOf(query.get(command));
        List<Document> existing = descriptions(host, host.namespace(collectionName));
        List<Object> create = new ArrayList<>();
        for (Object o : requested) {
            if (!(o instanceof Document r) || !(r.get("name") instanceof String name) || !(r.get("key") instanceof Document key)) {
                create.add(o); // the library's own validation answers
                continue;
            }
            Document sameName = existing.stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
            if (sameName != null) {
                if (sameSpec(sameName, r)) {
                    continue;
                }
                throw new MongoServerError(86, "IndexKeySpecsConflict", "An existing index has the same name as the requested index. "
                        + "When index names are not specified, they are auto generated and can cause conflicts. "
                        + "Please refer to our documentation. Requested index: " + describe(r) + ", existing index: " + describe(sameName));
            }
            for (Document e : existing) {
                if (canonical(key).equals(canonical((Document) e.get("key"))) && sameIdentity(e, r)) {
                    throw new MongoServerError(85, "IndexOptionsConflict", "Index already exists with a different name: " + e.get("name"));
                }
            }
            create.add(r);
        }
        if (create.size() == requested.size()) {
            return library.apply(query);
        }
        if (create.isEmpty()) {
            int n = existing.size();
            Document response = new Document("numIndexesBefore", n).append("numIndexesAfter", n)
                    .append("note", "all indexes already exist");
            Utils.markOkay(response);
            return response;
        }
        Document rest = new Document();
        query.forEach((k, v) -> rest.put(k, k.equals("indexes") ? create : v));
        return library.apply(rest);
    }

    /**
     * The stand-in's unique index for {@code description}: the library's own, made partial when the description has
     * a {@code partialFilterExpression}. {@code description} is the one being created, or null when the library
     * reopens an index (H2, at start-up): then it is read from {@code system.indexes}.
     */
    static <P> Index<P> uniqueIndex(Host<P> host, Index<P> libraryIndex, String collectionName, Document description) {
        String ns = host.namespace(collectionName);
        if (description == null || !libraryIndex.getName().equals(description.get("name")) || !ns.equals(description.get("ns"))) {
            description = descriptions(host, ns).stream()
                    .filter(d -> libraryIndex.getName().equals(d.get("name")))
                    .findFirst().orElse(null);
        }
        if (description != null && description.get("partialFilterExpression") instanceof Document filter) {
            return new PartialUniqueIndex<>(libraryIndex, filter);
        }
        return libraryIndex;
    }

    private static <P> List<Document> descriptions(Host<P> host, String ns) {
        MongoCollection<P> system = host.indexCollection();
        List<Document> out = new ArrayList<>();
        if (system != null) {
            system.handleQuery(new Document("ns", ns)).forEach(out::add);
        }
        return out;
    }

    private static boolean sameSpec(Document a, Document b) {
        return canonical((Document) a.get("key")).equals(canonical((Document) b.get("key"))) && sameIdentity(a, b)
                && java.util.Objects.equals(number(a.get("expireAfterSeconds")), number(b.get("expireAfterSeconds")));
    }

    /** The options that make two indexes on one key different indexes (MongoDB's rule; a TTL alone does not). */
    private static boolean sameIdentity(Document a, Document b) {
        return Utils.isTrue(a.get("unique")) == Utils.isTrue(b.get("unique"))
                && Utils.isTrue(a.get("sparse")) == Utils.isTrue(b.get("sparse"))
                && java.util.Objects.equals(canonicalValue(a.get("partialFilterExpression")), canonicalValue(b.get("partialFilterExpression")));
    }

    private static String describe(Document d) {
        Document shown = new Document();
        d.forEach((k, v) -> {
            if (!k.equals("ns")) {
                shown.put(k, v);
            }
        });
        return shown.toString();
    }

    /** Numbers by value (1, 1L and 1.0 alike), field order kept. */
    private static Document canonical(Document d) {
        Document out = new Document();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            out.put(e.getKey(), canonicalValue(e.getValue()));
        }
        return out;
    }

    private static Object canonicalValue(Object v) {
        if (v instanceof Document d) {
            return canonical(d);
        }
        if (v instanceof List<?> list) {
            return list.stream().map(IndexPatches::canonicalValue).toList();
        }
        return v instanceof Number ? number(v) : v;
    }

    private static Double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : null;
    }
}
