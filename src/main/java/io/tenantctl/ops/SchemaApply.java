package io.tenantctl.ops;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolUri;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaDiff;
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
    private static final int INDEX_NOT_FOUND = 27;

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

    /** The names of the databases on the server {@code admin} (its admin database) is on: listDatabases, names only. */
    static Set<String> databaseNames(MongoDatabase admin, Retry retry, Retry.Attempts attempts) {
        Document reply = step("listDatabases", () -> retry.call(attempts,
                () -> admin.runCommand(new Document("listDatabases", 1).append("nameOnly", true))));
        Set<String> names = new java.util.TreeSet<>();
        for (Document d : reply.getList("databases", Document.class)) {
            names.add(d.getString("name"));
        }
        return names;
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

    /**
     * Refuses (FAILED, {@code why} naming the collection) a database whose {@code existing} collections hold documents:
     * provision and migrate-all never take over data tenantctl did not write; {@code orgs adopt} registers it.
     */
    static void refuseIfHoldsData(MongoDatabase db, Set<String> existing, Retry retry, Retry.Attempts attempts,
                                  java.util.function.Function<String, String> why) {
        String holding = firstNonEmpty(db, existing, retry, attempts);
        if (holding != null) {
            throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, why.apply(holding));
        }
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

    /**
     * Drops one index. A retry that finds it gone (27, IndexNotFound) after a try whose reply was lost (a read timeout, a
     * reset connection: retried as FERRETDB.md says) is the drop done, not a failure: that try dropped it. A first try
     * that finds it gone still fails.
     */
    static void dropIndex(MongoDatabase db, String collection, String index, Retry retry, Retry.Attempts attempts) {
        boolean[] unanswered = {false};
        step("dropIndexes " + collection + "." + index, () -> retry.call(attempts, () -> {
            try {
                return db.runCommand(new Document("dropIndexes", collection).append("index", index));
            } catch (MongoCommandException e) {
                if (e.getErrorCode() == INDEX_NOT_FOUND && unanswered[0]) {
                    return null;
                }
                throw e;
            } catch (RuntimeException e) {
                unanswered[0] |= io.tenantctl.pool.FerretErrors.notAnswering(e);
                throw e;
            }
        }));
    }

    /**
     * What {@link #migrate} inspects of an org on {@code older}: the collections that changed since, and those {@code older}
     * listed that {@code target} no longer does, so their indexes are read (and one that is not harmless reported) even
     * when nothing else changed.
     */
    static Set<String> inspect(SchemaManifest target, SchemaManifest older) {
        Set<String> inspect = target.changedSince(older);
        older.collections().stream().map(CollectionSpec::name).filter(c -> target.collection(c) == null).forEach(inspect::add);
        return inspect;
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

    /**
     * What migrating one org found, and (unless a dry run) did. Entries are "collection" or "collection.index".
     * {@code replaced}: indexes rebuilt in place of one with the same name or the same key; {@code dropped}: superseded
     * indexes (the manifest's {@code drop} lists) removed after the new ones existed; {@code duplicates}: what the
     * pre-flight check found under new unique indexes; {@code constraining}: the extras that refuse writes or delete documents
     * the manifest would not (see {@link SchemaDiff.Extra#effect}), with what each does; {@code dropByHand}: those of them on
     * a collection the manifest does not list, which no rollout touches (not even --prune), each with the mongosh script that
     * drops it ({@link SchemaDiff#dropByHand}; a rollout's, {@link #on} its pool: the line to paste, as schema diff and verify give it).
     */
    record Plan(List<String> createCollections, List<String> createIndexes, List<String> conflicts, List<String> replaced,
                List<String> dropped, List<String> extras, List<String> pruned, List<String> duplicates, List<String> expiring,
                List<String> constraining, List<ByHand> dropByHand) {
        boolean changes() {
            return !createCollections.isEmpty() || !createIndexes.isEmpty() || !replaced.isEmpty() || !dropped.isEmpty()
                    || !pruned.isEmpty();
        }

        /** This plan with each dropByHand command the mongosh line that runs it on {@code pool} ({@link PoolUri#mongosh}). */
        Plan on(io.tenantctl.catalog.Pool pool) {
            return new Plan(createCollections, createIndexes, conflicts, replaced, dropped, extras, pruned, duplicates, expiring,
                    constraining, dropByHand.stream().map(b -> new ByHand(b.index(), PoolUri.stored(pool.uri()).mongosh(b.command()))).toList());
        }
    }

    /** A constraining extra ("collection.index") on a collection the manifest does not list, and the command that drops it. */
    record ByHand(String index, String command) {
    }

    /** How an org's failure says the unique pre-flight found duplicates (and how a later next step knows it did). */
    static final String DUPLICATE_KEYS = "existing documents hold duplicate keys under new unique index";

    /** New unique indexes that existing documents would violate: the org fails before anything is dropped or created. */
    static final class DuplicateFailure extends io.tenantctl.TenantctlException {
        final Plan plan;

        DuplicateFailure(String message, Plan plan) {
            super(Category.FAILED, message);
            this.plan = plan;
        }
    }

    /** Rebuilding one index failed; the message says whether the old one was put back. */
    static final class ReplaceFailure extends io.tenantctl.TenantctlException {
        ReplaceFailure(String message, Throwable cause) {
            super(Category.FAILED, message, cause);
        }
    }

    /**
     * An index to rebuild: the database's {@code old} (its listIndexes document) gives way to {@code wanted}; {@code first},
     * if not null, is dropped before it: a superseded (or, with --prune, extra) index of another name that holds
     * {@code wanted}'s key, which the server would otherwise refuse (85).
     */
    private record Replacement(String collection, Document old, IndexSpec wanted, Document first) {
        Replacement(String collection, Document old, IndexSpec wanted) {
            this(collection, old, wanted, null);
        }

        String describe() {
            return collection + "." + wanted.name() + (old.getString("name").equals(wanted.name()) ? "" : " (was " + old.getString("name") + ")");
        }
    }

    /**
     * Diff-driven apply that never leaves an org weaker than it was. Inspects only {@code inspect} (the collections
     * that changed since the org's recorded manifest, or all of them); then, in this order:
     * <ol>
     *   <li>checks, before writing anything: same-name conflicts, and new indexes whose key an existing index of another
     *       name already has (the server refuses both) fail the org unless they may be replaced (--replace-conflicting;
     *       for a same-key index also its being superseded or --prune); every new unique index on an existing collection
     *       is checked for duplicate keys (also in a dry run);</li>
     *   <li>creates missing collections, then every missing index (one createIndexes per collection);</li>
     *   <li>replaces, one index at a time: drop the old, create the new, and if that fails put the old spec back;</li>
     *   <li>only then drops superseded indexes (the manifest's drop lists), and with --prune every other extra.</li>
     * </ol>
     */
    static Plan migrate(MongoDatabase db, SchemaManifest target, java.util.Collection<String> inspect, boolean replaceConflicting,
                        boolean prune, boolean allowExpiry, boolean dryRun, Retry retry, Retry.Attempts attempts) {
        return migrate(db, target, inspect, replaceConflicting, prune, allowExpiry, dryRun, retry, attempts, () -> { });
    }

    /**
     * As above; {@code beforeFirstWrite} runs once the checks have passed and just before the first command that changes
     * the database (not at all in a dry run, or when there is nothing to change): from then on a failure can leave the
     * database between the old manifest and the new one, which the caller records (migrate-all: the org's schema is unknown).
     */
    static Plan migrate(MongoDatabase db, SchemaManifest target, java.util.Collection<String> inspect, boolean replaceConflicting,
                        boolean prune, boolean allowExpiry, boolean dryRun, Retry retry, Retry.Attempts attempts,
                        Runnable beforeFirstWrite) {
        return migrate(db, target, inspect, replaceConflicting, prune, allowExpiry, dryRun, retry, attempts, beforeFirstWrite, existing -> { });
    }

    /**
     * A rollout's {@link #migrate} of {@code org}'s database on {@code pool}, which first {@link #refuseIfGone refuses} to
     * make the database of an org whose data is missing.
     */
    static Plan migrate(OpsContext ctx, io.tenantctl.catalog.Pool pool, io.tenantctl.catalog.Org org, SchemaManifest target,
                        java.util.Collection<String> inspect, boolean replaceConflicting, boolean prune, boolean allowExpiry,
                        boolean dryRun, Retry.Attempts attempts, Runnable beforeFirstWrite) {
        return migrate(ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName()), target, inspect, replaceConflicting, prune,
                allowExpiry, dryRun, ctx.retry(), attempts, beforeFirstWrite, existing -> refuseIfGone(ctx, pool, org, existing, attempts)).on(pool);
    }

    /**
     * Refuses (FAILED, before anything is made, in a dry run too) a rollout of an org whose status says it holds data (not
     * one being provisioned, nor one whose provision failed: their database may not exist yet) and whose database is not
     * on its pool: FerretDB makes a database on its first create, so the rollout would put an empty one where the org's
     * data should be, report it migrated, and hide the loss from verify (missing_database) and the next backup. Asked
     * only when the database lists no collection (one that exists holds some), by a listDatabases of its name alone, so
     * an org that has its collections costs nothing more; a pool user that may not list databases (code 13) goes on as before.
     */
    static void refuseIfGone(OpsContext ctx, io.tenantctl.catalog.Pool pool, io.tenantctl.catalog.Org org, Set<String> existing,
                             Retry.Attempts attempts) {
        if (!existing.isEmpty() || Set.of(io.tenantctl.catalog.Org.PROVISIONING, io.tenantctl.catalog.Org.FAILED).contains(org.status())) {
            return;
        }
        MongoDatabase admin = ctx.pools().database(pool.poolId(), pool.uri(), "admin");
        Document reply;
        try {
            reply = step("listDatabases", () -> ctx.retry().call(attempts, () -> admin.runCommand(new Document("listDatabases", 1)
                    .append("nameOnly", true).append("filter", new Document("name", org.databaseName())))));
        } catch (StepFailure e) {
            if (e.getCause() instanceof MongoCommandException c && c.getErrorCode() == 13) {
                return;
            }
            throw e;
        }
        if (reply.getList("databases", Document.class).stream().noneMatch(d -> org.databaseName().equals(d.getString("name")))) {
            throw new DataGoneFailure("database " + org.databaseName() + " is not on pool " + pool.poolId() + " at all: the org's data "
                    + "is not where the catalog says, and a rollout makes no empty database in its place (nothing was created); "
                    + "'tenantctl verify --org " + org.orgId() + "' says where a copy may be and how to bring it back");
        }
    }

    /**
     * A rollout's refusal of an org whose database is gone from its pool ({@link #refuseIfGone}): a re-run refuses it again
     * until the data is back. Recorded on the org's run item as {@code "database_gone": true} in its detail
     * ({@link #failureDetail}), which its next steps go by ({@link Errors#dataGone}), not by the message's wording.
     */
    static final class DataGoneFailure extends io.tenantctl.TenantctlException {
        static final String FIELD = "database_gone";

        DataGoneFailure(String message) {
            super(Category.FAILED, message);
        }
    }

    /** The detail a rollout records on the item of an org it failed on {@code e}: what it found (a plan), that its database is gone, or null. */
    static String failureDetail(RuntimeException e, com.fasterxml.jackson.databind.ObjectMapper planJson) {
        return e instanceof ConflictFailure c ? planJson.valueToTree(c.plan).toString() : e instanceof DuplicateFailure d
                ? planJson.valueToTree(d.plan).toString() : e instanceof DataGoneFailure ? "{\"" + DataGoneFailure.FIELD + "\":true}" : null;
    }

    /**
     * An org's line of a rollout (its -o json detail) from the detail its item recorded: its plan (null when none: a detail
     * that only marks its failure, {@link io.tenantctl.ops.run.RunReport.Mark}, is none), and {@code database_gone: true}
     * beside a null plan for an org refused because its database is gone.
     */
    static String lineDetail(String recorded) {
        return dataGone(recorded) ? "{\"plan\":null,\"" + DataGoneFailure.FIELD + "\":true}" : "{\"plan\":" + (recorded == null
                || !io.tenantctl.ops.run.RunReport.Mark.in(recorded).isEmpty() ? "null" : recorded) + "}";
    }

    /** Whether a rollout's item detail, or its line's, records its refusal of an org whose database is gone ({@link DataGoneFailure}). */
    static boolean dataGone(String detailJson) {
        // a plan (most lines) is not parsed a second time: only a detail naming the field is read for it
        return detailJson != null && detailJson.contains(DataGoneFailure.FIELD) && Json.tree(detailJson).path(DataGoneFailure.FIELD).asBoolean(false);
    }

    private static Plan migrate(MongoDatabase db, SchemaManifest target, java.util.Collection<String> inspect, boolean replaceConflicting,
                                boolean prune, boolean allowExpiry, boolean dryRun, Retry retry, Retry.Attempts attempts,
                                Runnable beforeFirstWrite, java.util.function.Consumer<Set<String>> listed) {
        SchemaManifest part = target.subset(inspect);
        Set<String> existing = collections(db, retry, attempts);
        listed.accept(existing);
        List<String> names = new ArrayList<>(part.collections().stream().map(CollectionSpec::name).toList());
        // as schema diff reads them: the collections the whole manifest does not list, whose indexes no rollout touches
        // (not even --prune) but one that refuses writes or deletes documents is not harmless (SchemaDiff.compute keeps those)
        Set<String> unlisted = new HashSet<>(SchemaDiff.unlistedCollections(target, existing));
        names.addAll(unlisted);
        Map<String, List<Document>> raw = indexes(db, existing, names, retry, attempts);
        SchemaDiff diff = SchemaDiff.compute(part, existing, raw);

        // new indexes whose key an existing index of another name already has: the server refuses them (85)
        List<Replacement> replacements = new ArrayList<>();
        List<String> blocked = new ArrayList<>(); // such new indexes that replace the old only with --replace-conflicting: conflicts diff.conflicts() lacks
        Set<String> consumed = new HashSet<>();
        Map<String, List<IndexSpec>> toCreate = new LinkedHashMap<>();
        diff.missingIndexes().forEach((c, list) -> {
            for (IndexSpec wanted : list) {
                Document same = sameKey(raw.getOrDefault(c, List.of()), wanted, consumed, c);
                if (same == null) {
                    toCreate.computeIfAbsent(c, k -> new ArrayList<>()).add(wanted);
                    continue;
                }
                String oldName = same.getString("name");
                consumed.add(key(c, oldName));
                boolean superseded = diff.superseded().stream().anyMatch(x -> x.collection().equals(c) && x.index().name().equals(oldName));
                if (superseded || prune || replaceConflicting) {
                    replacements.add(new Replacement(c, same, wanted));
                }
                if (!superseded && !prune) {
                    // a conflict: --replace-conflicting rebuilds it (then counted as one, as a same-name conflict is), else it fails the org;
                    // an index the manifest still lists under another key cannot be dropped for good: its rebuild frees the key
                    boolean moves = diff.conflicts().stream().anyMatch(x -> x.collection().equals(c) && x.actual().name().equals(oldName));
                    blocked.add(c + "." + wanted.name() + ": manifest wants " + wanted.describe() + ", database has the same key as "
                            + oldName + " " + IndexSpec.fromListIndexes(same).describe() + (moves ? " (the manifest gives " + oldName
                            + " another key: --replace-conflicting rebuilds it there, which frees this one)" : " (list " + oldName
                            + " under \"drop\" to supersede it)"));
                }
            }
        });
        // a conflict's rebuild: after a same-key replacement already took its old index (the name moved to another key
        // while its old key got a new name), only the create is left; onto a key another index holds, that index goes first
        Map<String, List<IndexSpec>> createAfter = new LinkedHashMap<>();
        Map<String, IndexSpec> createAfterOld = new LinkedHashMap<>(); // key(collection, name) -> the index that had the name
        List<String> droppedFirst = new ArrayList<>();
        List<String> cannotRebuild = new ArrayList<>(); // conflicts --replace-conflicting cannot rebuild: an index that stays has the key
        Map<SchemaDiff.Conflict, Document> rebuilds = new LinkedHashMap<>(); // each conflict to rebuild -> the index holding its key, or null
        for (SchemaDiff.Conflict c : replaceConflicting ? diff.conflicts() : List.<SchemaDiff.Conflict>of()) {
            String col = c.collection();
            if (consumed.contains(key(col, c.actual().name()))) {
                createAfter.computeIfAbsent(col, k -> new ArrayList<>()).add(c.wanted());
                createAfterOld.put(key(col, c.wanted().name()), c.actual());
            } else {
                rebuilds.put(c, sameKey(raw.getOrDefault(col, List.of()), c.wanted(), consumed, col));
            }
        }
        // the old index of every conflict rebuilt: one in the way of another rebuild's key goes too, its rebuild run first
        Map<String, SchemaDiff.Conflict> rebuiltFrom = new LinkedHashMap<>();
        rebuilds.keySet().forEach(c -> rebuiltFrom.put(key(c.collection(), c.actual().name()), c));
        consumed.addAll(rebuiltFrom.keySet());
        // dependency order (manifest order among equals): a rebuild waiting for its key's holder to be rebuilt comes after it
        Map<SchemaDiff.Conflict, Document> pending = new LinkedHashMap<>(rebuilds);
        for (boolean progress = true; progress; ) {
            progress = false;
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                SchemaDiff.Conflict c = it.next().getKey();
                String col = c.collection();
                Document holder = rebuilds.get(c);
                String holderName = holder == null ? null : holder.getString("name");
                if (holder != null && rebuiltFrom.containsKey(key(col, holderName))) {
                    if (pending.containsKey(rebuiltFrom.get(key(col, holderName)))) {
                        continue; // its holder's rebuild has not been placed yet
                    }
                    holder = null; // rebuilt onto another key before this one: the key is free by then
                }
                if (holder == null) {
                    replacements.add(new Replacement(col, rawIndex(raw, col, c.actual().name()), c.wanted()));
                } else if (diff.superseded().stream().anyMatch(x -> x.collection().equals(col) && x.index().name().equals(holderName))
                        || prune && diff.extras().stream().anyMatch(x -> x.collection().equals(col) && x.index().name().equals(holderName))) {
                    consumed.add(key(col, holderName));
                    droppedFirst.add(col + "." + holderName);
                    replacements.add(new Replacement(col, rawIndex(raw, col, c.actual().name()), c.wanted(), holder));
                } else {
                    continue; // an index that stays holds the key
                }
                it.remove();
                progress = true;
            }
        }
        pending.forEach((c, holder) -> {
            String holderName = holder.getString("name");
            SchemaDiff.Conflict after = rebuiltFrom.get(key(c.collection(), holderName));
            SchemaDiff.Conflict x = after; // follow the holders: back to c is a cycle of rebuilds waiting for each other
            for (Set<SchemaDiff.Conflict> seen = new HashSet<>(); x != null && !x.equals(c) && seen.add(x); ) {
                x = rebuiltFrom.get(key(c.collection(), rebuilds.get(x).getString("name")));
            }
            String why = after == null ? "(list " + holderName + " under \"drop\" to supersede it, or pass --prune to drop it first "
                    + "with the other indexes the manifest does not list)" // not listed at all: an extra, which --prune drops
                    : c.equals(x) ? "until its own rebuild onto " + after.wanted().describe() + ", which waits for this one: indexes that "
                    + "trade keys cannot be rebuilt one at a time (roll the change out in two manifests, the first moving one of them "
                    + "to a key of its own)"
                    : "until its own rebuild onto " + after.wanted().describe() + ", which cannot run first (see " + c.collection() + "."
                    + after.wanted().name() + ")";
            cannotRebuild.add(c.collection() + "." + c.wanted().name() + ": manifest wants " + c.wanted().describe() + ", and " + holderName + " "
                    + IndexSpec.fromListIndexes(holder).describe() + " holds that key " + why);
        });
        List<String> conflicts = new ArrayList<>(diff.conflicts().stream().map(SchemaDiff.Conflict::describe).toList());
        conflicts.addAll(blocked);
        List<SchemaDiff.Superseded> dropLater = diff.superseded().stream()
                .filter(x -> !consumed.contains(key(x.collection(), x.index().name()))).toList();
        List<SchemaDiff.Extra> pruneLater = prune ? diff.extras().stream().filter(x -> !unlisted.contains(x.collection()))
                .filter(x -> !consumed.contains(key(x.collection(), x.index().name()))).toList() : List.of();

        List<String> createIndexes = new ArrayList<>();
        toCreate.forEach((c, list) -> list.forEach(i -> createIndexes.add(c + "." + i.name())));
        createAfter.forEach((c, list) -> list.forEach(i -> createIndexes.add(c + "." + i.name() + " (after its old index was renamed)")));
        // an extra rebuilt under the manifest's name (same key, another name) is gone after the run: not kept, not constraining
        Set<String> renamed = new HashSet<>();
        replacements.forEach(r -> renamed.add(key(r.collection(), r.old().getString("name"))));
        // those on collections the manifest does not list are in constraining and dropByHand: extras are what --prune drops
        List<String> extras = diff.extras().stream().filter(x -> !unlisted.contains(x.collection()) && !renamed.contains(key(x.collection(), x.index().name())))
                .map(x -> x.collection() + "." + x.index().name()).toList();
        List<String> dropped = new ArrayList<>(droppedFirst);
        dropLater.forEach(x -> dropped.add(x.collection() + "." + x.index().name()));
        java.util.function.BiFunction<List<String>, List<String>, Plan> plan = (duplicates, expiring) -> new Plan(diff.missingCollections(), createIndexes,
                conflicts, replacements.stream().map(Replacement::describe).toList(), dropped, extras,
                pruneLater.stream().map(x -> x.collection() + "." + x.index().name()).toList(), duplicates, expiring,
                diff.constraining().stream().filter(x -> !renamed.contains(key(x.collection(), x.index().name()))).map(x -> x.collection() + "." + x.index().name() + " (" + x.effect("the manifest") + ")").toList(),
                diff.constraining().stream().filter(x -> unlisted.contains(x.collection()))
                        .map(x -> new ByHand(x.collection() + "." + x.index().name(), SchemaDiff.dropByHand(db.getName(), x))).toList());
        if (!conflicts.isEmpty() && (!replaceConflicting || !cannotRebuild.isEmpty())) {
            throw new ConflictFailure(replaceConflicting ? io.tenantctl.Counted.of(cannotRebuild.size(), "index", "indexes")
                    + " --replace-conflicting cannot rebuild (another index holds the key): " + String.join("; ", cannotRebuild)
                    : io.tenantctl.Counted.of(conflicts.size(), "conflicting index", "conflicting indexes") + " (pass --replace-conflicting to rebuild "
                    + (conflicts.size() == 1 ? "it, the old one put back if the new one fails): "
                    : "them one at a time, the old one put back if the new one fails): ") + String.join("; ", conflicts),
                    plan.apply(List.of(), List.of()));
        }

        String overLimit = overIndexLimit(raw, existing, toCreate, replacements, createAfter, dropLater, pruneLater, "nothing was changed");
        if (overLimit != null) {
            throw new DuplicateFailure(overLimit, plan.apply(List.of(), List.of()));
        }
        // pre-flight: existing documents that a new unique index would refuse, found before anything changes
        List<UniquePreflight.Duplicate> duplicates = new ArrayList<>();
        toCreate.forEach((c, list) -> list.stream().filter(i -> existing.contains(c))
                .forEach(i -> duplicates.addAll(UniquePreflight.find(db, c, i, retry, attempts))));
        for (Replacement r : replacements) {
            IndexSpec old = IndexSpec.fromListIndexes(r.old());
            if (existing.contains(r.collection()) && !(old.unique() && old.sameSpecAs(r.wanted()))) {
                duplicates.addAll(UniquePreflight.find(db, r.collection(), r.wanted(), retry, attempts));
            }
        }
        // the indexes created anew under a name moved off its old key: new indexes like any other, checked the same way
        createAfter.forEach((c, list) -> list.stream().filter(i -> existing.contains(c))
                .forEach(i -> duplicates.addAll(UniquePreflight.find(db, c, i, retry, attempts))));
        if (!duplicates.isEmpty()) {
            List<String> found = duplicates.stream().map(d -> d.collection() + "." + d.index() + ": " + d.describe()).toList();
            throw new DuplicateFailure(DUPLICATE_KEYS
                    + (duplicates.stream().map(d -> d.collection() + "." + d.index()).distinct().count() == 1 ? " " : "es ")
                    + String.join(", ", duplicates.stream().map(d -> d.collection() + "." + d.index()).distinct().toList())
                    + "; nothing was changed — remove or fix the duplicates, then re-run: " + String.join("; ", found), plan.apply(found, List.of()));
        }
        // pre-flight: existing documents a new (or shortened) TTL index would delete as soon as it exists
        List<ExpiryPreflight.Expiring> expiring = new ArrayList<>();
        toCreate.forEach((c, list) -> list.stream().filter(i -> existing.contains(c) && ExpiryPreflight.expiresMore(i, null))
                .forEach(i -> expiring.addAll(ExpiryPreflight.find(db, c, i, retry, attempts))));
        for (Replacement r : replacements) {
            if (existing.contains(r.collection()) && ExpiryPreflight.expiresMore(r.wanted(), IndexSpec.fromListIndexes(r.old()))) {
                expiring.addAll(ExpiryPreflight.find(db, r.collection(), r.wanted(), retry, attempts));
            }
        }
        createAfter.forEach((c, list) -> list.stream().filter(i -> existing.contains(c)
                        && ExpiryPreflight.expiresMore(i, createAfterOld.get(key(c, i.name()))))
                .forEach(i -> expiring.addAll(ExpiryPreflight.find(db, c, i, retry, attempts))));
        if (!expiring.isEmpty() && !allowExpiry) {
            List<String> found = expiring.stream().map(ExpiryPreflight.Expiring::describe).toList();
            throw new DuplicateFailure("new TTL index" + (found.size() == 1 ? "" : "es") + " would delete existing documents as soon as "
                    + (found.size() == 1 ? "it is" : "they are") + " built: " + String.join("; ", found) + "; nothing was changed — if that "
                    + "is what the application wants, re-run with --allow-expiry (a backup first keeps them)", plan.apply(List.of(), found));
        }
        // allowed: the plan still says what goes as soon as the index exists
        Plan result = plan.apply(List.of(), expiring.stream().map(ExpiryPreflight.Expiring::describe).toList());
        if (dryRun) {
            return result;
        }
        if (!diff.missingCollections().isEmpty() || !toCreate.isEmpty() || !replacements.isEmpty() || !createAfter.isEmpty()
                || !dropLater.isEmpty() || !pruneLater.isEmpty()) {
            beforeFirstWrite.run();
        }

        for (String c : diff.missingCollections()) {
            createCollection(db, c, retry, attempts);
        }
        toCreate.forEach((c, list) -> createIndexes(db, c, list, retry, attempts));
        for (Replacement r : replacements) {
            replace(db, r, retry, attempts);
        }
        createAfter.forEach((c, list) -> createIndexes(db, c, list, retry, attempts));
        for (SchemaDiff.Superseded x : dropLater) {
            dropIndex(db, x.collection(), x.index().name(), retry, attempts);
        }
        for (SchemaDiff.Extra x : pruneLater) {
            dropIndex(db, x.collection(), x.index().name(), retry, attempts);
        }
        return result;
    }

    /**
     * {@link #overIndexLimit} of building {@code toCreate} alone, nothing rebuilt or dropped (verify --fix), or null: it
     * says nothing was changed on those collections, as the fix goes on with the org's others.
     */
    static String overIndexLimit(Map<String, List<Document>> raw, Set<String> existing, Map<String, List<IndexSpec>> toCreate) {
        return overIndexLimit(raw, existing, toCreate, List.of(), Map.of(), List.of(), List.of(),
                "nothing was changed on " + String.join(", ", new java.util.TreeSet<>(toCreate.keySet())));
    }

    /**
     * Why the apply would hold more indexes on a collection than a pool allows (64, {@code _id_} included: FerretDB refuses
     * the createIndexes past it, code 67, and again on every re-run), or null. New indexes are built before the ones they
     * supersede are dropped, so the count that matters is the peak: what the collection has now plus what is built before
     * the drops. A rebuild drops before it builds and adds nothing. {@code unchanged}: what the message says was left as
     * it was ("nothing was changed", or on what).
     */
    private static String overIndexLimit(Map<String, List<Document>> raw, Set<String> existing, Map<String, List<IndexSpec>> toCreate,
                                         List<Replacement> replacements, Map<String, List<IndexSpec>> createAfter,
                                         List<SchemaDiff.Superseded> dropLater, List<SchemaDiff.Extra> pruneLater, String unchanged) {
        int limit = SchemaManifest.MAX_INDEXES_PER_COLLECTION;
        List<String> over = new ArrayList<>();
        Set<String> collections = new java.util.TreeSet<>(toCreate.keySet());
        collections.addAll(createAfter.keySet());
        for (String c : collections) {
            int now = existing.contains(c) ? raw.getOrDefault(c, List.of()).size() : 1; // a new collection has _id_
            int built = toCreate.getOrDefault(c, List.of()).size();
            int firsts = (int) replacements.stream().filter(r -> r.collection().equals(c) && r.first() != null).count();
            int peak = Math.max(now + built, now + built - firsts + createAfter.getOrDefault(c, List.of()).size());
            if (peak <= limit) {
                continue;
            }
            List<String> later = new ArrayList<>();
            dropLater.stream().filter(x -> x.collection().equals(c)).forEach(x -> later.add(x.index().name()));
            pruneLater.stream().filter(x -> x.collection().equals(c)).forEach(x -> later.add(x.index().name()));
            over.add(c + " would hold " + peak + " indexes (" + now + " now, " + (peak - now) + " more built before "
                    + (later.isEmpty() ? "any is dropped" : "the " + later.size() + " it drops go: " + String.join(", ", later)) + ")");
        }
        if (over.isEmpty()) {
            return null;
        }
        return String.join("; ", over) + ": a pool holds at most " + limit + " indexes per collection, _id_ included (FerretDB "
                + "refuses the rest, code 67); " + unchanged + " — make room first: roll out a manifest that only drops (its "
                + "\"drop\" lists, nothing new on the collection; an index no manifest lists goes with --force --prune), then this one";
    }

    /**
     * One index of one collection as a set key: not "collection.name", which is ambiguous (users + profile.email_1 and
     * users.profile + email_1); a collection name never holds a NUL.
     */
    static String key(String collection, String index) {
        return collection + "\0" + index;
    }

    /** The name of an index of {@code listed} with {@code wanted}'s key and filter under another name (the server refuses a second), or null. */
    static String sameKeyAs(List<Document> listed, IndexSpec wanted) {
        Document d = sameKey(listed, wanted, Set.of(), "");
        return d == null ? null : d.getString("name");
    }

    /** The index of {@code listed} (not yet taken by another replacement) with {@code wanted}'s key and filter under another name. */
    private static Document sameKey(List<Document> listed, IndexSpec wanted, Set<String> consumed, String collection) {
        for (Document d : listed) {
            IndexSpec has = IndexSpec.fromListIndexes(d);
            if (!has.name().equals("_id_") && !has.name().equals(wanted.name()) && !consumed.contains(key(collection, has.name()))
                    && has.key().toJson().equals(wanted.key().toJson())
                    && java.util.Objects.equals(has.partialFilterExpression(), wanted.partialFilterExpression())) {
                return d;
            }
        }
        return null;
    }

    private static Document rawIndex(Map<String, List<Document>> raw, String collection, String name) {
        return raw.getOrDefault(collection, List.of()).stream().filter(d -> name.equals(d.getString("name"))).findFirst()
                .orElseThrow(() -> new IllegalStateException("listIndexes of " + collection + " lost " + name));
    }

    /** Drop the old, create the new; if the create fails, create the old again from its listIndexes document. */
    private static void replace(MongoDatabase db, Replacement r, Retry retry, Retry.Attempts attempts) {
        String oldName = r.old().getString("name");
        if (r.first() != null) { // superseded (or pruned) anyway, and in the way of the new key
            dropIndex(db, r.collection(), r.first().getString("name"), retry, attempts);
        }
        dropIndex(db, r.collection(), oldName, retry, attempts);
        try {
            createIndexes(db, r.collection(), List.of(r.wanted()), retry, attempts);
        } catch (RuntimeException createFailure) {
            Document back = new Document(r.old());
            back.remove("v");
            back.remove("ns");
            String what = "rebuilding " + r.collection() + "." + r.wanted().name() + " as " + r.wanted().describe() + " failed ("
                    + createFailure.getMessage() + ")";
            try {
                step("createIndexes on " + r.collection() + " (putting " + oldName + " back)", () -> retry.call(attempts,
                        () -> db.runCommand(new Document("createIndexes", r.collection()).append("indexes", List.of(back)))));
            } catch (RuntimeException restoreFailure) {
                throw new ReplaceFailure(what + ", and putting the old index " + r.collection() + "." + oldName + " back failed too ("
                        + restoreFailure.getMessage() + "): the org lacks it until migrate-all is re-run", createFailure);
            }
            throw new ReplaceFailure(what + "; the old index " + r.collection() + "." + oldName + " "
                    + IndexSpec.fromListIndexes(r.old()).describe() + " was put back", createFailure);
        }
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
