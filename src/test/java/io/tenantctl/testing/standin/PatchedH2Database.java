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

    PatchedH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
        super(databaseName, mvStore, cursorRegistry);
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

    @Override
    public String namespace(String collectionName) {
        return getFullCollectionNamespace(collectionName);
    }
}
