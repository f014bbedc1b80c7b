package io.tenantctl.ops;

import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupManifest;
import io.tenantctl.backup.BackupReader;
import io.tenantctl.catalog.BackupPolicyRepository;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.store.ObjectStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code tenantctl backups list|show|prune}: the catalog's backups table merged with what is really in the store, so a
 * backup interrupted before its manifest shows up as {@code incomplete} even when the catalog never heard of it.
 */
public final class Backups {

    /** Manifest in the store: restorable. */
    public static final String COMPLETE = "complete";
    /** Being written now (catalog says running, started within the grace period). */
    public static final String RUNNING = "running";
    /** Files but no manifest: interrupted; never restorable. */
    public static final String INCOMPLETE = "incomplete";
    /**
     * Recorded failed: abandoned, its files removed (only the catalog row is left) or left for prune — a worker that lost
     * its org to another operation leaves its manifest.json too, and the catalog's verdict stands: not restorable.
     */
    public static final String FAILED = "failed";
    /** The catalog says complete but the store has no such backup. */
    public static final String MISSING = "missing";

    public static final int DEFAULT_GRACE_HOURS = 24;

    /** How many backups (an org without any counts one) backups list of every org lists the store for at once. */
    static final int LISTED_AT_ONCE = 1000;

    /**
     * One backup as the catalog and the store see it together. {@code otherCatalog}: the id of the catalog that took it,
     * when its manifest names another than this one (a catalog sharing the store, or the lost one a fresh init replaced):
     * not this catalog's, so never its newest, and never pruned by it; {@code sourcePool} the pool that one was read from.
     */
    public record Entry(String orgId, String backupId, String status, Instant startedAt, Instant finishedAt, Long docs, Long bytes,
                        String sha256, String location, boolean inCatalog, boolean inStore, String error,
                        @com.fasterxml.jackson.annotation.JsonIgnore Instant recordedAt,
                        @com.fasterxml.jackson.annotation.JsonIgnore boolean sizesDiffer, String otherCatalog,
                        @com.fasterxml.jackson.annotation.JsonIgnore String sourcePool) {

        /** When the backup happened as retention orders backups: the catalog's clock, or the id's time for one it lacks. */
        Instant order() {
            return recordedAt != null ? recordedAt : startedAt;
        }

        /** Recorded complete in the catalog, with its manifest's sha256: not one only in the store, nor one left running. */
        boolean recordedComplete() {
            return inCatalog && sha256 != null;
        }

        /** With {@code more} said after its error (its note). */
        Entry noted(String more) {
            return new Entry(orgId, backupId, status, startedAt, finishedAt, docs, bytes, sha256, location, inCatalog, inStore,
                    error == null ? more : error + "; " + more, recordedAt, sizesDiffer, otherCatalog, sourcePool);
        }

        /** As {@code backups show} says it: without the list's pointer to {@code backups show}, which checks each file there. */
        Entry shown() {
            String pointer = ": " + checksEachFile(backupId);
            return !sizesDiffer ? this : new Entry(orgId, backupId, status, startedAt, finishedAt, docs, bytes,
                    sha256, location, inCatalog, inStore, error.substring(0, error.length() - pointer.length()), recordedAt, true,
                    otherCatalog, sourcePool);
        }
    }

    /** What the list says of a backup whose files do not add up to the bytes recorded. */
    private static String checksEachFile(String backupId) {
        return "damaged? 'tenantctl backups show " + backupId + "' checks each file";
    }

    /**
     * One backup with its manifest (null when it has none, or when it does not read back: {@code manifestError} says why),
     * and each collection whose file is not in the store at its recorded size, with what is wrong.
     */
    public record Detail(Entry backup, BackupManifest manifest, String manifestError, Map<String, String> fileProblems, NextStep next) {
        public Detail(Entry backup, BackupManifest manifest, String manifestError) {
            this(backup, manifest, manifestError, Map.of());
        }

        public Detail(Entry backup, BackupManifest manifest, String manifestError, Map<String, String> fileProblems) {
            this(backup, manifest, manifestError, fileProblems, null);
        }

        /**
         * A complete backup a restore would refuse: its checks found something, or a read recorded it damaged (a flipped
         * bit only reading it all finds: verify --deep, a restore); or one recorded complete that is gone from this store
         * (its manifest.json or all of it). Not said of others (failed, incomplete): not checked.
         */
        public boolean damaged() {
            return backup.status().equals(COMPLETE) && (manifestError != null || BackupRepository.damage(backup.error()).isPresent())
                    || backup.status().equals(MISSING) && manifestError != null; // not one written to another store
        }
    }

    /** Unset keep-* values come from the org's tier policy (keep-daily = its retention days, keep-weekly = 0). */
    public record PruneRequest(List<String> orgIds, Integer keepLast, Integer keepDaily, Integer keepWeekly, int graceHours, boolean dryRun,
                               Clock clock, CancelToken cancel) {
        public PruneRequest(List<String> orgIds, Integer keepLast, Integer keepDaily, Integer keepWeekly, int graceHours, boolean dryRun,
                            Clock clock) {
            this(orgIds, keepLast, keepDaily, keepWeekly, graceHours, dryRun, clock, new CancelToken());
        }

        public PruneRequest {
            if ((keepLast != null && keepLast < 0) || (keepDaily != null && keepDaily < 0) || (keepWeekly != null && keepWeekly < 0)
                    || graceHours < 0) {
                throw TenantctlException.usage("--keep-last, --keep-daily, --keep-weekly and --grace-hours must not be negative "
                        + "(the newest complete backup is always kept)");
            }
        }
    }

    /** What prune did (or would do) with one backup, and why. */
    public record Decision(String orgId, String backupId, String status, String action, String reason, Long bytes) {
    }

    /**
     * {@code interrupted}: Ctrl-C/SIGTERM stopped it; the deletes not reached are kept, saying so. A dry run's decisions
     * say {@code would_delete} where the real run's say {@code delete} (as purge's and gc's say {@code would_drop}).
     */
    public record PruneResult(boolean dryRun, List<Decision> decisions, boolean interrupted, String next) {
        public static final String WOULD_DELETE = "would_delete";
        public static final String FAILED = "failed";

        public long deleted() {
            return decisions.stream().filter(d -> d.action().equals("delete")).count();
        }

        public long wouldDelete() {
            return decisions.stream().filter(d -> d.action().equals(WOULD_DELETE)).count();
        }

        /** Kept by the policy or for now (held, needed, not reached): not one whose delete failed, which is {@link #failed}. */
        public long kept() {
            return decisions.stream().filter(d -> d.action().equals("keep")).count();
        }

        /** Meant to be deleted, and the store would not (with why in its decision). */
        public long failed() {
            return decisions.stream().filter(d -> d.action().equals(FAILED)).count();
        }
    }

    private final OpsContext ctx;
    private final ObjectStore store;
    private final BackupLayout layout = BackupLayout.root();
    private final BackupRepository backups;
    /** " --store URL" as typed on the line, or "": what the commands these verbs name carry, to act on the store they read. */
    private final String storeOnLine;

    public Backups(OpsContext ctx, ObjectStore store) {
        this(ctx, store, "");
    }

    /** As above, the commands it names ({@code backup}, {@code backups forget}) carrying {@code storeOnLine} (" --store URL", or ""). */
    public Backups(OpsContext ctx, ObjectStore store, String storeOnLine) {
        this.ctx = ctx;
        this.store = store;
        this.backups = ctx.catalog().backups();
        this.storeOnLine = storeOnLine == null ? "" : storeOnLine;
    }

    /** The store these backups are read from, as messages name it (no secret). */
    public String store() {
        return store.describe();
    }

    /**
     * Every backup of the given orgs (none given: of all orgs with backups in the catalog or the store), by org, each
     * org's newest first.
     */
    public List<Entry> list(List<String> orgIds, Clock clock) {
        List<Entry> out = new ArrayList<>();
        forEach(orgIds, clock, out::add);
        return out;
    }

    /**
     * As {@link #list}, each entry handed to {@code each} as it is made: every org's backups (or those of the orgs named,
     * more than one) are read as one stream of catalog rows merged org by org with the store's listing of a batch of orgs
     * at once, so only a batch's backups ({@link #LISTED_AT_ONCE}) are held at a time, and a batch is one listing.
     */
    public void forEach(List<String> orgIds, Clock clock, java.util.function.Consumer<Entry> each) {
        forEach(orgIds, clock, each, l -> { });
    }

    /**
     * As {@link #forEach(List, Clock, java.util.function.Consumer)}, each org's entries first handed to {@code look} with
     * the store's listing of its prefix they came from ({@link OrgListing}): one org's listing at a time, as the listing
     * of its batch passes it (not in the orgs' order), never a listing of its own.
     */
    private void forEach(List<String> orgIds, Clock clock, java.util.function.Consumer<Entry> each,
                         java.util.function.Consumer<OrgListing> look) {
        orgIds.forEach(OrgId::require);
        // a backup recorded running whose worker is gone was abandoned (its process died): incomplete, not in progress
        Instant graceStart = clock.instant().minus(Duration.ofHours(DEFAULT_GRACE_HOURS));
        if (orgIds.size() == 1) { // one org (restore, verify, show): its own prefix's listing
            OrgListing one = listOrg(orgIds.get(0), graceStart);
            look.accept(one);
            one.entries().forEach(each);
            return;
        }
        java.util.NavigableSet<String> storeOrgs = new TreeSet<>(); // without --org: the orgs only the store knows too
        if (orgIds.isEmpty()) {
            store.children(layout.prefix().isEmpty() ? "" : layout.prefix() + "/").stream()
                    .map(n -> n.endsWith("/") ? n.substring(0, n.length() - 1) : n)
                    .filter(n -> OrgId.problem(n) == null).forEach(storeOrgs::add);
        }
        // the orgs in order, each with its catalog rows (none: only the store knows it), until they hold LISTED_AT_ONCE
        // backups: then their prefixes are listed at once (on S3, one paginated listing for them all, not one per org)
        List<Map.Entry<String, List<BackupRepository.Backup>>> batch = new ArrayList<>();
        int[] held = {0};
        Runnable flush = () -> {
            Map<String, List<BackupRepository.Backup>> rows = new HashMap<>();
            batch.forEach(o -> rows.put(o.getKey(), o.getValue()));
            Map<String, List<Entry>> merged = new HashMap<>(); // a batch's entries, handed on in the orgs' order
            BackupReader.listEach(store, layout, rows.keySet(), (orgId, listings, objects) -> {
                OrgListing org = new OrgListing(merge(orgId, rows.get(orgId), listings, graceStart), objects);
                look.accept(org);
                merged.put(orgId, org.entries());
            });
            batch.forEach(o -> merged.get(o.getKey()).forEach(each));
            batch.clear();
            held[0] = 0;
        };
        java.util.function.BiConsumer<String, List<BackupRepository.Backup>> org = (id, rows) -> {
            // the orgs only the store knows, in order before this one
            for (String only = storeOrgs.pollFirst(); only != null; only = storeOrgs.pollFirst()) {
                if (id != null && only.compareTo(id) >= 0) {
                    storeOrgs.add(only);
                    break;
                }
                batch.add(Map.entry(only, List.of()));
                if (++held[0] >= LISTED_AT_ONCE) {
                    flush.run();
                }
            }
            if (id != null) {
                storeOrgs.remove(id);
                batch.add(Map.entry(id, List.copyOf(rows)));
                held[0] += Math.max(1, rows.size());
            }
            if (held[0] >= LISTED_AT_ONCE || id == null && !batch.isEmpty()) {
                flush.run();
            }
        };
        List<BackupRepository.Backup> current = new ArrayList<>();
        if (!orgIds.isEmpty()) { // the orgs named, in order, each with its catalog rows (none: only the store may know it)
            new TreeSet<>(orgIds).forEach(id -> org.accept(id, backups.list(id)));
        } else {
            backups.forEachRow(r -> {
                if (!current.isEmpty() && !current.get(0).orgId().equals(r.orgId())) {
                    org.accept(current.get(0).orgId(), current);
                    current.clear();
                }
                current.add(r);
            });
        }
        if (!current.isEmpty()) {
            org.accept(current.get(0).orgId(), current);
        }
        org.accept(null, List.of());
    }

    /**
     * One org's {@link #list}, with the store's listing of its prefix it was made from: every file of each of its backups at
     * its size, which a check of one of them reads ({@link BackupReader#checkFilesPresent(List)}) rather than list its folder.
     */
    public record OrgListing(List<Entry> entries, List<io.tenantctl.store.ObjectInfo> listed) {
    }

    /** {@link #list} of one org, with its listing ({@link OrgListing}). */
    public OrgListing listOrg(String orgId, Clock clock) {
        OrgId.require(orgId);
        return listOrg(orgId, clock.instant().minus(Duration.ofHours(DEFAULT_GRACE_HOURS)));
    }

    private OrgListing listOrg(String orgId, Instant graceStart) {
        List<BackupRepository.Backup> rows = backups.list(orgId); // the catalog first: a backup it records complete is in the store
        List<io.tenantctl.store.ObjectInfo> listed = store.list(layout.orgPrefix(orgId));
        return new OrgListing(merge(orgId, rows, BackupReader.list(layout, orgId, listed), graceStart), listed);
    }

    /**
     * A backup recorded running is in progress while a live worker holds its run item; one without a run (or from before
     * runs were recorded) for a day after it started. A worker killed mid-backup makes it incomplete at once, not a day later.
     */
    private static boolean inProgress(BackupRepository.Backup row, Instant graceStart) {
        return row.status().equals(BackupRepository.RUNNING)
                && (row.runId() == null ? !row.startedAt().isBefore(graceStart) : row.workerAlive());
    }

    private List<Entry> merge(String orgId, List<BackupRepository.Backup> rows, List<BackupReader.Listing> listings, Instant graceStart) {
        Map<String, BackupReader.Listing> inStore = new LinkedHashMap<>();
        listings.forEach(l -> inStore.put(l.backupId(), l));
        Map<String, BackupRepository.Backup> inCatalog = new LinkedHashMap<>();
        rows.forEach(r -> inCatalog.put(r.backupId(), r));
        Set<String> ids = new TreeSet<>(Comparator.reverseOrder());
        ids.addAll(inStore.keySet());
        ids.addAll(inCatalog.keySet());
        List<Entry> out = new ArrayList<>();
        for (String id : ids) {
            BackupRepository.Backup row = inCatalog.get(id);
            BackupReader.Listing l = inStore.get(id);
            String status;
            boolean failedWhole = l != null && l.complete() && row != null && row.status().equals(BackupRepository.FAILED);
            if (l != null && l.complete()) {
                status = failedWhole ? FAILED : COMPLETE; // lost its org mid-copy: its manifest written, the catalog's failed stands
            } else if (l == null) {
                status = row.status().equals(BackupRepository.COMPLETE) ? MISSING : inProgress(row, graceStart) ? RUNNING : FAILED;
            } else if (row != null && row.status().equals(BackupRepository.COMPLETE)) {
                status = MISSING; // recorded complete, its manifest.json gone since: not a backup that never finished
            } else {
                status = row != null && inProgress(row, graceStart) ? RUNNING : INCOMPLETE;
            }
            // one only the store has: its manifest says which catalog took it (one that does not read back: as before, this
            // one's) and when it started, to the millisecond: its id holds only the second, which sorted it before a
            // recorded one of that second it came after
            String[] unreadable = new String[1]; // why the manifest of one only the store has does not read back
            BackupManifest stored = row == null && status.equals(COMPLETE) ? storedManifest(orgId, id, why -> unreadable[0] = why) : null;
            Instant started = row != null ? row.startedAt() : stored != null ? stored.startedAt() : BackupIds.timestamp(id);
            String location = row != null ? row.location() : location(store, layout, orgId, id);
            String elsewhere = status.equals(MISSING) ? otherStore(location, orgId, id).orElse(null) : null;
            // its data files do not add up to the bytes recorded (a file gone or cut short?), no read having said more
            boolean sizesDiffer = row != null && status.equals(COMPLETE) && row.status().equals(BackupRepository.COMPLETE) && row.bytes() != null
                    && l.dataBytes() != row.bytes() && BackupRepository.damage(row.error()).isEmpty();
            BackupManifest other = stored != null && stored.catalogId() != null && !stored.catalogId().equals(ctx.catalog().id()) ? stored : null;
            String error = elsewhere != null ? "written to " + elsewhere + ", not to this store: pass --store " + elsewhere
                    : other != null ? writtenBy(other) + ": restore takes it only named with --backup, prune leaves it to that catalog"
                    : status.equals(MISSING) && l != null ? "recorded complete, but its manifest.json is gone from the store (its data files are there)"
                    : row == null ? (status.equals(COMPLETE) ? "not recorded in the catalog" + (unreadable[0] == null ? ""
                            : ", and its manifest.json does not read back (" + unreadable[0] + "): restore refuses it; 'tenantctl backups show "
                            + id + " --org " + orgId + "' checks it") : null)
                    : row.status().equals(BackupRepository.RUNNING) && !status.equals(RUNNING) && !status.equals(COMPLETE)
                    ? "abandoned: " + (row.runId() == null ? "recorded running for over " + DEFAULT_GRACE_HOURS + " h"
                            : "the worker of run " + row.runId() + " stopped before finishing it")
                    : row.status().equals(BackupRepository.RUNNING) && status.equals(COMPLETE) && !row.workerAlive() ? notRecorded(row)
                    : failedWhole ? row.error() + "; its files, manifest.json and all, are in the store, but it is recorded failed: restore "
                            + "takes it only named with --backup, prune deletes it after the grace period"
                    : sizesDiffer ? "its data files hold " + l.dataBytes() + " bytes in the store, " + row.bytes() + " recorded: " + checksEachFile(id)
                    : row.error();
            out.add(new Entry(orgId, id, status, started, row == null ? null : row.finishedAt(), row == null ? null : row.docs(),
                    row != null && row.bytes() != null ? row.bytes() : l == null ? null : l.storedBytes(),
                    row == null ? null : row.sha256(), location, row != null, l != null, error, row == null ? null : row.recordedAt(), sizesDiffer,
                    other == null ? null : other.catalogId(), other == null ? null : other.sourcePool()));
        }
        // newest first as restore and prune order them (the catalog's clock), not by id: an id holds its worker's clock
        out.sort(NEWEST_FIRST);
        // recorded complete, its manifest.json gone, its data files there: missing — what restore would take, so refused
        // rather than an older one taken quietly — unless a complete backup is newer: then it is one a prune stopped
        // halfway through (it deletes the manifest first) or a damage that changes nothing restore takes; incomplete
        for (int i = 0, newerComplete = 0; i < out.size(); i++) {
            Entry e = out.get(i);
            if (e.status().equals(MISSING) && e.inStore() && newerComplete > 0) {
                out.set(i, new Entry(e.orgId(), e.backupId(), INCOMPLETE, e.startedAt(), e.finishedAt(), e.docs(), e.bytes(), e.sha256(),
                        e.location(), e.inCatalog(), true, "recorded complete, but its manifest.json is gone (a prune that stopped "
                        + "halfway?)", e.recordedAt(), false, null, null));
            }
            newerComplete += out.get(i).status().equals(COMPLETE) && out.get(i).otherCatalog() == null ? 1 : 0; // not another catalog's
        }
        return out;
    }

    /**
     * Why a backup whole in the store (its manifest, written last, is there) is still recorded running with no worker on
     * it: its worker stopped before the catalog heard it was complete (the catalog out of reach as it finished, or a kill).
     * Complete — restore takes it — but not recorded so (no documents, no manifest sha256; 'backup --due' still finds the
     * org due): the run's --resume records this very backup rather than take another, while the run can go on.
     */
    private static String notRecorded(BackupRepository.Backup row) {
        String why = "not recorded complete: " + (row.runId() == null ? "its worker stopped before the catalog heard it was"
                : "the worker of run " + row.runId() + " stopped before the catalog heard it was");
        return why + (row.runResumable() ? ": 'tenantctl backup --resume " + row.runId() + "' records it" : "");
    }

    /**
     * The next step for a backup in no catalog row that does not read back (a folder copied by hand under a later id, a
     * worker's with its clock ahead): nothing marks it damaged, and a fresh backup is older by its id, so it stays the
     * newest, what restore takes, until it is gone from the store. One wording, for verify's fix and restore's refusal.
     */
    public static String removeByHand(String location) {
        return "remove " + location + " from the store by hand: no catalog row records it, and as the newest by its id it is what "
                + "restore takes";
    }

    /** The manifest of backup {@code backupId} of {@code orgId}, one the catalog does not record; null when it does not read back. */
    private BackupManifest storedManifest(String orgId, String backupId, java.util.function.Consumer<String> why) {
        try {
            return BackupReader.open(store, layout, orgId, backupId, null).manifest();
        } catch (RuntimeException unreadable) { // damaged, or of a newer format: said in the list's note, restore's refusal as before
            why.accept(Errors.oneLine(unreadable));
            return null;
        }
    }

    /** Who took a backup {@code other} says another catalog took: what the list, prune and restore say of it. */
    private String writtenBy(BackupManifest other) {
        return "written by another catalog (" + other.catalogId() + ", from pool " + other.sourcePool() + "), not this one ("
                + ctx.catalog().id() + ")";
    }

    /** Where a backup the catalog does not record is in the store (one it records says its own). */
    static String location(ObjectStore store, BackupLayout layout, String orgId, String backupId) {
        return Backup.where(store.describe()) + layout.backupPrefix(orgId, backupId);
    }

    /** By {@link Entry#order}, newest first; ties by id. */
    private static final Comparator<Entry> NEWEST_FIRST = Comparator.comparing(Entry::order).thenComparing(Entry::backupId).reversed();

    /** One backup; {@code orgId} is needed only for a backup the catalog does not know. */
    public Detail show(String backupId, String orgId, Clock clock) {
        BackupIds.requireValid(backupId);
        requireThere(ctx.catalog(), store); // a volume not mounted: its backups are not gone, and 'forget' is no next step
        String org = orgId != null ? OrgId.require(orgId) : backups.find(backupId).map(BackupRepository.Backup::orgId).orElseThrow(() ->
                TenantctlException.usage("the catalog has no backup " + backupId + ": pass --org ORG to look for it in the store"));
        OrgListing listing = listOrg(org, clock); // every file of its backups at its size: what each check below reads
        Entry entry = listing.entries().stream().filter(e -> e.backupId().equals(backupId)).map(Entry::shown).findFirst().orElseThrow(() ->
                TenantctlException.usage(prunedAlready(backups.find(backupId).filter(b -> b.orgId().equals(org))).orElse("org " + org + " has no backup " + backupId + backups.find(backupId).map(BackupRepository.Backup::orgId)
                        .filter(owner -> !owner.equals(org)).map(owner -> ": it is org " + owner + "'s, 'tenantctl backups show " + backupId
                                + "' shows it").orElse(": see 'tenantctl backups list --org " + org + "'"))));
        if (entry.status().equals(MISSING) && otherStore(entry).isEmpty()) { // what restore refuses: not restorable
            return new Detail(entry, null, goneWhy(entry), Map.of(), forgetStep(entry, listing.entries()));
        }
        if (!entry.status().equals(COMPLETE)) {
            return new Detail(entry, null, null);
        }
        BackupReader reader;
        try {
            // the checks restore and prune make first: the manifest the catalog recorded (before its content is believed) ...
            reader = BackupReader.open(store, layout, org, backupId, entry.sha256());
        } catch (io.tenantctl.backup.BackupIntegrityException damaged) { // what verify --deep sends people here to look at
            return new Detail(entry, null, damaged.getMessage());
        }
        Map<String, String> files = reader.fileProblems(listing.listed()); // each file marked, not only the first one missing
        if (entry.sizesDiffer()) { // what the list counted that is not the backup's: said, as no file's mark says it
            List<String> strays = reader.strayDataFiles(listing.listed());
            entry = strays.isEmpty() ? entry : entry.noted(String.join(", ", strays) + (strays.size() == 1 ? " is" : " are")
                    + " in its folder but not in its manifest (counted in those bytes, never read by a restore)");
        }
        try { // ... and every file it lists in the store: the listing that marked them told it (read again only to say what is wrong)
            if (!files.isEmpty() || reader.manifest().collections().isEmpty()) {
                reader.checkFilesPresent(listing.listed());
            }
            return new Detail(entry, reader.manifest(), null, files);
        } catch (io.tenantctl.backup.BackupIntegrityException damaged) {
            return new Detail(entry, reader.manifest(), damaged.getMessage(), files);
        }
    }

    /**
     * Applies retention. Never deletes an org's newest complete backup or one being written; incomplete and failed ones
     * only once they are older than the grace period. A complete backup loses its manifest first, so a prune that stops
     * halfway leaves an incomplete backup (never restorable), not a damaged "complete" one.
     */
    public PruneResult prune(PruneRequest req) {
        if ((req.keepLast() != null && req.keepLast() < 0) || (req.keepDaily() != null && req.keepDaily() < 0)
                || (req.keepWeekly() != null && req.keepWeekly() < 0) || req.graceHours() < 0) {
            throw TenantctlException.usage("--keep-last, --keep-daily, --keep-weekly and --grace-hours must not be negative");
        }
        requireThere(ctx.catalog(), store); // a volume not mounted lists every backup as gone: kept, each naming a forget that refuses
        if (!req.dryRun()) { // a restore that died is rolled back first, as by every command that touches an org: its backup is then
            LeaseRecovery.sweep(ctx); // decided on by retention, not kept for a restore nobody runs
        }
        Instant now = ctx.catalog().now(); // the clock that stamped recorded_at: a host's own clock ahead must not age backups
        Map<String, List<Entry>> byOrg = new TreeMap<>();
        // each org's newest backups checked against the listing of its prefix they came from, not a LIST of their folders
        Map<String, Map<String, String>> damagedByOrg = new HashMap<>();
        forEach(req.orgIds(), req.clock(), e -> byOrg.computeIfAbsent(e.orgId(), k -> new ArrayList<>()).add(e),
                org -> org.entries().stream().findFirst().ifPresent(e -> damagedByOrg.put(e.orgId(), damaged(org.entries(), org.listed()))));
        BackupPolicyRepository policies = new BackupPolicyRepository(ctx.catalog());
        Map<String, String> inUse = ctx.catalog().restores().backupsInUse(io.tenantctl.ops.run.RunEngine.LEASE_SECONDS);
        if (req.dryRun()) {
            rolledBackFirst(inUse);
        }
        List<Decision> decisions = new ArrayList<>();
        for (var org : byOrg.entrySet()) {
            BackupPolicyRepository.Policy policy = ctx.catalog().orgs().find(org.getKey()).map(Org::tier).map(policies::forTier)
                    .orElse(BackupPolicyRepository.FALLBACK);
            int keepLast = req.keepLast() != null ? req.keepLast() : policy.keepLast();
            int keepDaily = req.keepDaily() != null ? req.keepDaily() : policy.retentionDays();
            int keepWeekly = req.keepWeekly() != null ? req.keepWeekly() : 0;
            decisions.addAll(decide(org.getValue(), keepLast, keepDaily, keepWeekly, Duration.ofHours(req.graceHours()), now,
                    damagedByOrg.get(org.getKey()), inUse));
        }
        if (req.dryRun()) { // nothing deleted: a reader of the dry run's decisions must not take them for done
            OrgLeases leases = new RunEngine(ctx, new LeaseRecovery(ctx)).orgLeases();
            Map<String, java.util.Optional<String>> busy = new HashMap<>(); // an org held now keeps its backups, as the prune says
            return new PruneResult(true, refusedDeletes(decisions.stream().map(d -> !d.action().equals("delete") ? d
                    : busy.computeIfAbsent(d.orgId(), leases::liveHolder).map(h -> kept(d, keptWhileBusy(h)))
                    .orElseGet(() -> new Decision(d.orgId(), d.backupId(), d.status(), PruneResult.WOULD_DELETE, d.reason(), d.bytes())))
                    .toList()), false, null);
        }
        List<TenantctlException> refused = new ArrayList<>();
        List<Decision> done = deleteUnderLeases(decisions, req.cancel(), refused);
        PruneResult result = new PruneResult(false, done, req.cancel().isCancelled(), req.cancel().isCancelled() ? again(req) : null);
        if (!result.interrupted() && result.deleted() == 0 && !refused.isEmpty() && refused.size() == result.failed()) {
            throw refusedEvery(refused, false); // a key that may not delete there: one line, not each backup failed with it
        }
        return result;
    }

    /** The one line of a prune whose every delete the store refused ({@code refused}); a dry run's says it would be so. */
    private static TenantctlException refusedEvery(List<TenantctlException> refused, boolean dryRun) {
        return new TenantctlException(refused.get(0).category(), (dryRun ? "dry run: backups prune would delete nothing: the store refuses "
                : "backups prune deleted nothing: the store refused ") + (refused.size() == 1 ? "the one backup it " + (dryRun ? "would" : "was to")
                + " delete: " : "each of the " + refused.size() + " backups it " + (dryRun ? "would" : "was to") + " delete, e.g. ")
                + refused.get(0).getMessage() + ", then prune again", refused.get(0));
    }

    /**
     * A dry run's {@code planned} decisions, each backup whose delete the store would refuse failed, as the prune fails it
     * ({@link ObjectStore#checkDeletableDeletingNothing}, deleting nothing); every one refused, the prune's one line (exit 3).
     */
    private List<Decision> refusedDeletes(List<Decision> planned) {
        List<TenantctlException> refused = new ArrayList<>();
        List<Decision> out = new ArrayList<>();
        for (Decision d : planned) {
            try {
                if (d.action().equals(PruneResult.WOULD_DELETE)) {
                    store.checkDeletableDeletingNothing(layout.backupPrefix(d.orgId(), d.backupId()));
                }
                out.add(d);
            } catch (io.tenantctl.store.StoreRefusesWritesException e) {
                refused.add(e);
                out.add(new Decision(d.orgId(), d.backupId(), d.status(), PruneResult.FAILED, "the prune could not delete it: "
                        + Errors.oneLine(e), d.bytes()));
            }
        }
        if (!refused.isEmpty() && out.stream().noneMatch(d -> d.action().equals(PruneResult.WOULD_DELETE))) {
            throw refusedEvery(refused, true);
        }
        return out;
    }

    /**
     * Deletes what was decided, each org's backups under that org's lease: an org another operation holds (a restore
     * reading one of these backups, an in-place one that has already dropped the org's database) keeps its backups this
     * time, said in its decisions. The decisions as carried out; {@code refused} gets each delete the store refused as it
     * refuses every delete of a key that may not delete there.
     */
    private List<Decision> deleteUnderLeases(List<Decision> decisions, CancelToken cancel, List<TenantctlException> refused) {
        Map<String, List<Decision>> byOrg = new LinkedHashMap<>();
        decisions.forEach(d -> byOrg.computeIfAbsent(d.orgId(), k -> new ArrayList<>()).add(d));
        OrgLeases leases = new RunEngine(ctx, new LeaseRecovery(ctx)).orgLeases();
        List<Decision> done = new ArrayList<>();
        for (var org : byOrg.entrySet()) {
            if (org.getValue().stream().noneMatch(d -> d.action().equals("delete"))) {
                done.addAll(org.getValue());
                continue;
            }
            if (cancel.isCancelled()) {
                org.getValue().forEach(d -> done.add(d.action().equals("delete") ? kept(d, Errors.NOT_REACHED) : d));
                continue;
            }
            OrgLeases.Attempt attempt = leases.tryHold(org.getKey(), "prune"); // renewed while it deletes (many, on S3)
            if (attempt.held() == null) {
                String why = keptWhileBusy(attempt.refusal());
                org.getValue().forEach(d -> done.add(d.action().equals("delete") ? kept(d, why) : d));
                continue;
            }
            try (OrgLeases.Held held = attempt.held()) {
                RestoreRepository restores = ctx.catalog().restores();
                boolean lost = false;
                for (Decision d : org.getValue()) {
                    if (!d.action().equals("delete")) {
                        done.add(d);
                        continue;
                    }
                    if (cancel.isCancelled()) {
                        done.add(kept(d, Errors.NOT_REACHED));
                        continue;
                    }
                    // before each delete: the org still ours (a heartbeat that missed the catalog for a lease period let a
                    // restore take it), and no restore begun since the decision reads this backup
                    lost = lost || !leases.stillHeld(org.getKey());
                    Map<String, String> inUse = lost ? Map.of() : restores.backupsInUse(io.tenantctl.ops.run.RunEngine.LEASE_SECONDS);
                    if (lost) {
                        done.add(kept(d, "prune's lease on org " + d.orgId() + " ran out and another operation may hold it: kept this "
                                + "time, prune again"));
                    } else if (inUse.containsKey(d.backupId())) {
                        done.add(kept(d, "needed: " + inUse.get(d.backupId())));
                    } else {
                        try { // asked first, deleting nothing: a file store's org folder that refuses it failed it after its manifest went
                            store.checkDeletableDeletingNothing(layout.backupPrefix(d.orgId(), d.backupId()));
                        } catch (io.tenantctl.store.StoreRefusesWritesException e) {
                            refused.add(e);
                            done.add(new Decision(d.orgId(), d.backupId(), d.status(), PruneResult.FAILED, "could not delete it: " + Errors.oneLine(e)
                                    + " (nothing of it was deleted; prune again once the store allows it)", d.bytes()));
                            continue;
                        }
                        try {
                            deleteFiles(d);
                        } catch (RuntimeException e) { // that backup only: the others are still pruned, and all of it reported
                            io.tenantctl.store.StoreRefusesWritesException.in(e).ifPresent(refused::add);
                            done.add(new Decision(d.orgId(), d.backupId(), d.status(), PruneResult.FAILED, "could not delete it: " + Errors.oneLine(e)
                                    + " (what was deleted of it is gone, its manifest first; prune again once the store allows it)", d.bytes()));
                            continue;
                        }
                        try {
                            backups.markPruned(d.backupId());
                            done.add(d);
                        } catch (RuntimeException e) { // gone from the store, still complete in the catalog: listed missing, not by a hand
                            done.add(new Decision(d.orgId(), d.backupId(), d.status(), PruneResult.FAILED, "its files were deleted, but the "
                                    + "catalog did not record it pruned (" + Errors.oneLine(e) + "): " + (d.status().equals(COMPLETE)
                                    ? "listed missing until 'tenantctl backups forget " + d.backupId() + storeOnLine + "' records it"
                                    : "the next prune records it"), d.bytes()));
                        }
                    }
                }
            }
        }
        return done;
    }

    /**
     * A dry run's {@code inUse} (backup → why a restore needs it), where a restore that died reads a backup: the prune
     * itself rolls that restore back first ({@link LeaseRecovery#sweep}), and then decides on the backup by retention.
     */
    private void rolledBackFirst(Map<String, String> inUse) {
        for (String runId : LeaseRecovery.runsClosedBySweep(ctx)) {
            ctx.catalog().runs().find(runId).map(r -> Json.tree(r.args()).path("backup").asText(null)).ifPresent(b -> inUse.computeIfPresent(b,
                    (id, why) -> why + "; that restore died: the prune (not its dry run) rolls it back first, as the next command on the "
                            + "org does ('tenantctl verify --fix --dry-run' says how), then decides on this backup by retention"));
        }
    }

    /** Why an org's backups are kept by a prune while {@code holder} (as a refusal names it) holds the org. */
    private static String keptWhileBusy(String holder) {
        return holder + ": kept this time, prune again once it is done";
    }

    /** The prune {@code req} asked for, as a command: what an interrupted one prints to go on. */
    private static String again(PruneRequest req) {
        StringBuilder cmd = new StringBuilder("tenantctl backups prune");
        if (!req.orgIds().isEmpty()) {
            cmd.append(" --org ").append(String.join(",", req.orgIds()));
        }
        if (req.keepLast() != null) {
            cmd.append(" --keep-last ").append(req.keepLast());
        }
        if (req.keepDaily() != null) {
            cmd.append(" --keep-daily ").append(req.keepDaily());
        }
        if (req.keepWeekly() != null) {
            cmd.append(" --keep-weekly ").append(req.keepWeekly());
        }
        return cmd.append(" --grace-hours ").append(req.graceHours()).toString();
    }

    private static Decision kept(Decision d, String why) {
        return new Decision(d.orgId(), d.backupId(), d.status(), "keep", why, d.bytes());
    }

    /**
     * What retention keeps of one org's backups. Newest first by {@link Entry#order}, when the catalog recorded them: the
     * worker that took one may have had its clock wrong, and its started_at must not make the backup taken last look old
     * enough to delete.
     */
    private List<Decision> decide(List<Entry> entries, int keepLast, int keepDaily, int keepWeekly, Duration grace, Instant now,
                                  Map<String, String> damaged, Map<String, String> inUse) {
        List<Entry> complete = newestFirst(entries).stream().filter(e -> !damaged.containsKey(e.backupId())).toList();
        Map<String, String> keep = new LinkedHashMap<>();
        damaged.forEach((id, why) -> keep.put(id, "damaged (" + why + "): restore refuses it; kept for a person to look at"));
        entries.stream().map(Entry::backupId).filter(inUse::containsKey).forEach(id -> keep.putIfAbsent(id, "needed: " + inUse.get(id)));
        for (int i = 0; i < complete.size(); i++) {
            Entry e = complete.get(i);
            if (i == 0) {
                keep.putIfAbsent(e.backupId(), "newest restorable backup (always kept)");
            } else if (i < keepLast) {
                keep.putIfAbsent(e.backupId(), "one of the last " + keepLast);
            }
        }
        // the newest only in the store (no catalog row): restore takes it, but a read that finds it damaged has no row to
        // record that on, so restore takes it again and names the next older one to restore instead: the catalog's own
        // newest restorable one is kept too, or that refusal would name a backup this prune deleted; so for one the catalog
        // has still running (its worker stopped before recording it: no sha256, its completeness never confirmed)
        if (!complete.isEmpty() && !complete.get(0).recordedComplete()) {
            Entry newest = complete.get(0);
            complete.stream().filter(Entry::recordedComplete).findFirst().ifPresent(e -> keep.putIfAbsent(e.backupId(), "newest restorable "
                    + "backup the catalog records" + (newest.inCatalog() ? " complete" : "") + " (always kept while a newer one, "
                    + newest.backupId() + (newest.inCatalog() ? ", is not recorded complete: no sha256 to check it against, its "
                    + "completeness never confirmed)" : ", is only in the store: no catalog row can record a read finding that one "
                    + "damaged, and restore then names this one)")));
        }
        Map<LocalDate, String> days = new HashMap<>(); // each day (week) kept, by its newest backup
        Map<String, String> weeks = new HashMap<>();
        Map<String, String> dropped = new HashMap<>(); // why no rule kept a complete backup, each rule named
        for (int i = 0; i < complete.size(); i++) { // days, weeks and windows by the catalog's clock too, not the worker's started_at
            Entry e = complete.get(i);
            LocalDate day = LocalDate.ofInstant(e.order(), ZoneOffset.UTC);
            List<String> why = new ArrayList<>();
            why.add(keepLast > 0 ? "not one of the last " + keepLast : "keep-last 0");
            boolean inDays = e.order().isAfter(now.minus(Duration.ofDays(keepDaily)));
            if (keepDaily > 0 && inDays && days.putIfAbsent(day, e.backupId()) == null) {
                keep.putIfAbsent(e.backupId(), "newest of " + day + " (keep-daily " + keepDaily + ")");
            }
            why.add(keepDaily == 0 ? "keep-daily 0" : !inDays ? "older than the " + io.tenantctl.Counted.of(keepDaily, "day") + " keep-daily keeps"
                    : "not the newest of " + day + " (" + days.get(day) + " is; keep-daily " + keepDaily + ")");
            String week = day.get(IsoFields.WEEK_BASED_YEAR) + "-W" + day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            boolean inWeeks = e.order().isAfter(now.minus(Duration.ofDays(7L * keepWeekly)));
            if (keepWeekly > 0 && inWeeks && weeks.putIfAbsent(week, e.backupId()) == null) {
                keep.putIfAbsent(e.backupId(), "newest of week " + week + " (keep-weekly " + keepWeekly + ")");
            }
            if (keepWeekly > 0) { // off by default: said only when asked for
                why.add(!inWeeks ? "older than the " + io.tenantctl.Counted.of(keepWeekly, "week") + " keep-weekly keeps"
                        : "not the newest of week " + week + " (" + weeks.get(week) + " is; keep-weekly " + keepWeekly + ")");
            }
            dropped.put(e.backupId(), String.join("; ", why));
        }
        List<Decision> out = new ArrayList<>();
        for (Entry e : entries) {
            String action;
            String reason;
            switch (e.status()) {
                case COMPLETE -> {
                    reason = e.otherCatalog() != null ? "written by another catalog (" + e.otherCatalog() + ", from pool " + e.sourcePool()
                            + "): that catalog's prune decides on it"
                            : keep.getOrDefault(e.backupId(), dropped.getOrDefault(e.backupId(), "outside retention"));
                    action = e.otherCatalog() != null || keep.containsKey(e.backupId()) ? "keep" : "delete";
                }
                case RUNNING -> {
                    action = "keep";
                    reason = "in progress";
                }
                case MISSING -> {
                    action = "keep";
                    reason = otherStore(e).map(o -> "in " + o + ", not this store: prune it there")
                            .orElse((e.inStore() ? "recorded complete but its manifest.json is gone from the store"
                                    : "recorded complete but not in the store") + ": check the store; " + forgetStep(e, entries).text());
                }
                default -> {
                    boolean old = e.order().isBefore(now.minus(grace));
                    action = old ? "delete" : "keep";
                    reason = e.status() + (old ? ", older than the " : ", within the ") + grace.toHours() + " h grace period";
                }
            }
            out.add(new Decision(e.orgId(), e.backupId(), e.status(), action, reason, e.bytes()));
        }
        return out;
    }

    /**
     * How a backup gone from this store ({@link #MISSING}) stops being named: forgotten ('backups forget') — after a fresh
     * backup, when it is the org's newest ({@code listing}: the org's), which restore takes and refuses rather than an older one;
     * a deleted org's newest none: backup refuses the org, so forget refuses it for good ({@link #forgettable}'s rule).
     */
    private NextStep forgetStep(Entry gone, List<Entry> listing) {
        String forget = "tenantctl backups forget " + gone.backupId() + storeOnLine;
        String fresh = "tenantctl backup --org " + gone.orgId() + storeOnLine;
        if (newestRecorded(listing).filter(n -> n.backupId().equals(gone.backupId())).isEmpty()) {
            return new NextStep(forget, "once it is known gone for good", "once it is known gone for good, forget it: " + forget);
        }
        return ctx.catalog().orgs().find(gone.orgId()).map(o -> o.status().equals(Org.DELETED)).orElse(true)
                ? NextStep.note("org " + gone.orgId() + " is deleted: nothing newer can replace it, so it is kept, not forgotten "
                        + "(put its files back in the store if they are found)")
                : new NextStep(fresh, "then forget it: " + forget, "take a fresh backup (" + fresh + "), then forget it: " + forget);
    }

    /** What {@code backups forget} did, or with {@code dryRun} would do: backup {@code backupId}'s row forgotten. */
    public record Forgotten(String orgId, String backupId, String location, boolean dataFilesLeft, boolean dryRun) {
    }

    /**
     * Forgets backup {@code backupId}, recorded complete and gone from this store ({@link #MISSING}): its row marked pruned
     * ({@link BackupRepository#forget}), so prune keeps it no more. Under the org's lease (a restore holding the org reads
     * its backups: refused, exit 3, naming it, or waited for with {@code waitForOrg}); refused (exit 2) for one the store has, one written to another store, and the org's newest recorded
     * (restore's record that nothing newer exists, and purge's reason to keep a deleted org's database) until a fresh
     * backup replaces it. Files of it left without a manifest are an incomplete backup prune deletes after its grace period.
     */
    public Forgotten forget(String backupId, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        BackupIds.requireValid(backupId);
        BackupRepository.Backup row = backups.find(backupId).orElseThrow(() -> TenantctlException.usage("the catalog has no backup "
                + backupId + ": nothing to forget (see 'tenantctl backups list')"));
        OrgLeases leases = new RunEngine(ctx, new LeaseRecovery(ctx)).orgLeases();
        if (dryRun) {
            Entry e = forgettable(row);
            leases.dryRun(row.orgId(), waitForOrg); // held now: the refusal the forget would meet (exit 3), or whom it would wait for
            return new Forgotten(e.orgId(), backupId, e.location(), e.inStore(), true);
        }
        try (OrgLeases.Held held = leases.hold(row.orgId(), "backups forget", waitForOrg, cancel)) {
            Entry e = forgettable(backups.find(backupId).orElseThrow()); // looked at again under the lease
            backups.forget(backupId, "'tenantctl backups forget' by " + ctx.actor() + ": " + goneWhy(e));
            return new Forgotten(e.orgId(), backupId, e.location(), e.inStore(), false);
        }
    }

    /**
     * What {@code backups forget} did with one of the ids it was given: {@code forgotten} (or, in a dry run, would be), or
     * {@code refused} with the line and exit code a forget of it alone meets; neither when stopped before this one (see
     * {@link #stops}). {@code orgId}: the backup's org, when the catalog has its row (null for an id it has not, or not reached).
     */
    public record ForgetOutcome(String backupId, String orgId, Forgotten forgotten, TenantctlException refused) {
    }

    /**
     * What {@code backups forget} did with the ids it was given: each one's outcome, in the order given, and what they add
     * up to — those refused, those not reached, the failure that stopped it ({@code stopper}: the last outcome whose refusal
     * {@link #stops} the ones after it, or null), the ids the forget that goes on takes, and the exit code.
     */
    public record ForgetResult(boolean dryRun, List<ForgetOutcome> outcomes, ForgetOutcome stopper) {

        static ForgetResult of(boolean dryRun, List<ForgetOutcome> outcomes) {
            return new ForgetResult(dryRun, List.copyOf(outcomes), outcomes.stream()
                    .filter(o -> o.refused() != null && stops(o.refused())).reduce((a, b) -> b).orElse(null));
        }

        /**
         * Why {@code o} was not forgotten, null when it was: its refusal, or for one not reached, the failure that stopped
         * the forget before it (its category) or Ctrl-C (interrupted), nothing of it changed.
         */
        public TenantctlException error(ForgetOutcome o) {
            if (o.forgotten() != null || o.refused() != null) {
                return o.refused();
            }
            boolean failed = stopper != null && stopper.refused().category() != TenantctlException.Category.INTERRUPTED;
            return new TenantctlException(failed ? stopper.refused().category() : TenantctlException.Category.INTERRUPTED, "backup "
                    + o.backupId() + " was not looked at: " + (failed ? "the forget stopped at " + stopper.backupId() + " (its error says why)"
                    : "interrupted (Ctrl-C or SIGTERM)") + " before it; nothing of it changed");
        }

        /** The ids refused, in order: each a refusal of that backup that stopped none of the others (the stopper not among them). */
        public List<String> refused() {
            return outcomes.stream().filter(o -> o.refused() != null && o != stopper).map(ForgetOutcome::backupId).toList();
        }

        /** The ids not reached, in order: after the one that stopped it, or after a Ctrl-C between two. */
        public List<String> notReached() {
            return outcomes.stream().filter(o -> o.forgotten() == null && o.refused() == null).map(ForgetOutcome::backupId).toList();
        }

        /** Whether Ctrl-C (or SIGTERM) stopped it: while it forgot one (or waited for its org), or between two. */
        public boolean interrupted() {
            return stopper == null ? !notReached().isEmpty() : stopper.refused().category() == TenantctlException.Category.INTERRUPTED;
        }

        /** 1 when a failure other than Ctrl-C stopped it (the catalog or store not answering, an unexpected one), else 0. */
        public int failed() {
            return stopper == null || interrupted() ? 0 : 1;
        }

        /** How many were not looked at: those not reached, and the one a Ctrl-C stopped while it waited (nothing done to it). */
        public int notLookedAt() {
            return notReached().size() + (interrupted() && stopper != null ? 1 : 0);
        }

        /** The ids the forget that goes on takes, in order: the one it stopped at, then those not reached; none when nothing stopped it. */
        public List<String> rest() {
            List<String> rest = new ArrayList<>();
            if (stopper != null) {
                rest.add(stopper.backupId());
            }
            rest.addAll(notReached());
            return rest;
        }

        /** How many were forgotten (in a dry run, would be). */
        public int forgotten() {
            return outcomes.size() - refused().size() - rest().size();
        }

        /** The failure that stopped it decides (1 unexpected, 3 catalog or store, 130 Ctrl-C); else the worst of the refusals, 0 for none. */
        public int exitCode() {
            if (stopper != null) {
                return stopper.refused().category().exitCode;
            }
            return outcomes.stream().map(this::error).filter(java.util.Objects::nonNull).mapToInt(e -> e.category().exitCode).max().orElse(0);
        }
    }

    /**
     * Whether {@code e}, met forgetting one backup, stops the forget of the ones after it: Ctrl-C, the catalog or store
     * not answering, or an unexpected failure (a fact about the catalog, the store or tenantctl, not about that backup,
     * which the next would meet too); a refusal of that backup (in the store, its org held...) stops none.
     */
    public static boolean stops(TenantctlException e) {
        return e.category() == TenantctlException.Category.INTERRUPTED || e.category() == TenantctlException.Category.INTERNAL
                || e instanceof io.tenantctl.catalog.Catalog.Unreachable || io.tenantctl.store.StoreUnansweredException.in(e).isPresent();
    }

    /**
     * As {@link #forget(String, boolean, boolean, CancelToken)}, for each of {@code backupIds} (each once, in the order
     * given) in the store {@code storeUrl} names (its listing is its check that it answers): one refused does not stop the
     * others; Ctrl-C (or SIGTERM) or a failure that {@link #stops} ends it there, leaving the ones not reached without an
     * outcome (an unexpected failure of one of several as an INTERNAL refusal; of one alone, thrown as it is); the
     * {@link ForgetResult} adds them up. {@code storeOnLine}: " --store URL" as typed, or "", for the commands its refusals name.
     */
    public static ForgetResult forget(OpsContext ctx, String storeUrl, String storeOnLine, Map<String, String> env, List<String> backupIds,
                                             boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        try (ObjectStore store = OpsContext.openStoreToList(storeUrl, env)) {
            requireThere(ctx.catalog(), store); // a volume not mounted lists every backup as gone: none of them is
            Backups backups = new Backups(ctx, store, storeOnLine);
            List<ForgetOutcome> out = new ArrayList<>();
            boolean stopped = false;
            for (String id : new java.util.LinkedHashSet<>(backupIds)) {
                stopped |= cancel.isCancelled();
                if (stopped) {
                    out.add(new ForgetOutcome(id, null, null, null));
                    continue;
                }
                try {
                    Forgotten f = backups.forget(id, dryRun, waitForOrg, cancel);
                    out.add(new ForgetOutcome(id, f.orgId(), f, null));
                } catch (TenantctlException e) {
                    out.add(new ForgetOutcome(id, stops(e) ? null : backups.orgOf(id), null, e)); // a refusal naming the org: its org_id too
                    stopped = stops(e);
                } catch (RuntimeException e) {
                    if (backupIds.stream().distinct().count() == 1) {
                        throw e;
                    }
                    out.add(new ForgetOutcome(id, null, null, new TenantctlException(TenantctlException.Category.INTERNAL, "unexpected "
                            + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e)));
                    stopped = true;
                }
            }
            return ForgetResult.of(dryRun, out);
        }
    }

    /** The org of backup {@code backupId} as the catalog records it; null when it has no such row or does not answer. */
    private String orgOf(String backupId) {
        try {
            return backups.find(backupId).map(BackupRepository.Backup::orgId).orElse(null);
        } catch (RuntimeException e) {
            return null; // its refusal already says what went wrong
        }
    }

    /**
     * What a command that names backup {@code row} by its id says when the row is {@code pruned} (by retention, or forgotten):
     * its row kept for the audit trail, said as such, not as a backup the org never had. Empty for any other row.
     */
    static java.util.Optional<String> prunedAlready(java.util.Optional<BackupRepository.Backup> row) {
        return prunedAlready(row, "");
    }

    /** As {@link #prunedAlready(java.util.Optional)}, its 'backups list' with {@code storeOnLine} (" --store URL" as typed, or ""). */
    static java.util.Optional<String> prunedAlready(java.util.Optional<BackupRepository.Backup> row, String storeOnLine) {
        return row.filter(b -> b.status().equals(BackupRepository.PRUNED)).map(b -> "backup " + b.backupId() + " of org " + b.orgId()
                + (b.error() != null && b.error().startsWith(BackupRepository.FORGOTTEN) ? " was forgotten (" + b.error().substring(BackupRepository.FORGOTTEN.length()) + ")"
                : " was pruned (deleted by 'tenantctl backups prune')") + ": nothing of it is left to read; its catalog row is kept for "
                + "the audit trail; the org's backups: 'tenantctl backups list --org " + b.orgId() + storeOnLine + "'");
    }

    /** Backup {@code row} as this store lists it, if {@link #forget} may forget it; else refused (exit 2), saying why. */
    private Entry forgettable(BackupRepository.Backup row) {
        String it = "backup " + row.backupId() + " of org " + row.orgId();
        if (!row.status().equals(BackupRepository.COMPLETE)) {
            throw TenantctlException.usage(it + (!row.status().equals(BackupRepository.PRUNED) ? " is recorded " + row.status()
                    + ": only one recorded complete whose files are gone from the store is forgotten ('tenantctl backups prune' deletes "
                    + "failed and incomplete ones)" : row.error() != null && row.error().startsWith(BackupRepository.FORGOTTEN)
                    ? " was forgotten already" : " was pruned already") + "; its row is kept for the audit trail");
        }
        List<Entry> listing = listOrg(row.orgId(), Clock.systemUTC()).entries();
        Entry e = listing.stream().filter(x -> x.backupId().equals(row.backupId())).findFirst().orElseThrow();
        if (!e.status().equals(MISSING)) {
            throw TenantctlException.usage(it + " is in the store (" + e.status() + ", at " + e.location() + "): not forgotten; "
                    + "'tenantctl backups prune' deletes it when retention lets it go");
        }
        java.util.Optional<String> elsewhere = otherStore(e);
        if (elsewhere.isPresent()) {
            throw TenantctlException.usage(it + " was written to " + elsewhere.get() + ", not to " + store.describe() + ": not gone "
                    + "from there; not forgotten");
        }
        if (newestRecorded(listing).filter(n -> n.backupId().equals(row.backupId())).isPresent()) {
            boolean deleted = ctx.catalog().orgs().find(row.orgId()).map(o -> o.status().equals(Org.DELETED)).orElse(true);
            throw TenantctlException.usage(it + " is the org's newest (" + goneWhy(e) + "): restore takes it and refuses it rather "
                    + "than an older one quietly, and purge keeps a deleted org's database for it; not forgotten. "
                    + (deleted ? "Org " + row.orgId() + " is gone, so nothing newer can replace it" : "Take a fresh backup first (tenantctl backup --org " + row.orgId() + storeOnLine + "), then forget it"));
        }
        return e;
    }

    /**
     * The org's newest backup that is complete or was recorded complete (and is missing from the store now), ordered as
     * prune orders them — by the catalog's clock, one only in the store (a catalog restored from an older snapshot) by
     * its id's time: what restore without --backup takes (refused, naming it, when it is gone or damaged) and verify
     * --deep checks — a newest backup gone from the store is a problem, not a reason to read an older one quietly.
     */
    public java.util.Optional<Entry> newestRecorded(String orgId) {
        return newestRecorded(list(List.of(orgId), Clock.systemUTC()));
    }

    /** As {@link #newestRecorded(String)}, of one org's {@link #list}ing {@code listing}. */
    public static java.util.Optional<Entry> newestRecorded(List<Entry> listing) {
        return listing.stream().filter(e -> (e.status().equals(COMPLETE) || e.status().equals(MISSING)) && e.otherCatalog() == null)
                .max(Comparator.comparing(Entry::order).thenComparing(Entry::backupId));
    }

    /**
     * Records that the org's newest backup, {@code gone} ({@link #MISSING}, not written to another store), was looked for
     * by a restore or verify and is not there: damaged as a corrupt one is ({@link BackupRepository#markDamaged}), so
     * {@code backup --due} takes the org again and purge keeps a deleted org's database. So is every other backup the
     * org's {@code listing} shows gone from this store: an older one gone too must not count as a fresh backup for
     * {@code --due} while restore says there is no older one to take. Returns why the newest is gone, for the message.
     */
    String rememberGone(Entry gone, List<Entry> listing) {
        for (Entry e : listing) {
            if (!e.backupId().equals(gone.backupId()) && e.status().equals(MISSING)
                    && BackupRepository.damage(e.error()).isEmpty() && otherStore(e).isEmpty()) {
                backups.markDamaged(e.backupId(), goneWhy(e));
            }
        }
        String why = goneWhy(gone);
        backups.markDamaged(gone.backupId(), why);
        return why;
    }

    /**
     * How backup run {@code runId} copies, as it was started (its --compression and --freeze): what its workers copy with,
     * and what a backup of one of its orgs alone takes to copy as the run does, once the run's --resume is refused (cancelled).
     */
    public static Backup.Copy copyOf(io.tenantctl.catalog.Catalog catalog, String runId) {
        return copyOf(Json.read(runId, catalog.runs().get(runId).args(), Backup.Args.class));
    }

    static Backup.Copy copyOf(Backup.Args args) {
        return new Backup.Copy(io.tenantctl.backup.Compression.of(args.compression()), args.freeze(), args.purpose());
    }

    /**
     * A backup's selection is one of --org, --all, --pool or --due (--due may be combined with --pool), else a usage error
     * (exit 2): checked by the command before it opens the store or reads the catalog, and again by the run.
     */
    public static void requireChosen(Backup.Selector s) {
        List<String> given = new ArrayList<>();
        given.addAll(s.orgIds().isEmpty() ? List.of() : List.of("--org"));
        given.addAll(s.all() ? List.of("--all") : List.of());
        given.addAll(s.pools().isEmpty() || s.due() ? List.of() : List.of("--pool"));
        given.addAll(s.due() ? List.of("--due") : List.of());
        if (given.size() != 1) { // two given: not "choose", which reads as if none was, but which two do not go together
            throw TenantctlException.usage((given.isEmpty() ? "choose what to back up: " : String.join(" and ", given) + " do not go together: "
                    + "give one of ") + "--org ID..., --all, --pool POOL... or --due (--due may be combined with --pool)");
        }
    }

    /**
     * Refuses a store that is not there at all ({@link ObjectStore#missing}: a file store's directory missing, or holding
     * nothing at all, as a mount point with nothing mounted on it) while the catalog records complete backups written there:
     * not every backup gone, but a volume not mounted, or the directory moved. A CONFIG error (exit 3) naming the store, as
     * one that does not answer, before any backup is looked for or marked damaged (or written on the disk under the mount
     * point); if they are gone for good, a file put in the directory says so and the next verify finds them gone.
     */
    static void requireThere(io.tenantctl.catalog.Catalog catalog, ObjectStore store) {
        notThere(catalog, store, false).ifPresent(refused -> {
            throw refused;
        });
    }

    /**
     * For {@code backups list}, which lists what the catalog records even so (read only, and the ids are worth seeing), each
     * backup written there {@code missing}: {@link #requireThere}'s refusal, saying those are not gone, to be thrown once
     * the list is printed (exit 3). Empty when the store is there.
     */
    public java.util.Optional<TenantctlException> notThereAfterListing() {
        return notThere(ctx.catalog(), store, true);
    }

    private static java.util.Optional<TenantctlException> notThere(io.tenantctl.catalog.Catalog catalog, ObjectStore store, boolean listed) {
        String missing = store.missing().orElse(null);
        BackupRepository.Written w = missing == null ? null : catalog.backups().completeUnder(Backup.where(store.describe()));
        if (w == null || w.backups() == 0) {
            return java.util.Optional.empty();
        }
        String ifGone = missing.equals(io.tenantctl.store.FileObjectStore.EMPTY) ? "put a file in it"
                : missing.equals(io.tenantctl.store.FileObjectStore.ABSENT) ? "make it and put a file in it" : null;
        String they = io.tenantctl.Counted.they(w.backups()), them = io.tenantctl.Counted.them(w.backups()), are = io.tenantctl.Counted.are(w.backups());
        return java.util.Optional.of(TenantctlException.config("store " + store.describe() + " " + missing + ", but the catalog records "
                + io.tenantctl.Counted.of(w.backups(), "complete backup") + " of " + io.tenantctl.Counted.of(w.orgs(), "org") + " written there: "
                + (listed ? "the list calls " + them + " missing, but " + they + " " + are + " not gone: " : "")
                + "mount the volume it is on, or point --store / TENANTCTL_STORE at the directory that holds " + them
                + (ifGone == null ? "" : "; if " + they + " " + are + " gone for good, " + ifGone + " (any name, e.g. .emptied), then run again")));
    }

    /** Why a backup {@link #MISSING} from this store is not restorable: its manifest.json, or all of it, gone. */
    static String goneWhy(Entry gone) {
        return "recorded complete, but its " + (gone.inStore() ? "manifest.json is gone from the store (its data files are there)"
                : "files are gone from the store");
    }

    /**
     * The org's newest complete backup older than {@code than} that no read found damaged and that passes the checks a
     * restore makes before it starts (its manifest as recorded, collections listed, every file there): what to restore
     * instead. One listing of the org's backups, which holds their files, and one manifest read for each backup passed over.
     */
    java.util.Optional<String> olderRestorable(String orgId, String than) {
        OrgListing all = listOrg(orgId, Clock.systemUTC());
        return all.entries().stream().dropWhile(e -> !e.backupId().equals(than)).filter(e -> !e.backupId().equals(than) && e.status().equals(COMPLETE)
                && e.otherCatalog() == null && damaged(List.of(e), all.listed()).isEmpty())
                .map(Entry::backupId).findFirst();
    }

    /**
     * The store a backup recorded at {@code location} was written to, when that is not this one: a backup "missing" here
     * may be whole in the store it went to (TENANTCTL_STORE changed, or --store forgotten), and the operator is told where.
     */
    java.util.Optional<String> otherStore(String location, String orgId, String backupId) {
        String here = Backup.where(store.describe());
        if (location == null || location.startsWith(here)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(writtenTo(location, orgId, backupId));
    }

    /**
     * The store a backup recorded at {@code location} was written to, as --store takes it pasted (one shell word: a file
     * store's directory may hold a {@code $} or {@code &}), an S3 endpoint said beside it.
     */
    static String writtenTo(String location, String orgId, String backupId) {
        String suffix = BackupLayout.root().backupPrefix(orgId, backupId);
        String root = location.endsWith(suffix) ? location.substring(0, location.length() - suffix.length()) : location;
        root = root.endsWith("/") && root.length() > "file:///".length() ? root.substring(0, root.length() - 1) : root;
        int at = root.indexOf(" at "); // an S3-compatible store is described "s3://bucket/prefix at http://endpoint"
        return at < 0 ? NextStep.shellWord(root) : NextStep.shellWord(root.substring(0, at)) + WITH_ENDPOINT + root.substring(at + 4) + ")";
    }

    private static final String WITH_ENDPOINT = " (with TENANTCTL_S3_ENDPOINT=";

    /** {@code command} given {@code --store} {@link #otherStore}: the endpoint that store needs is its note, not part of the command. */
    public static NextStep withStore(String command, String otherStore) {
        int with = otherStore.indexOf(WITH_ENDPOINT);
        return with < 0 ? NextStep.run(command + " --store " + otherStore)
                : NextStep.run(command + " --store " + otherStore.substring(0, with), otherStore.substring(with + 2, otherStore.length() - 1) + " set");
    }

    /** What one listing of an org's backups says of one of them: damage found ({@code damage}), or written to another store. */
    public record Look(String damage, String elsewhere) {
        public boolean whole() {
            return damage == null && elsewhere == null;
        }
    }

    /**
     * Whether backup {@code backupId} of {@code orgId}, recorded complete, is in this store as written, as far as one
     * listing of the org's backups shows (a plain verify's check: every file there at the bytes recorded; its manifest read
     * only when they do not add up, to name the file gone or cut short). What it finds gone or cut short is recorded as
     * damage ({@code record}), as verify records it, so that restore, {@code --due} and purge all know; a backup written
     * to another store is said to be there, not damaged.
     */
    public Look look(String orgId, String backupId, boolean record) {
        OrgListing listed = listOrg(orgId, Clock.systemUTC()); // every file of its backups at its size: what the check reads
        List<Entry> listing = listed.entries();
        Entry e = listing.stream().filter(x -> x.backupId().equals(backupId)).findFirst().orElse(null);
        if (e == null) {
            return new Look(null, null);
        }
        if (e.status().equals(MISSING)) {
            java.util.Optional<String> elsewhere = otherStore(e);
            return elsewhere.isPresent() ? new Look(null, elsewhere.get()) : new Look(record ? rememberGone(e, listing) : goneWhy(e), null);
        }
        if (!e.sizesDiffer()) {
            return new Look(null, null);
        }
        try {
            BackupReader.open(store, layout, orgId, backupId, e.sha256()).checkFilesPresent(listed.listed()); // not listed again
            return new Look(null, null);
        } catch (io.tenantctl.backup.BackupIntegrityException | io.tenantctl.backup.BackupIncompleteException damaged) {
            if (record) {
                rememberDamage(ctx.catalog(), backupId, damaged);
            }
            return new Look(Errors.oneLine(damaged), null);
        }
    }

    /** As {@link #otherStore(String, String, String)}, for an entry of {@link #list}. */
    public java.util.Optional<String> otherStore(Entry e) {
        return otherStore(e.location(), e.orgId(), e.backupId());
    }

    /** This catalog's complete backups, newest first by {@link Entry#order} (another catalog's are not its own to keep or prune). */
    private static List<Entry> newestFirst(List<Entry> entries) {
        return entries.stream().filter(e -> e.status().equals(COMPLETE) && e.otherCatalog() == null).sorted(NEWEST_FIRST).toList();
    }

    /**
     * The complete backups, newer than an org's newest restorable one (when that one is only in the store: than the newest
     * restorable one the catalog records, which prune keeps too), that cannot be restored, each with why: a manifest
     * that does not parse or is not the one recorded, a file missing or cut short (one manifest read and one listing
     * each; no listing when {@code listed}, the listing of the org's prefix they came from, is given). "Newest complete,
     * always kept" must mean one that restores, or prune deletes the one that does.
     */
    private Map<String, String> damaged(List<Entry> entries, List<io.tenantctl.store.ObjectInfo> listed) {
        Map<String, String> damaged = new LinkedHashMap<>();
        for (Entry e : newestFirst(entries)) {
            java.util.Optional<String> found = BackupRepository.damage(e.error()); // read back and found so (restore, verify --deep)
            if (found.isPresent()) {
                damaged.put(e.backupId(), found.get());
                continue;
            }
            try {
                BackupReader.open(store, layout, e.orgId(), e.backupId(), e.sha256()).checkFilesPresent(listed);
                if (e.recordedComplete()) { // one only in the store or not recorded complete: on to the catalog's newest, kept too
                    return damaged;
                }
            } catch (RuntimeException unreadable) {
                io.tenantctl.OutOfDescriptorsException.throwIfOurs(unreadable); // not damage: this process's own limit
                damaged.put(e.backupId(), Errors.oneLine(unreadable));
            }
        }
        return damaged;
    }

    /**
     * Records a backup that failed on {@code e} ({@code error}, what to say) as failed, its files left to prune — unless the
     * catalog did not answer: recording it complete may be what broke off, its manifest written, and a failed row would
     * make the run's --resume take a second backup and say the first has no manifest. Left running, it is the one that
     * --resume records once it reads back whole from the store (or fails then, saying so), as after a worker killed there.
     * One whose pool call's retry a Ctrl-C cut short in its backoff says it was interrupted, as one stopped mid-copy does.
     */
    static void recordFailed(BackupRepository backups, String backupId, java.time.Instant at, Exception e, String error) {
        if (io.tenantctl.catalog.Catalog.Unreachable.in(e).isEmpty()) {
            String said = Errors.cutShort(e, error);
            backups.fail(backupId, at, e instanceof BackupRepository.LostOrg ? said : said + " (no manifest was written)");
        }
    }

    /**
     * When {@code failure} is (or was caused by) a backup's damaged content, records it on the backup ({@link
     * BackupRepository#markDamaged}). Whether it was.
     */
    static boolean rememberDamage(io.tenantctl.catalog.Catalog catalog, String backupId, Throwable failure) {
        if (io.tenantctl.OutOfDescriptorsException.in(failure).isPresent()) {
            return false; // this process's limit, not the backup's content
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.tenantctl.backup.BackupIntegrityException damaged) {
                catalog.backups().markDamaged(backupId, damaged.getMessage());
                return true;
            }
        }
        return false;
    }

    /** Its files, the manifest first; the catalog's row is the caller's to mark pruned. */
    private void deleteFiles(Decision d) {
        if (d.status().equals(COMPLETE)) {
            store.delete(layout.manifestKey(d.orgId(), d.backupId()));
        }
        store.deletePrefix(layout.backupPrefix(d.orgId(), d.backupId()));
    }

    /** The tier policies, for {@code backups list} headers and docs. */
    public List<BackupPolicyRepository.Policy> policies() {
        return new BackupPolicyRepository(ctx.catalog()).list();
    }
}
