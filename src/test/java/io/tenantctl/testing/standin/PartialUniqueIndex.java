package io.tenantctl.testing.standin;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;

/**
 * A unique index that holds only the documents matching its {@code partialFilterExpression}, as MongoDB and FerretDB
 * do: documents outside the filter are neither checked for duplicates nor indexed. mongo-java-server 1.47 ignores the
 * filter and enforces uniqueness on every document (upstream issue #162), so LibreChat's users — whose eight
 * {@code <provider>Id_1_tenantId_1} indexes are unique among the users that have that id — cannot hold two users
 * without a Google id. This wraps the library's own unique index and decides, per document, whether it takes part.
 *
 * <p>It never answers queries ({@link #canHandle} is false): it does not hold every document, so a query it
 * answered could miss some; queries fall back to a scan, which only costs time in a test.
 */
final class PartialUniqueIndex<P> extends Index<P> {

    private final Index<P> unique;
    private final Document filter;

    PartialUniqueIndex(Index<P> unique, Document filter) {
        // "sparse" to the collection: a document this index does not hold is not an inconsistency when it is removed
        super(unique.getName(), unique.getKeys(), true);
        this.unique = unique;
        this.filter = filter;
    }

    Document filter() {
        return filter;
    }

    private boolean holds(Document document) {
        return new DefaultQueryMatcher().matches(document, filter);
    }

    @Override
    public P getPosition(Document document) {
        return holds(document) ? unique.getPosition(document) : null;
    }

    @Override
    public void checkAdd(Document document, MongoCollection<P> collection) {
        if (holds(document)) {
            unique.checkAdd(document, collection);
        }
    }

    @Override
    public void add(Document document, P position, MongoCollection<P> collection) {
        if (holds(document)) {
            unique.add(document, position, collection);
        }
    }

    @Override
    public P remove(Document document) {
        return holds(document) ? unique.remove(document) : null;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
        if (!holds(newDocument)) {
            return;
        }
        if (holds(oldDocument)) {
            unique.checkUpdate(oldDocument, newDocument, collection);
        } else {
            unique.checkAdd(newDocument, collection);
        }
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> collection)
            throws KeyConstraintError {
        boolean before = holds(oldDocument);
        boolean after = holds(newDocument);
        if (before && after) {
            unique.updateInPlace(oldDocument, newDocument, position, collection);
        } else if (before) {
            unique.remove(oldDocument);
        } else if (after) {
            unique.add(newDocument, position, collection);
        }
    }

    @Override
    public boolean canHandle(Document query) {
        return false;
    }

    @Override
    public Iterable<P> getPositions(Document query) {
        throw new UnsupportedOperationException("a partial index answers no queries");
    }

    @Override
    public long getCount() {
        return unique.getCount();
    }

    @Override
    public boolean isEmpty() {
        return unique.isEmpty();
    }

    @Override
    public long getDataSize() {
        return unique.getDataSize();
    }

    @Override
    public boolean isUnique() {
        return true;
    }

    @Override
    public boolean hasSameOptions(Index<?> other) {
        return other instanceof PartialUniqueIndex<?> p && p.filter.equals(filter) && unique.hasSameOptions(p.unique);
    }

    @Override
    public void drop() {
        unique.drop();
    }

    @Override
    public Document toIndexDescription() {
        return unique.toIndexDescription().append("partialFilterExpression", filter);
    }
}
