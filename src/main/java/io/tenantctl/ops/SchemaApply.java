package io.tenantctl.ops;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaManifest;
import org.bson.Document;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a manifest to one database the way FerretDB likes it: every missing collection first, then one
 * {@code createIndexes} per collection carrying all of its indexes, each call retried on deadlocks.
 */
final class SchemaApply {

    private static final int NAMESPACE_EXISTS = 48;

    /** A failed step, saying which command on which collection. */
    static final class StepFailure extends RuntimeException {
        StepFailure(String step, RuntimeException cause) {
            super(step + ": " + io.tenantctl.pool.FerretErrors.describe(cause), cause);
        }
    }

    /** Same-name conflicts without --replace-conflicting: the org fails, and the plan (what else it found) goes with it. */
    static final class ConflictFailure extends io.tenantctl.TenantctlException {
        final Plan plan;

        ConflictFailure(String message, Plan plan) {
            super(Category.FAILED, message);
            this.plan = plan;
        }
    }

    private SchemaApply() {
    }

    /** Collections that exist in {@code db}. */
    static Set<String> collections(MongoDatabase db, Retry retry, Retry.Attempts attempts) {
        return step("listCollections", () -> retry.call(attempts, () -> db.listCollectionNames().into(new HashSet<>())));
    }

    /** listIndexes for each named collection that exists. */
    static Map<String, List<Document>> indexes(MongoDatabase db, Set<String> existing, List<String> names, Retry retry,
                                               Retry.Attempts attempts) {
        Map<String, List<Document>> out = new LinkedHashMap<>();
        for (String name : names) {
            if (existing.contains(name)) {
                out.put(name, step("listIndexes on " + name,
                        () -> retry.call(attempts, () -> db.getCollection(name).listIndexes().into(new ArrayList<>()))));
            }
        }
        return out;
    }

    /** The first collection of {@code existing} that holds at least one document, or null when all are empty. */
    static String firstNonEmpty(MongoDatabase db, Set<String> existing, Retry retry, Retry.Attempts attempts) {
        for (String name : new java.util.TreeSet<>(existing)) {
            if (name.startsWith("system.")) {
                continue;
            }
            Document one = step("find in " + name, () -> retry.call(attempts,
                    () -> db.getCollection(name).find().projection(new Document("_id", 1)).limit(1).first()));
            if (one != null) {
                return name;
            }
        }
        return null;
    }

    static void createCollection(MongoDatabase db, String name, Retry retry, Retry.Attempts attempts) {
        step("create " + name, () -> retry.call(attempts, () -> {
            try {
                return db.runCommand(new Document("create", name));
            } catch (MongoCommandException e) {
                if (e.getErrorCode() == NAMESPACE_EXISTS) {
                    return null;
                }
                throw e;
            }
        }));
    }

    static void createIndexes(MongoDatabase db, String collection, List<IndexSpec> indexes, Retry retry, Retry.Attempts attempts) {
        if (indexes.isEmpty()) {
            return;
        }
        List<Document> specs = indexes.stream().map(IndexSpec::toCreateDocument).toList();
        step("createIndexes on " + collection, () -> retry.call(attempts,
                () -> db.runCommand(new Document("createIndexes", collection).append("indexes", specs))));
    }

    static void dropIndex(MongoDatabase db, String collection, String index, Retry retry, Retry.Attempts attempts) {
        step("dropIndexes " + collection + "." + index, () -> retry.call(attempts,
                () -> db.runCommand(new Document("dropIndexes", collection).append("index", index))));
    }

    /** Creates everything in {@code manifest} on a database believed new (or half-made): no diff needed. */
    static void applyAll(MongoDatabase db, SchemaManifest manifest, Retry retry, Retry.Attempts attempts) {
        applyAll(db, manifest, collections(db, retry, attempts), retry, attempts);
    }

    /** As {@link #applyAll(MongoDatabase, SchemaManifest, Retry, Retry.Attempts)}, with the collections already listed. */
    static void applyAll(MongoDatabase db, SchemaManifest manifest, Set<String> existing, Retry retry, Retry.Attempts attempts) {
        for (CollectionSpec c : manifest.collections()) {
            if (!existing.contains(c.name())) {
                createCollection(db, c.name(), retry, attempts);
            }
        }
        for (CollectionSpec c : manifest.collections()) {
            createIndexes(db, c.name(), c.indexes(), retry, attempts);
        }
    }

    /** What migrating one org found, and (unless a dry run) did. Entries are "collection" or "collection.index". */
    record Plan(List<String> createCollections, List<String> createIndexes, List<String> conflicts, List<String> replaced,
                List<String> extras, List<String> pruned) {
        boolean changes() {
            return !createCollections.isEmpty() || !createIndexes.isEmpty() || !replaced.isEmpty() || !pruned.isEmpty();
        }
    }

    /**
     * Diff-driven apply: inspects only {@code inspect} (the collections that changed since the org's recorded
     * manifest, or all of them), creates what is missing, and handles same-name conflicts and extra indexes as
     * the flags say. A conflict without {@code replaceConflicting} fails the org, showing both specs.
     */
    static Plan migrate(MongoDatabase db, SchemaManifest target, java.util.Collection<String> inspect, boolean replaceConflicting,
                        boolean prune, boolean dryRun, Retry retry, Retry.Attempts attempts) {
        SchemaManifest part = target.subset(inspect);
        Set<String> existing = collections(db, retry, attempts);
        List<String> names = part.collections().stream().map(CollectionSpec::name).toList();
        io.tenantctl.schema.SchemaDiff diff = io.tenantctl.schema.SchemaDiff.compute(part, existing, indexes(db, existing, names, retry, attempts));
        List<String> createIndexes = new ArrayList<>();
        diff.missingIndexes().forEach((c, list) -> list.forEach(i -> createIndexes.add(c + "." + i.name())));
        List<String> conflicts = diff.conflicts().stream().map(io.tenantctl.schema.SchemaDiff.Conflict::describe).toList();
        List<String> extras = diff.extras().stream().map(x -> x.collection() + "." + x.index().name()).toList();
        boolean replace = replaceConflicting && !conflicts.isEmpty();
        Plan plan = new Plan(diff.missingCollections(), createIndexes, conflicts,
                replace ? diff.conflicts().stream().map(c -> c.collection() + "." + c.wanted().name()).toList() : List.of(),
                extras, prune ? extras : List.of());
        if (!conflicts.isEmpty() && !replaceConflicting) {
            throw new ConflictFailure(conflicts.size()
                    + " conflicting index" + (conflicts.size() == 1 ? "" : "es") + " (pass --replace-conflicting to drop and recreate): "
                    + String.join("; ", conflicts), plan);
        }
        if (dryRun) {
            return plan;
        }
        for (String c : diff.missingCollections()) {
            createCollection(db, c, retry, attempts);
        }
        Map<String, List<IndexSpec>> toCreate = new LinkedHashMap<>();
        diff.missingIndexes().forEach((c, list) -> toCreate.computeIfAbsent(c, k -> new ArrayList<>()).addAll(list));
        if (replace) {
            for (io.tenantctl.schema.SchemaDiff.Conflict c : diff.conflicts()) {
                dropIndex(db, c.collection(), c.actual().name(), retry, attempts);
                toCreate.computeIfAbsent(c.collection(), k -> new ArrayList<>()).add(c.wanted());
            }
        }
        toCreate.forEach((c, list) -> createIndexes(db, c, list, retry, attempts));
        if (prune) {
            for (io.tenantctl.schema.SchemaDiff.Extra x : diff.extras()) {
                dropIndex(db, x.collection(), x.index().name(), retry, attempts);
            }
        }
        return plan;
    }

    static <T> T step(String name, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (StepFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StepFailure(name, e);
        }
    }
}
