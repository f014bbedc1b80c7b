package io.tenantctl.schema;

import org.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a database lacks, or has differently, compared with a manifest. Built from what {@code listCollections}
 * and {@code listIndexes} returned; does no I/O itself.
 */
public record SchemaDiff(List<String> missingCollections, Map<String, List<IndexSpec>> missingIndexes,
                         List<Conflict> conflicts, List<Superseded> superseded, List<Extra> extras,
                         List<String> extraCollections) {

    /** An index with the manifest's name but another definition. */
    public record Conflict(String collection, IndexSpec wanted, IndexSpec actual) {
        public String describe() {
            return collection + "." + wanted.name() + ": manifest wants " + wanted.describe() + ", database has " + actual.describe();
        }
    }

    /** An index the manifest lists under its collection's {@code drop} (superseded) that the database still has. */
    public record Superseded(String collection, IndexSpec index) {
    }

    /** An index the database has that the manifest neither lists nor supersedes (never dropped unless asked). */
    public record Extra(String collection, IndexSpec index) {
        /**
         * What this index does that {@code manifest} (as people name it: "v1.json", "its manifest") does not, or null for a
         * plain index, which only costs writes and space (harmless): a unique one (partial or not) refuses writes the manifest
         * allows, a TTL one deletes documents. Such an index is never harmless, say after a rollback to an older manifest.
         */
        public String effect(String manifest) {
            List<String> does = new ArrayList<>();
            if (index.unique()) {
                does.add("unique" + (index.partialFilterExpression() == null ? "" : " where " + index.partialFilterExpression().toJson())
                        + ": refuses writes that " + manifest + " allows");
            }
            if (index.expireAfterSeconds() != null) {
                does.add("TTL: deletes documents " + index.expireAfterSeconds() + " s after their " + String.join(", ", index.key().keySet()));
            }
            return does.isEmpty() ? null : String.join("; ", does);
        }
    }

    /**
     * Whether {@code x} is on a collection the manifest does not list: no rollout touches it (not even --prune), so the
     * way back is to drop it by hand — see {@link #dropByHand}.
     */
    public boolean unlisted(Extra x) {
        return extraCollections.contains(x.collection());
    }

    /**
     * The collections of {@code existing} the manifest does not list (but {@code system.*}), sorted: extra collections,
     * whose indexes are read too, since one that deletes documents or refuses writes is not harmless.
     */
    public static List<String> unlistedCollections(SchemaManifest manifest, Collection<String> existing) {
        Set<String> listed = new java.util.HashSet<>();
        manifest.collections().forEach(c -> listed.add(c.name()));
        return new java.util.TreeSet<>(existing).stream().filter(name -> !listed.contains(name) && !name.startsWith("system.")).toList();
    }

    /** The mongosh script that drops {@code x} from {@code database} (the pool's own URI runs it: PoolUri#mongosh). */
    public static String dropByHand(String database, Extra x) {
        return "db.getSiblingDB(" + js(database) + ")." + (x.collection().matches("[A-Za-z_][A-Za-z0-9_]*") ? x.collection()
                : "getCollection(" + js(x.collection()) + ")") + ".dropIndex(" + js(x.index().name()) + ")";
    }

    /** {@code s} as a JavaScript string literal, in double quotes. */
    private static String js(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The extras that refuse writes or delete documents (see {@link Extra#effect}): not harmless. */
    public List<Extra> constraining() {
        return extras.stream().filter(x -> x.effect("") != null).toList();
    }

    /**
     * @param existingCollections names from listCollections
     * @param existingIndexes     collection → documents from listIndexes (collections not listed are treated as
     *                            having none, which is right for collections that do not exist)
     */
    public static SchemaDiff compute(SchemaManifest manifest, Collection<String> existingCollections,
                                     Map<String, List<Document>> existingIndexes) {
        Set<String> existing = Set.copyOf(existingCollections);
        List<String> missingCollections = new ArrayList<>();
        Map<String, List<IndexSpec>> missingIndexes = new LinkedHashMap<>();
        List<Conflict> conflicts = new ArrayList<>();
        List<Superseded> superseded = new ArrayList<>();
        List<Extra> extras = new ArrayList<>();
        for (CollectionSpec c : manifest.collections()) {
            if (!existing.contains(c.name())) {
                missingCollections.add(c.name());
            }
            Map<String, IndexSpec> actual = new LinkedHashMap<>();
            for (Document d : existingIndexes.getOrDefault(c.name(), List.of())) {
                IndexSpec spec = IndexSpec.fromListIndexes(d);
                if (!spec.name().equals("_id_")) {
                    actual.put(spec.name(), spec);
                }
            }
            List<IndexSpec> missing = new ArrayList<>();
            for (IndexSpec wanted : c.indexes()) {
                IndexSpec has = actual.remove(wanted.name());
                if (has == null) {
                    missing.add(wanted);
                } else if (!wanted.sameSpecAs(has)) {
                    conflicts.add(new Conflict(c.name(), wanted, has));
                }
            }
            if (!missing.isEmpty()) {
                missingIndexes.put(c.name(), missing);
            }
            for (String name : c.drop()) {
                IndexSpec stale = actual.remove(name);
                if (stale != null) {
                    superseded.add(new Superseded(c.name(), stale));
                }
            }
            actual.values().forEach(x -> extras.add(new Extra(c.name(), x)));
        }
        List<String> extraCollections = unlistedCollections(manifest, existing);
        for (String name : extraCollections) { // of an unlisted collection's indexes (when read), those that are not harmless
            for (Document d : existingIndexes.getOrDefault(name, List.of())) {
                Extra x = new Extra(name, IndexSpec.fromListIndexes(d));
                if (!x.index().name().equals("_id_") && x.effect("") != null) {
                    extras.add(x);
                }
            }
        }
        return new SchemaDiff(missingCollections, missingIndexes, conflicts, superseded, extras, extraCollections);
    }

    /** The kinds of difference, in the order they are listed. */
    public enum Kind {
        /** A manifest collection the database does not have (its indexes are listed as missing too). */
        MISSING_COLLECTION,
        /** A manifest index the database does not have. */
        MISSING,
        /** An index with the manifest's name but another definition. */
        CONFLICT,
        /** An index the manifest supersedes ({@code drop}) that the database still has. */
        SUPERSEDED,
        /** An index the manifest neither lists nor supersedes: harmless, unless checked with strict or it refuses writes or deletes documents. */
        EXTRA,
        /**
         * A collection the database has that the manifest does not list (one dropped from the manifest, or made by
         * hand or by the application): harmless, unless checked with strict. Its indexes are not listed, but for one that
         * refuses writes or deletes documents (a TTL index goes on deleting), which is an {@link #EXTRA} when it was read.
         */
        EXTRA_COLLECTION;

        /** How it is spelt in output: missing_collection, missing, conflict, superseded, extra, extra_collection. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether a check fails on its kind: everything but extras, and extras too when {@code strict} (see {@link Difference#problem}). */
        public boolean problem(boolean strict) {
            return this != EXTRA && this != EXTRA_COLLECTION || strict;
        }
    }

    /**
     * One difference: {@code expected} is the manifest's index (null for superseded, extra and missing or extra
     * collections), {@code actual} the database's (null for missing ones and collections); {@code index} is null only for
     * a missing or an extra collection.
     */
    public record Difference(Kind kind, String collection, String index, IndexSpec expected, IndexSpec actual) {
        /**
         * Whether a check fails on it: as {@link Kind#problem(boolean)}, and an extra that refuses writes or deletes
         * documents (see {@link Extra#effect}) strict or not, since the application the manifest is for fails on it.
         */
        public boolean problem(boolean strict) {
            return kind.problem(strict) || kind == Kind.EXTRA && new Extra(collection, actual).effect("") != null;
        }
    }

    /** Every difference as one flat list: missing collections, missing indexes, conflicts, superseded, extras, extra collections. */
    public List<Difference> differences() {
        List<Difference> out = new ArrayList<>();
        missingCollections.forEach(c -> out.add(new Difference(Kind.MISSING_COLLECTION, c, null, null, null)));
        missingIndexes.forEach((c, list) -> list.forEach(i -> out.add(new Difference(Kind.MISSING, c, i.name(), i, null))));
        conflicts.forEach(c -> out.add(new Difference(Kind.CONFLICT, c.collection(), c.wanted().name(), c.wanted(), c.actual())));
        superseded.forEach(s -> out.add(new Difference(Kind.SUPERSEDED, s.collection(), s.index().name(), null, s.index())));
        extras.forEach(x -> out.add(new Difference(Kind.EXTRA, x.collection(), x.index().name(), null, x.index())));
        extraCollections.forEach(c -> out.add(new Difference(Kind.EXTRA_COLLECTION, c, null, null, null)));
        return out;
    }

    /** How many differences a check fails on (see {@link Difference#problem(boolean)}). */
    public int problems(boolean strict) {
        return (int) differences().stream().filter(d -> d.problem(strict)).count();
    }

    public int missingIndexCount() {
        return missingIndexes.values().stream().mapToInt(List::size).sum();
    }

    /**
     * Nothing to create, nothing conflicting and no superseded index left. Extras alone do not make a database out of
     * date: an index or a collection nobody listed is harmless unless it is superseded, and then it is reported as such.
     */
    public boolean upToDate() {
        return missingCollections.isEmpty() && missingIndexes.isEmpty() && conflicts.isEmpty() && superseded.isEmpty();
    }
}
