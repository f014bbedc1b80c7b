package io.tenantctl.testing.standin;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

import java.util.List;

/** The memory backend's database with {@link IndexPatches}. */
final class PatchedMemoryDatabase extends MemoryDatabase implements IndexPatches.Host<Integer> {

    /** The index description being created (set under the database's lock, around the library's addIndex). */
    private Document creating;

    PatchedMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
        super(databaseName, cursorRegistry);
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
    protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        return IndexPatches.uniqueIndex(this, super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse),
                collectionName, creating);
    }

    @Override
    public MongoCollection<Integer> indexCollection() {
        return indexes.get();
    }

    @Override
    public void dropIndexOfCollection(MongoCollection<Integer> collection, String indexName) {
        dropIndex(collection, indexName);
    }

    @Override
    public String namespace(String collectionName) {
        return getFullCollectionNamespace(collectionName);
    }
}
