package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupIncompleteException;
import io.tenantctl.backup.BackupIntegrityException;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupManifest;
import io.tenantctl.backup.BackupReader;
import io.tenantctl.backup.BackupWriter;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.store.ObjectStore;

import java.util.List;
import java.util.Optional;

/**
 * What a backup's manifest says of the org beside its data: the catalog's id, the org's tier, the status it had before
 * any freeze, and whether it is the final backup of a delete. A catalog lost or restored from an older dump forgets
 * those; the store keeps them with the data ({@code orgs adopt} and {@code verify} read them back).
 */
final class BackupOrigin {

    private BackupOrigin() {
    }

    /**
     * The spec of a backup of {@code org} as read before the backup froze it. A delete's final backup ({@code purpose}
     * {@link BackupManifest.OrgState#DELETE}, or any backup of an org already deleting) records the status undoing the
     * delete puts back, not the read_only its freeze left.
     */
    static BackupWriter.Spec spec(Catalog catalog, Org org, String backupId, Backup.Copy copy) {
        boolean deleting = org.status().equals(Org.DELETING);
        boolean delete = deleting || BackupManifest.OrgState.DELETE.equals(copy.purpose());
        OrgStatus status = deleting ? catalog.orgs().statusBeforeDelete(org.orgId())
                : delete && catalog.orgs().frozenForDelete(org.orgId()) ? Org.ACTIVE : org.status();
        // the catalog's id too: a store two catalogs share tells theirs apart
        return new BackupWriter.Spec(org.orgId(), backupId, org.poolId(), org.databaseName(), org.schemaHash(), copy.compression(),
                catalog.id(), new BackupManifest.OrgState(org.tier(), status.db(), delete ? BackupManifest.OrgState.DELETE : null));
    }

    /**
     * The final backup of a delete of the org, if that is the newest backup this catalog took of it that the catalog does
     * not record: the org was deleted after the catalog's state was saved (a catalog restored from an older dump), and its
     * database is gone because a purge dropped it, not because it was lost. Empty without a store; empty too when a backup
     * taken after that delete says the org lived on (a delete undone), and when none is a delete's. Reads the manifests of
     * the backups since the newest one the catalog records (ids name their second, so that second's are read too).
     */
    static Optional<BackupManifest> deletedSince(Catalog catalog, ObjectStore store, String orgId) {
        if (store == null) {
            return Optional.empty();
        }
        BackupRepository backups = catalog.backups();
        return deletedSince(catalog, store, orgId, BackupReader.list(store, BackupLayout.root(), orgId).stream()
                .filter(l -> l.complete() && backups.find(l.backupId()).isEmpty()).map(BackupReader.Listing::backupId).toList());
    }

    /**
     * As {@link #deletedSince(Catalog, ObjectStore, String)}, of {@code storeOnly}: the ids of the org's complete backups
     * in the store that the catalog does not record, from a listing the caller has made already (restore's).
     */
    static Optional<BackupManifest> deletedSince(Catalog catalog, ObjectStore store, String orgId, List<String> storeOnly) {
        java.time.Instant since = catalog.backups().newestComplete(orgId).map(b -> BackupIds.timestamp(b.backupId()))
                .orElse(java.time.Instant.MIN);
        BackupManifest newest = null;
        for (String id : storeOnly) {
            if (BackupIds.timestamp(id).isBefore(since)) {
                continue;
            }
            BackupManifest m;
            try {
                m = BackupReader.open(store, BackupLayout.root(), orgId, id).manifest();
            } catch (RuntimeException e) { // unreadable: says nothing of a delete; verify --deep and backups list name it
                requireUnreadable(e);
                continue;
            }
            if (catalog.id().equals(m.catalogId()) && (newest == null || m.startedAt().isAfter(newest.startedAt()))) {
                newest = m; // another catalog's (one lost before this one was made) is not this catalog's history
            }
        }
        return newest != null && newest.org() != null && newest.org().deleted() ? Optional.of(newest) : Optional.empty();
    }

    /**
     * Rethrows {@code e} unless it says the manifest itself does not read back (malformed, another backup's, a newer format,
     * gone since the listing: a lifecycle rule's delete): a store that refuses access, does not answer or breaks off the
     * read has said nothing of the org, and what it withheld may be the suspension or the delete (CONFIG: exit 3).
     */
    private static void requireUnreadable(RuntimeException e) {
        if (!(e instanceof BackupIntegrityException || e instanceof BackupIncompleteException
                || e instanceof TenantctlException t && t.category() == TenantctlException.Category.USAGE)) {
            throw e;
        }
    }

    /**
     * What the store says of the org: {@code manifest}, the newest complete backup's that reads back, whichever catalog
     * took it (a lost one's included), ordered by the ids' seconds, then within the newest second by when each started
     * (null without a store or such a backup); {@code unreadable}, the id of a complete backup at least as new whose
     * manifest does not read back (null: none), passed over for an older one but not in silence.
     */
    record Newest(BackupManifest manifest, String unreadable) {
    }

    static Newest newest(ObjectStore store, String orgId) {
        if (store == null) {
            return new Newest(null, null);
        }
        return newest(store, orgId, BackupReader.list(store, BackupLayout.root(), orgId).stream()
                .filter(BackupReader.Listing::complete).map(BackupReader.Listing::backupId).toList());
    }

    /** As {@link #newest(ObjectStore, String)}, from the ids of the org's complete backups, oldest first. */
    private static Newest newest(ObjectStore store, String orgId, List<String> complete) {
        BackupManifest newest = null;
        String unreadable = null;
        for (int i = complete.size() - 1; i >= 0; i--) {
            if (newest != null && BackupIds.timestamp(complete.get(i)).isBefore(BackupIds.timestamp(newest.backupId()))) {
                break; // an earlier second than the one found
            }
            try {
                BackupManifest m = BackupReader.open(store, BackupLayout.root(), orgId, complete.get(i)).manifest();
                newest = newest == null || m.startedAt().isAfter(newest.startedAt()) ? m : newest;
            } catch (RuntimeException e) { // unreadable: an older one says what the org was, and this one is named
                requireUnreadable(e);
                unreadable = unreadable == null ? complete.get(i) : unreadable; // ids of one second say not which is newer
            }
        }
        return new Newest(newest, unreadable);
    }

    /**
     * What {@link #newest(ObjectStore, String)} gave for one org of a batch: {@code newest} (its manifest without its
     * collections), or the {@code failure} of its read; {@code notAsked}: it was not read, the store not answering another.
     */
    record Read(Newest newest, RuntimeException failure, boolean notAsked) {
    }

    /**
     * {@link #newest(ObjectStore, String)} of each of {@code orgIds}, by org id: the store listed once for them all
     * ({@link ObjectStore#listEach}; of each org only its complete backups' ids kept), then their manifests read
     * {@code atOnce} orgs at a time. Once the store did not answer for one org, those not read yet are not asked: each
     * would wait out its timeouts alike. A listing that fails is each org's failure.
     */
    static java.util.Map<String, Read> newestOfEach(ObjectStore store, java.util.Collection<String> orgIds, int atOnce) {
        java.util.Map<String, List<String>> complete = new java.util.LinkedHashMap<>();
        orgIds.forEach(o -> complete.put(o, new java.util.ArrayList<>()));
        java.util.Map<String, Read> out = new java.util.HashMap<>();
        try {
            store.listEach(complete.keySet().stream().map(BackupLayout.root()::orgPrefix).toList(), info -> {
                String[] key = info.key().split("/", 3); // org/backup/file
                if (key.length == 3 && key[2].equals(BackupLayout.MANIFEST) && BackupIds.isValid(key[1]) && complete.containsKey(key[0])) {
                    complete.get(key[0]).add(key[1]);
                }
            });
        } catch (RuntimeException e) {
            complete.keySet().forEach(o -> out.put(o, new Read(null, e, false)));
            return out;
        }
        java.util.concurrent.atomic.AtomicReference<RuntimeException> silent = new java.util.concurrent.atomic.AtomicReference<>();
        List<Read> reads = Parallel.map("backup-manifests", atOnce, List.copyOf(complete.keySet()), orgId -> {
            if (silent.get() != null) {
                return new Read(null, silent.get(), true);
            }
            try {
                List<String> ids = complete.get(orgId);
                java.util.Collections.sort(ids);
                Newest n = newest(store, orgId, ids);
                BackupManifest m = n.manifest();
                return new Read(new Newest(m == null ? null : new BackupManifest(m.formatVersion(), m.orgId(), m.backupId(),
                        m.sourcePool(), m.sourceDatabase(), m.schemaHash(), m.startedAt(), m.finishedAt(), m.compression(), List.of(),
                        m.catalogId(), m.org()), n.unreadable()), null, false);
            } catch (RuntimeException e) {
                if (io.tenantctl.store.StoreUnansweredException.in(e).isPresent()) {
                    silent.compareAndSet(null, e);
                }
                return new Read(null, e, false);
            }
        }, "reading backup manifests");
        int i = 0;
        for (String orgId : complete.keySet()) {
            out.put(orgId, reads.get(i++));
        }
        return out;
    }
}
