package io.tenantctl.backup;

import io.tenantctl.TenantctlException;
import io.tenantctl.store.ObjectStore;

import org.bson.BsonDocument;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes one backup into an {@link ObjectStore}: collection files first, {@code manifest.json} last, so a
 * backup without a manifest is recognisably incomplete. {@link #close()} without a successful
 * {@link #finish()} aborts: open files are discarded and files already written are deleted (best effort).
 * Collections may be written one after another or concurrently.
 */
public final class BackupWriter implements AutoCloseable {

    /**
     * What a backup is of.
     *
     * @param orgId          the org
     * @param backupId       see {@link BackupIds#newId}
     * @param sourcePool     pool the org was read from
     * @param sourceDatabase database the org was read from
     * @param schemaHash     the org's schema hash at backup time (may be null)
     * @param compression    compression of every collection file
     * @param catalogId      the id of the catalog taking the backup, written in its manifest (null: none said)
     * @param org            what that catalog says of the org, written in its manifest (null: nothing said)
     */
    public record Spec(String orgId, String backupId, String sourcePool, String sourceDatabase, String schemaHash,
                       Compression compression, String catalogId, BackupManifest.OrgState org) {
        public Spec {
            BackupLayout.requireOrgId(orgId);
            BackupIds.requireValid(backupId);
            Objects.requireNonNull(compression, "compression");
        }

        /** A backup whose manifest names no catalog. */
        public Spec(String orgId, String backupId, String sourcePool, String sourceDatabase, String schemaHash, Compression compression) {
            this(orgId, backupId, sourcePool, sourceDatabase, schemaHash, compression, null, null);
        }
    }

    /**
     * A completed backup.
     *
     * @param manifest       what was written
     * @param manifestKey    the manifest's store key
     * @param manifestSha256 SHA-256 of manifest.json as stored: identifies the backup's exact content
     */
    public record Finished(BackupManifest manifest, String manifestKey, String manifestSha256) {
    }

    private final ObjectStore store;
    private final BackupLayout layout;
    private final Spec spec;
    private final Clock clock;
    private final Instant startedAt;
    private final Map<String, CollectionEntry> entries = new LinkedHashMap<>();
    private final List<CollectionWriter> open = new ArrayList<>();
    private boolean finished;
    private boolean aborted;

    private BackupWriter(ObjectStore store, BackupLayout layout, Spec spec, Clock clock) {
        this.store = store;
        this.layout = layout;
        this.spec = spec;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** Starts a backup; refuses (FAILED) if a complete backup with this id already exists. */
    public static BackupWriter start(ObjectStore store, BackupLayout layout, Spec spec, Clock clock) {
        if (store.exists(layout.manifestKey(spec.orgId(), spec.backupId()))) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "backup " + spec.backupId() + " of org "
                    + spec.orgId() + " already exists in " + store.describe());
        }
        return new BackupWriter(store, layout, spec, clock);
    }

    /** The backup being written. */
    public Spec spec() {
        return spec;
    }

    /** Where this backup's files go, e.g. for messages. */
    public String location() {
        return store.describe() + "/" + layout.backupPrefix(spec.orgId(), spec.backupId());
    }

    /**
     * Opens the file of one collection. Call {@link CollectionWriter#finish()} on it (then
     * {@link #add(CollectionEntry)} happens automatically), or close it to abort the whole collection.
     */
    public synchronized CollectionWriter openCollection(String name, List<BsonDocument> indexes) throws IOException {
        ensureOpen();
        if (entries.containsKey(name) || open.stream().anyMatch(w -> w.name().equals(name))) {
            throw new IllegalStateException("collection " + name + " is already in backup " + spec.backupId());
        }
        String file = BackupLayout.collectionFileName(name, spec.compression(), java.util.stream.Stream.concat(
                entries.values().stream().map(CollectionEntry::file), open.stream().map(CollectionWriter::file)).toList());
        ObjectStore.Upload upload = store.create(layout.fileKey(spec.orgId(), spec.backupId(), file));
        CollectionWriter[] self = new CollectionWriter[1];
        self[0] = new CollectionWriter(name, file, upload, spec.compression(), indexes, new CollectionWriter.Listener() {
            @Override
            public void finished(CollectionEntry entry) {
                BackupWriter.this.finished(self[0], entry);
            }

            @Override
            public void aborted() {
                BackupWriter.this.aborted(self[0]);
            }
        });
        open.add(self[0]);
        return self[0];
    }

    /** Records a collection written outside {@link #openCollection}. */
    public synchronized void add(CollectionEntry entry) {
        ensureOpen();
        if (entries.putIfAbsent(entry.name(), entry) != null) {
            throw new IllegalStateException("collection " + entry.name() + " is already in backup " + spec.backupId());
        }
    }

    /** Writes the manifest (last), completing the backup. Every opened collection must be finished. */
    public synchronized Finished finish() throws IOException {
        ensureOpen();
        if (!open.isEmpty()) {
            throw new IllegalStateException("collections still being written: "
                    + open.stream().map(CollectionWriter::name).toList());
        }
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, spec.orgId(), spec.backupId(),
                spec.sourcePool(), spec.sourceDatabase(), spec.schemaHash(), startedAt, clock.instant(),
                spec.compression(), List.copyOf(entries.values()), spec.catalogId(), spec.org());
        // the files written earlier must still be there (a store remounted, emptied by a script): a manifest naming a file
        // that is gone would make a damaged backup look complete, the newest one restore takes
        String[] missing = BackupReader.fileProblem(store, layout, spec.orgId(), spec.backupId(), entries.values());
        if (missing != null) {
            throw new IOException(missing[0] + missing[1] + ", though it was written: the store changed under the backup");
        }
        byte[] json = manifest.toJson();
        String key = layout.manifestKey(spec.orgId(), spec.backupId());
        store.put(key, json);
        finished = true;
        var digest = Digests.sha256();
        digest.update(json);
        return new Finished(manifest, key, Digests.hex(digest));
    }

    /** Discards the backup: aborts open collection files and deletes written ones (best effort). */
    public synchronized void abort() {
        if (finished || aborted) {
            return;
        }
        aborted = true;
        for (CollectionWriter w : List.copyOf(open)) {
            w.abort();
        }
        open.clear();
        try {
            store.deletePrefix(layout.backupPrefix(spec.orgId(), spec.backupId()));
        } catch (RuntimeException ignored) {
            // without a manifest the leftovers are an incomplete backup, never restored; prune removes them
        }
    }

    /** Aborts unless {@link #finish()} succeeded. */
    @Override
    public void close() {
        abort();
    }

    private void ensureOpen() {
        if (finished || aborted) {
            throw new IllegalStateException("backup " + spec.backupId() + " is already "
                    + (finished ? "finished" : "aborted"));
        }
    }

    private synchronized void finished(CollectionWriter writer, CollectionEntry entry) {
        open.remove(writer);
        if (!aborted) {
            entries.put(entry.name(), entry);
        }
    }

    private synchronized void aborted(CollectionWriter writer) {
        open.remove(writer);
    }
}
