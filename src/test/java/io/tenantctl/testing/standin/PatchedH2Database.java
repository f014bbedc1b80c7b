package io.tenantctl.testing.standin;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.util.List;

/** The H2 backend's database (the sandbox keeps pools in files with it) with {@link IndexPatches}. */
final class PatchedH2Database extends H2Database implements IndexPatches.Host<Object> {

    /**
     * The index description being created (set under the database's lock, around the library's addIndex). Null while
     * the library reopens a file's indexes in the constructor, before this field is initialised: then
     * {@link IndexPatches#uniqueIndex} reads the description from system.indexes.
     */
    private Document creating;
    private final MVStore store;

    PatchedH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
        super(databaseName, mvStore, cursorRegistry);
        this.store = mvStore;
    }

    /**
     * The library's drop removes every map whose name merely starts with "databases." or "meta." and this database's
     * name: dropping org_acme emptied org_acme__m2 (a move's target beside its retained source, dropped by gc). Another
     * database's maps are set aside for the drop, and put back after it.
     */
    @Override
    public void drop(Oplog oplog) {
        List<String> others = store.getMapNames().stream().filter(this::anotherDatabases).toList();
        others.forEach(name -> store.renameMap(store.openMap(name), SET_ASIDE + name));
        try {
            super.drop(oplog);
        } finally {
            others.forEach(name -> store.renameMap(store.openMap(SET_ASIDE + name), name));
        }
    }

    private static final String SET_ASIDE = "set-aside-during-a-drop.";

    private boolean anotherDatabases(String map) {
        for (String prefix : List.of("databases.", "meta.")) {
            String own = prefix + getDatabaseName();
            if (map.startsWith(own) && !map.startsWith(own + ".")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver, Oplog oplog) {
        if (!IndexPatches.handles(command)) {
            return super.handleCommand(channel, command, query, resolver, oplog);
        }
        synchronized (this) {
            clearLastStatus(channel);
            return IndexPatches.handle(this, command, query, q -> super.handleCommand(channel, command, q, resolver, oplog));
        }
    }

    @Override
    protected synchronized void addIndex(Document indexDescription) {
        // nested: creating an index on a new collection first creates the collection and its _id_ index
        Document outer = creating;
        creating = indexDescription;
        try {
            super.addIndex(indexDescription);
        } finally {
            creating = outer;
        }
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        return IndexPatches.uniqueIndex(this, super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse),
                collectionName, creating);
    }

    @Override
    public MongoCollection<Object> indexCollection() {
        return indexes.get();
    }

    @Override
    public void dropIndexOfCollection(MongoCollection<Object> collection, String indexName) {
        dropIndex(collection, indexName);
    }

    /**
     * Straight from the map: the library finds the document it deletes by using it as a query, in which a partial filter
     * that begins with an operator ({"$or": […]}) is an operator, not a value; nothing matched, nothing was deleted, and
     * dropIndexes answered ok with the index still listed (the memory backend is not affected).
     */
    @Override
    public void deleteIndexDescription(String ns, String name) {
        MVMap<Object, Document> descriptions = store.openMap("databases." + namespace("system.indexes"));
        descriptions.entrySet().stream().filter(e -> ns.equals(e.getValue().get("ns")) && name.equals(e.getValue().get("name")))
                .map(java.util.Map.Entry::getKey).findFirst().ifPresent(descriptions::remove);
    }

    @Override
    public String namespace(String collectionName) {
        return getFullCollectionNamespace(collectionName);
    }
}
