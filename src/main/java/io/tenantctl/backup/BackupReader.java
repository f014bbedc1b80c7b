package io.tenantctl.backup;

import io.tenantctl.TenantctlException;
import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectNotFoundException;
import io.tenantctl.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one backup from an {@link ObjectStore}: loads and validates its manifest, then streams collection
 * files through verifying {@link CollectionReader}s.
 */
public final class BackupReader {

    /**
     * A backup found in the store.
     *
     * @param orgId        the org
     * @param backupId     the backup
     * @param complete     whether its manifest.json exists (only complete backups can be restored)
     * @param storedBytes  total size of its objects, manifest included
     * @param lastModified newest object time
     * @param dataBytes    total size of its objects but the manifest: a complete backup's is the manifest's totalBytes
     */
    public record Listing(String orgId, String backupId, boolean complete, long storedBytes, Instant lastModified, long dataBytes) {
    }

    private final ObjectStore store;
    private final BackupLayout layout;
    private final BackupManifest manifest;
    private final String manifestKey;
    private String manifestSha256;

    private BackupReader(ObjectStore store, BackupLayout layout, BackupManifest manifest, String manifestKey) {
        this.store = store;
        this.layout = layout;
        this.manifest = manifest;
        this.manifestKey = manifestKey;
    }

    /**
     * Refuses a backup whose manifest.json is not the one its writer recorded ({@code recordedSha256}, the catalog's
     * backups.sha256; null when the catalog has no row for it): every file is checked against the manifest, so a file
     * and a manifest edited together would otherwise read back "verified".
     */
    private static void checkRecorded(String manifestKey, String manifestSha256, String recordedSha256) {
        if (recordedSha256 != null && !recordedSha256.equalsIgnoreCase(manifestSha256)) {
            throw new BackupIntegrityException(manifestKey, manifestKey + " is not the manifest this backup was written with (sha256 "
                    + manifestSha256.substring(0, 12) + "… in the store, " + recordedSha256.substring(0, Math.min(12, recordedSha256.length()))
                    + "… in the catalog): the backup was changed after it was taken");
        }
    }

    /**
     * Refuses a backup one of whose files is not in the store at the size its manifest records (a file deleted or cut
     * short after the backup was taken): one listing, no file read. {@link #verify} reads them all.
     */
    public BackupReader checkFilesPresent() {
        return checkFilesPresent(null);
    }

    /**
     * As {@link #checkFilesPresent()}, against {@code listed}: a listing of the org's prefix made already (as {@link
     * #list(BackupLayout, String, List)} reads it), which holds every file of the backup at its size; no listing of its
     * own. Null: the backup's folder is listed.
     */
    public BackupReader checkFilesPresent(List<ObjectInfo> listed) {
        requireCollections();
        String[] problem = fileProblems(store, layout, manifest.orgId(), manifest.backupId(), manifest.collections(), listed)
                .values().stream().findFirst().orElse(null);
        if (problem != null) {
            throw new BackupIntegrityException(problem[0], problem[0] + problem[1] + ": the backup is damaged");
        }
        return this;
    }

    /**
     * Refuses a manifest that lists no collection: a database with no collection does not exist, so such a backup holds
     * nothing to restore (tenantctl before 719125d recorded one, complete, for an org whose database was gone).
     */
    private void requireCollections() {
        if (manifest.collections().isEmpty()) {
            throw new BackupIntegrityException(manifestKey, manifestKey + " lists no collection: a backup of nothing (taken when the "
                    + "org's database was already gone)");
        }
    }

    /**
     * The first of {@code entries} whose file is not in the store at its recorded size, as {key, what is wrong}; null
     * when all are there (one listing). The writer asks it before its manifest, the reader of a complete backup after.
     */
    static String[] fileProblem(ObjectStore store, BackupLayout layout, String orgId, String backupId,
                                java.util.Collection<CollectionEntry> entries) {
        return fileProblems(store, layout, orgId, backupId, entries, null).values().stream().findFirst().orElse(null);
    }

    /**
     * As {@link #fileProblem}, every one: by collection name, in the manifest's order (one listing; none when {@code
     * listed}, a listing of the org's prefix made already, is given).
     */
    private static Map<String, String[]> fileProblems(ObjectStore store, BackupLayout layout, String orgId, String backupId,
                                                      java.util.Collection<CollectionEntry> entries, List<ObjectInfo> listed) {
        Map<String, String[]> problems = new java.util.LinkedHashMap<>();
        misfiled(store, layout, orgId, backupId, entries, listed).forEach((name, f) -> problems.put(name, new String[]{f.key(), f.size() == null
                ? " is listed in the manifest but missing from " + store.describe()
                : " " + f.holds()}));
        return problems;
    }

    /** A collection's file not in the store at the size its manifest records: {@code size} null when it is not there at all. */
    private record Misfiled(String key, Long size, long recorded) {
        String holds() {
            return "holds " + size + " bytes, not the " + recorded + " its manifest records";
        }
    }

    private static Map<String, Misfiled> misfiled(ObjectStore store, BackupLayout layout, String orgId, String backupId,
                                                  java.util.Collection<CollectionEntry> entries, List<ObjectInfo> listed) {
        String prefix = layout.backupPrefix(orgId, backupId);
        Map<String, Long> stored = new TreeMap<>();
        (listed != null ? listed : store.list(prefix)).stream().filter(o -> o.key().startsWith(prefix))
                .forEach(o -> stored.put(o.key(), o.size()));
        Map<String, Misfiled> out = new java.util.LinkedHashMap<>();
        for (CollectionEntry e : entries) {
            String key = layout.fileKey(orgId, backupId, e.file());
            Long size = stored.get(key);
            if (size == null || size != e.bytes()) {
                out.put(e.name(), new Misfiled(key, size, e.bytes()));
            }
        }
        return out;
    }

    /**
     * Each collection whose file is not in the store at the size the manifest records, with what is wrong ("missing
     * from the store", "holds N bytes, not M"); empty when all are there. What {@code backups show} marks, from {@code
     * listed}, its listing of the org's prefix (null: the backup's folder is listed).
     */
    public Map<String, String> fileProblems(List<ObjectInfo> listed) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        misfiled(store, layout, manifest.orgId(), manifest.backupId(), manifest.collections(), listed).forEach((name, f) ->
                out.put(name, f.size() == null ? "missing from the store" : f.holds()));
        return out;
    }

    /**
     * The {@code .ndjson*} files directly in the backup's folder that its manifest does not list (a file left there by
     * hand, a copy's leftover), by name: counted by a listing's {@link Listing#dataBytes}, never read by a restore. From
     * {@code listed}, a listing of the org's prefix (null: the backup's folder is listed).
     */
    public List<String> strayDataFiles(List<ObjectInfo> listed) {
        String prefix = layout.backupPrefix(manifest.orgId(), manifest.backupId());
        java.util.Set<String> named = new java.util.HashSet<>();
        manifest.collections().forEach(c -> named.add(c.file()));
        List<String> out = new ArrayList<>();
        for (ObjectInfo info : listed != null ? listed : store.list(prefix)) {
            String file = info.key().startsWith(prefix) ? info.key().substring(prefix.length()) : "";
            if (DATA_FILE.matcher(file).matches() && !named.contains(file)) {
                out.add(file);
            }
        }
        return out;
    }

    /**
     * Opens a backup. Throws {@link BackupIncompleteException} if it has files but no manifest, a usage error
     * if it does not exist or has a newer format, {@link BackupIntegrityException} if the manifest is malformed
     * or belongs to another org/backup.
     */
    public static BackupReader open(ObjectStore store, BackupLayout layout, String orgId, String backupId) {
        return open(store, layout, orgId, backupId, null);
    }

    /**
     * As {@link #open(ObjectStore, BackupLayout, String, String)}, checking first of all that the manifest is the one its
     * writer recorded ({@link #checkRecorded}; null: no record to check): a manifest edited by hand is "changed after it
     * was taken", whatever its edited content says (a higher formatVersion is not a newer tenantctl's backup).
     */
    public static BackupReader open(ObjectStore store, BackupLayout layout, String orgId, String backupId, String recordedSha256) {
        String key = layout.manifestKey(orgId, backupId);
        byte[] json;
        try (InputStream in = store.open(key)) {
            json = in.readAllBytes();
        } catch (ObjectNotFoundException e) {
            if (store.list(layout.backupPrefix(orgId, backupId)).isEmpty()) {
                throw TenantctlException.usage("org " + orgId + " has no backup " + backupId + " in "
                        + store.describe() + "; see: tenantctl backups list --org " + orgId);
            }
            throw new BackupIncompleteException(orgId, backupId);
        } catch (IOException e) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "cannot read " + key + " from "
                    + store.describe() + ": " + e.getMessage(), e);
        }
        var digest = Digests.sha256();
        digest.update(json);
        String sha256 = Digests.hex(digest);
        checkRecorded(key, sha256, recordedSha256); // before its content is believed
        BackupManifest manifest = BackupManifest.fromJson(json, key);
        if (!manifest.orgId().equals(orgId) || !manifest.backupId().equals(backupId)) {
            throw new BackupIntegrityException(key, key + " describes backup " + manifest.backupId() + " of org "
                    + manifest.orgId() + ", not " + backupId + " of " + orgId + ": it was copied or edited by hand");
        }
        BackupReader reader = new BackupReader(store, layout, manifest, key);
        reader.manifestSha256 = sha256;
        return reader;
    }

    /** A collection's file, directly in its backup's folder ({@link BackupLayout}: NAME.ndjson, .ndjson.gz, .ndjson.zst). */
    private static final java.util.regex.Pattern DATA_FILE = java.util.regex.Pattern.compile("[^/]+\\.ndjson(\\.gz|\\.zst)?");

    /** Every backup of an org, complete or not, oldest first (one paginated listing). */
    public static List<Listing> list(ObjectStore store, BackupLayout layout, String orgId) {
        return list(layout, orgId, store.list(layout.orgPrefix(orgId)));
    }

    /**
     * As {@link #list(ObjectStore, BackupLayout, String)}, from {@code listed}, the store's listing of the org's prefix: the
     * caller keeps it to check a backup's files against ({@link #checkFilesPresent(List)}) without listing its folder again.
     */
    public static List<Listing> list(BackupLayout layout, String orgId, List<ObjectInfo> listed) {
        OrgBackups of = new OrgBackups(orgId, layout.orgPrefix(orgId));
        listed.forEach(of::add);
        return of.listings();
    }

    /** What {@link #listEach} hands over of one org: its backups, and the objects of its prefix they were added up from. */
    @FunctionalInterface
    public interface OrgListed {
        void listed(String orgId, List<Listing> listings, List<ObjectInfo> objects);
    }

    /**
     * {@link #list} of each of {@code orgIds}, from one listing of their prefixes ({@link ObjectStore#listEach}): as few
     * listing calls for a batch of orgs as the store allows, not one each. Each org is handed to {@code each} once, with
     * the objects of its prefix (which a check of one of its backups reads, {@link #checkFilesPresent(List)}), as soon as
     * the listing has passed it: one org's objects are held at a time. Orgs with none last, in {@code orgIds}' order.
     */
    public static void listEach(ObjectStore store, BackupLayout layout, java.util.Collection<String> orgIds, OrgListed each) {
        Map<String, String> left = new java.util.LinkedHashMap<>(); // by prefix, the orgs not handed over yet
        orgIds.forEach(o -> left.putIfAbsent(layout.orgPrefix(o), o));
        java.util.Set<String> prefixes = java.util.Set.copyOf(left.keySet());
        String root = layout.prefix().isEmpty() ? "" : layout.prefix() + "/";
        OrgBackups[] current = {null};
        List<ObjectInfo> objects = new ArrayList<>();
        Runnable passed = () -> {
            if (current[0] != null) {
                each.listed(current[0].orgId, current[0].listings(), List.copyOf(objects));
                objects.clear();
                current[0] = null;
            }
        };
        store.listEach(prefixes, info -> {
            int slash = info.key().indexOf('/', root.length());
            String prefix = slash < 0 || !info.key().startsWith(root) ? null : info.key().substring(0, slash + 1);
            if (prefix == null || !prefixes.contains(prefix)) {
                return;
            }
            if (current[0] == null || !current[0].orgPrefix.equals(prefix)) {
                passed.run();
                String orgId = left.remove(prefix);
                if (orgId == null) { // the store's listEach hands over prefix by prefix: a prefix handed over again is its bug
                    throw new IllegalStateException("the listing of " + store.describe() + " came back to " + prefix + " after others");
                }
                current[0] = new OrgBackups(orgId, prefix);
            }
            current[0].add(info);
            objects.add(info);
        });
        passed.run();
        left.values().forEach(o -> each.listed(o, List.of(), List.of()));
    }

    /** One org's backups added up from its objects as a listing hands them over: each backup's sizes, newest time, manifest. */
    private static final class OrgBackups {
        private final String orgId;
        private final String orgPrefix;
        private final Map<String, long[]> sizes = new TreeMap<>();
        private final Map<String, Instant> times = new TreeMap<>();
        private final Map<String, Boolean> complete = new TreeMap<>();

        OrgBackups(String orgId, String orgPrefix) {
            this.orgId = orgId;
            this.orgPrefix = orgPrefix;
        }

        void add(ObjectInfo info) {
            String rest = info.key().substring(orgPrefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0 || !BackupIds.isValid(rest.substring(0, slash))) {
                return;
            }
            String id = rest.substring(0, slash);
            String file = rest.substring(slash + 1);
            boolean manifestFile = file.equals(BackupLayout.MANIFEST);
            long[] size = sizes.computeIfAbsent(id, k -> new long[2]);
            size[0] += info.size();
            // a collection's file only: a stray file someone left beside them is not the backup's data ("damaged?")
            size[1] += DATA_FILE.matcher(file).matches() ? info.size() : 0;
            times.merge(id, info.lastModified(), (a, b) -> a.isAfter(b) ? a : b);
            complete.merge(id, manifestFile, Boolean::logicalOr);
        }

        List<Listing> listings() {
            List<Listing> result = new ArrayList<>();
            for (String id : sizes.keySet()) {
                result.add(new Listing(orgId, id, complete.get(id), sizes.get(id)[0], times.get(id), sizes.get(id)[1]));
            }
            return result;
        }
    }

    /** The validated manifest. */
    /** SHA-256 of manifest.json as read from the store. */
    public String manifestSha256() {
        return manifestSha256;
    }

    public BackupManifest manifest() {
        return manifest;
    }

    /** Opens a verifying reader over one collection's file. */
    public CollectionReader openCollection(CollectionEntry entry) {
        String key = layout.fileKey(manifest.orgId(), manifest.backupId(), entry.file());
        InputStream in;
        try {
            in = store.open(key);
        } catch (ObjectNotFoundException e) {
            throw new BackupIntegrityException(key, key + " is listed in the manifest but missing from "
                    + store.describe() + ": the backup is damaged", e);
        }
        return new CollectionReader(key, entry, in, manifest.compression());
    }

    /** Opens a verifying reader over the named collection; usage error if the backup does not have it. */
    public CollectionReader openCollection(String name) {
        return openCollection(manifest.collection(name).orElseThrow(() -> TenantctlException.usage(
                "backup " + manifest.backupId() + " of org " + manifest.orgId() + " has no collection " + name)));
    }

    /**
     * Reads every file completely, checking sizes, checksums, document counts and that every line parses;
     * throws the first problem found. Returns the number of documents.
     */
    public long verify() {
        requireCollections();
        long docs = 0;
        for (CollectionEntry entry : manifest.collections()) {
            try (CollectionReader reader = openCollection(entry)) {
                docs += reader.verify();
            }
        }
        return docs;
    }
}
