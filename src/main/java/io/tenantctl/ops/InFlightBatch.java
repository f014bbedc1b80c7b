package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.IndexSpec;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An aborted move's target that its rollback dropped and that is on its pool again: gc drops it only when it holds no
 * more than the batch the move's paused process had in flight could write after the rollback — one collection, at most
 * one batch of documents, each of them one the org's live database has, and no index the move's copy would not build
 * (the source's). Anything more is not the mover's: a database another catalog sharing the server keeps under that
 * name, or a later move's live copy a catalog put back from a snapshot forgot — dropped, it would lose data. An aborted
 * move's target its rollback could not drop (its pool did not answer then) may hold the move's copy itself: any of the
 * org's collections, each document one the org's live database has as it is, no index the move's copy would not build.
 */
final class InFlightBatch {

    private InFlightBatch() {
    }

    /** What the leftover of {@code m} holds beyond one batch in flight, or empty when that is all it holds. */
    static Optional<String> beyond(OpsContext ctx, MoveRepository.Move m) {
        try {
            Optional<io.tenantctl.catalog.Pool> pool = ctx.catalog().pools().find(m.toPool());
            Optional<Org> org = ctx.catalog().orgs().find(m.orgId());
            Optional<io.tenantctl.catalog.Pool> home = org.flatMap(o -> ctx.catalog().pools().find(o.poolId()));
            if (pool.isEmpty() || home.isEmpty()) {
                return Optional.of("org " + m.orgId() + " has no database to compare it with");
            }
            Retry.Attempts attempts = new Retry.Attempts();
            MongoDatabase leftover = ctx.pools().database(pool.get().poolId(), pool.get().uri(), m.toDatabase());
            MongoDatabase live = ctx.pools().database(home.get().poolId(), home.get().uri(), org.get().databaseName());
            Set<String> names = new TreeSet<>(SchemaApply.collections(leftover, ctx.retry(), attempts));
            names.removeIf(n -> n.startsWith("system."));
            if (!m.targetDropped()) { // never dropped: the move's copy itself, any of the org's collections, as it has them
                for (String name : names) {
                    Optional<String> more = beyondTheOrg(ctx, m, leftover, live, name, attempts);
                    if (more.isPresent()) {
                        return more;
                    }
                }
                return Optional.empty();
            }
            if (names.size() > 1) {
                return Optional.of(names.size() + " collections (a batch writes into one)");
            }
            if (names.isEmpty()) {
                return Optional.empty();
            }
            String name = names.iterator().next();
            long docs = leftover.getCollection(name).countDocuments();
            if (docs > DocBatch.DOCS) {
                return Optional.of(docs + " documents in " + name + " (a batch holds at most " + DocBatch.DOCS + ")");
            }
            return beyondTheOrg(ctx, m, leftover, live, name, attempts);
        } catch (RuntimeException e) {
            return Optional.of("could not be compared with org " + m.orgId() + "'s database (" + Errors.oneLine(e) + ")");
        }
    }

    /** What the leftover's {@code name} holds that org's live database does not (an index, documents), or empty. */
    private static Optional<String> beyondTheOrg(OpsContext ctx, MoveRepository.Move m, MongoDatabase leftover, MongoDatabase live,
                                                 String name, Retry.Attempts attempts) {
        List<String> foreign = foreignIndexes(ctx, leftover, live, name, attempts);
        if (!foreign.isEmpty()) {
            return Optional.of("indexes the move's copy does not build (" + String.join(", ", foreign) + ")");
        }
        long absent = absent(leftover, live, name);
        return absent == 0 ? Optional.empty()
                : Optional.of(io.tenantctl.Counted.of(absent, "document") + " in " + name + " that org " + m.orgId() + "'s database does not have");
    }

    /** The leftover's indexes on {@code name} (but _id_) that the live collection does not have as they are. */
    private static List<String> foreignIndexes(OpsContext ctx, MongoDatabase leftover, MongoDatabase live, String name, Retry.Attempts attempts) {
        Map<String, IndexSpec> wanted = new HashMap<>();
        if (SchemaApply.collections(live, ctx.retry(), attempts).contains(name)) {
            for (Document d : live.getCollection(name).listIndexes()) {
                IndexSpec spec = IndexSpec.fromListIndexes(d);
                wanted.put(spec.name(), spec);
            }
        }
        List<String> out = new ArrayList<>();
        for (Document d : leftover.getCollection(name).listIndexes()) {
            IndexSpec spec = IndexSpec.fromListIndexes(d);
            if (!spec.name().equals("_id_") && (!wanted.containsKey(spec.name()) || !spec.sameSpecAs(wanted.get(spec.name())))) {
                out.add(name + "." + spec.name());
            }
        }
        return out;
    }

    /**
     * How many of the leftover's documents in {@code name} the live database lacks or holds otherwise (read a batch at a
     * time): by their exact bytes, as the move copied them, and by {@link Mover#idKey} (BsonDocument.equals ignores field
     * order, so {@code {user, day}} would pass for {@code {day, user}}, another document's _id).
     */
    private static long absent(MongoDatabase leftover, MongoDatabase live, String name) {
        long absent = 0;
        Map<Object, RawBsonDocument> mine = new HashMap<>();
        for (RawBsonDocument d : leftover.getCollection(name, RawBsonDocument.class).find().batchSize(DocBatch.DOCS)) {
            mine.put(Mover.idKey(d.get("_id")), d);
            if (mine.size() == DocBatch.DOCS) {
                absent += absentOf(mine, live, name);
                mine.clear();
            }
        }
        return absent + absentOf(mine, live, name);
    }

    private static long absentOf(Map<Object, RawBsonDocument> mine, MongoDatabase live, String name) {
        if (mine.isEmpty()) {
            return 0;
        }
        BsonArray ids = new BsonArray();
        mine.values().forEach(d -> ids.add(d.get("_id")));
        BsonDocument filter = new BsonDocument("_id", new BsonDocument("$in", ids));
        long same = 0;
        for (RawBsonDocument d : live.getCollection(name, RawBsonDocument.class).find(filter).batchSize(DocBatch.DOCS)) {
            RawBsonDocument copy = mine.get(Mover.idKey(d.get("_id")));
            if (copy != null && copy.getByteBuffer().asNIO().equals(d.getByteBuffer().asNIO())) {
                same++;
            }
        }
        return mine.size() - same;
    }
}
