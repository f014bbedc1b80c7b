package io.tenantctl.ops;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.Counted;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupReader;
import io.tenantctl.backup.CollectionEntry;
import io.tenantctl.backup.CollectionReader;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.ObjectStore;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tenantctl restore}: copy a verified backup into a database and point an org at it.
 *
 * <ul>
 *   <li>default: a fresh database {@code org_<id>__r<backup>} on the org's pool (or {@code targetPool}); the org's pointer is
 *   flipped in one catalog transaction only after every file's sha256 and count verified, and the database it replaced
 *   is kept and recorded in retired_databases;</li>
 *   <li>{@code toOrg}: a new org (placed like provision unless {@code targetPool}) created from the backup;</li>
 *   <li>{@code inPlace + dropExisting}: the whole backup is verified first, then the org's current database is dropped
 *   and refilled - the only path that deletes data.</li>
 * </ul>
 * A failure leaves the pointer unchanged and removes the partial fresh database; an interrupted restore can be re-run.
 */
public final class Restore {

    public static final String FRESH = "fresh";
    public static final String NEW_ORG = "new_org";
    public static final String IN_PLACE = "in_place";

    static final int BATCH = 1000;
    private static final Set<OrgStatus> RESTORABLE = Set.of(Org.ACTIVE, Org.READ_ONLY, Org.RESTORING, Org.FAILED);
    private static final Set<OrgStatus> UNFINISHED = Set.of(Org.RESTORING);

    /**
     * {@code backupId} null or "latest" = the org's newest complete backup. {@code cancel} (Ctrl-C) stops the restore
     * between batches and rolls it back, except after --in-place has dropped the org's database: then it finishes.
     */
    public record Request(String orgId, String backupId, String toOrg, String targetPool, boolean inPlace, boolean dropExisting,
                          boolean dryRun, CancelToken cancel, boolean waitForOrg, String typedStore) {
        /** {@code typedStore}: the store's URL as typed on the line (--store), for the restores it names to read it; null for none. */
        public Request {
            cancel = cancel == null ? new CancelToken() : cancel;
        }

        /** " --store URL" as typed on the line, or "": what a restore this one names carries to read the same store. */
        public String storeOnLine() {
            return typedStore == null ? "" : " --store " + io.tenantctl.NextStep.shellWord(typedStore);
        }

        public Request(String orgId, String backupId, String toOrg, String targetPool, boolean inPlace, boolean dropExisting,
                       boolean dryRun, CancelToken cancel, boolean waitForOrg) {
            this(orgId, backupId, toOrg, targetPool, inPlace, dropExisting, dryRun, cancel, waitForOrg, "");
        }

        public Request(String orgId, String backupId, String toOrg, String targetPool, boolean inPlace, boolean dropExisting,
                       boolean dryRun, CancelToken cancel) {
            this(orgId, backupId, toOrg, targetPool, inPlace, dropExisting, dryRun, cancel, false);
        }
    }

    /**
     * What was (or, in a dry run, would be) done. {@code retiredDatabase} is the database the org no longer points at (kept);
     * {@code droppedDatabases} what was dropped (the org's own in --in-place, leftovers of an interrupted restore).
     * {@code existingDocs}: in place, the documents the org's database held when the restore looked, before its drop (null
     * otherwise); {@code lossWarning}: that they were more than the backup's, written since it was taken (null when not).
     */
    public record Result(String runId, boolean dryRun, String mode, String orgId, String targetOrgId, String backupId, String poolId,
                         String databaseName, String previousPoolId, String previousDatabase, String retiredDatabase,
                         List<String> droppedDatabases, int collections, long docs, int indexes, String status, long millis,
                         String next, Long existingDocs, String lossWarning) {
    }

    /**
     * What a restore run records (RestoreRepository reads previous_status back for an interrupted restore).
     * {@code scratch}: where an in-place restore tries the backup first (a database it writes: adopt and gc keep off it).
     * {@code store}: the store's URL as typed on the line (null: TENANTCTL_STORE's or the config file's), for the restore
     * run again ('runs show', 'orgs show') to read the store it read.
     */
    record Args(String org, String backup, String toOrg, String mode, String pool, String database, String previousStatus, String scratch,
                boolean placed, String store) {
    }

    private final OpsContext ctx;
    private final ObjectStore store;
    private final BackupLayout layout = BackupLayout.root();
    private final RestoreRepository restores;

    public Restore(OpsContext ctx, ObjectStore store) {
        this.ctx = ctx;
        this.store = store;
        this.restores = ctx.catalog().restores();
    }

    /** A plan: where the data goes, which org row is changed, and what the org's status is to be afterwards. */
    private record Target(String mode, String orgId, Org org, Pool pool, String databaseName, OrgStatus previousStatus, boolean createOrg,
                          String tier) {
    }

    public Result run(Request req) {
        long t0 = System.nanoTime();
        validate(req);
        Backups.requireThere(ctx.catalog(), store); // its directory missing, its backups recorded: not mounted, not every backup gone
        refuseNamedBackup(req); // before any other org's dead restore is rolled back (or its dry run says it would be)
        if (!req.dryRun()) {
            LeaseRecovery.sweep(ctx); // a restore that died on this org (or any) is rolled back before anything is decided
        } else {
            LeaseRecovery.pending(ctx).forEach(ctx.notices()); // what the restore would put right first
        }
        OrgLeases leases = new RunEngine(ctx, new LeaseRecovery(ctx)).orgLeases();
        String orgId = req.toOrg() == null ? req.orgId() : req.toOrg(); // the org whose lease the restore takes
        if (!req.dryRun()) {
            // everything decided once, under the lease: whoever held the org (--wait) may have moved, restored, frozen,
            // deleted or backed it up (only a lease holder writes a backup), so the newest backup and the plan are its
            try (OrgLeases.Held held = leases.hold(orgId, "restore", req.waitForOrg(), req.cancel())) {
                Chosen chosen = resolveBackup(req);
                String backupId = chosen.backupId();
                BackupReader reader = open(req, chosen);
                return restore(req, target(req, backupId, reader.manifest()), backupId, reader, held, t0);
            }
        }
        // the lease the restore takes first looked at, not taken: busy as the restore is, or waited for with --wait
        leases.dryRun(orgId, req.waitForOrg());
        Chosen chosen = resolveBackup(req);
        String backupId = chosen.backupId();
        BackupReader reader = open(req, chosen);
        Target target = target(req, backupId, reader.manifest());
        // the files are not read here: a backup a restore or verify --deep found damaged fails the dry run as it would the restore
        ctx.catalog().backups().find(backupId).flatMap(b -> BackupRepository.damage(b.error())).ifPresent(why -> {
            throw new TenantctlException(TenantctlException.Category.FAILED, "backup " + backupId + " of org " + req.orgId() + " was found "
                    + "damaged (" + why + "): a restore of it would fail" + olderOne(req, backupId));
        });
        int indexes = reader.manifest().collections().stream().mapToInt(c -> indexSpecs(c).size()).sum(); // what copy() would create
        // a leftover of an interrupted restore under the target's name: the real run drops it first (said the same way)
        List<String> dropped = !target.mode().equals(IN_PLACE) && exists(target.pool(), target.databaseName())
                ? List.of(target.databaseName()) : List.of();
        return result(null, true, target, backupId, reader, dropped, indexes, "planned", t0,
                target.mode().equals(IN_PLACE) ? docsNow(target) : null, req.storeOnLine());
    }

    private Result restore(Request req, Target target, String backupId, BackupReader reader, OrgLeases.Held held, long t0) {
        RunRepository runs = ctx.catalog().runs();
        String scratch = target.mode().equals(IN_PLACE) ? freshName(target.org(), target.pool(), backupId) : null;
        // its worker on the run from its start: once this process is gone, 'runs list' shows it abandoned
        String runId = held.startRun("restore", Json.write(new Args(req.orgId(), backupId, req.toOrg(), target.mode(), target.pool().poolId(),
                target.databaseName(), target.previousStatus().db(), scratch, req.targetPool() == null, req.typedStore())), ctx.actor(),
                target.orgId());
        req.cancel().workingOn(runId, "restore"); // a second Ctrl-C names it
        List<String> dropped = new ArrayList<>();
        Org org = null;
        // an org still restoring was left so by a restore that did not finish past its drop (in place): its database is partial
        Dropped drop = !target.createOrg() && target.org() != null && target.org().status().equals(Org.RESTORING) ? Dropped.EARLIER
                : Dropped.NOT;
        // before each batch it writes: a restore paused past its lease (kill -STOP) whose org another process has taken
        // over since writes at most its batch in flight, never into what is now the takeover's database of the same name
        Runnable ours = () -> stillHolds(held, target);
        Long existing = null;
        try { // its item started in here: a catalog that fails that update closes the run failed, not abandoned a lease later
            runs.itemStarted(runId, target.orgId());
            held.record(recoveryState(runId, target, backupId, scratch, drop));
            takePlace(runId, target, req, backupId);
            org = claim(target, req);
            MongoDatabase db = ctx.pools().database(target.pool().poolId(), target.pool().uri(), target.databaseName());
            if (target.mode().equals(IN_PLACE)) {
                reader.verify(); // refuse a damaged backup before anything is dropped
                Errors.stopIfCancelled(req.cancel(), "before the org's database was dropped");
                trialLoad(reader, target, scratch, backupId, req.cancel(), held); // and one that does not load, whoever recorded it
                Errors.stopIfCancelled(req.cancel(), "before the org's database was dropped");
                held.record(recoveryState(runId, target, backupId, scratch, Dropped.NOW)); // from here 'runs cancel' refuses ...
                stopIfRunCancelled(runId); // ... and one that came just before is honoured
                ours.run(); // paused after its trial past its lease, woken after a takeover: the org's live database is not its
                existing = docsNow(target);
                db.drop();
                drop = Dropped.NOW;
                dropped.add(target.databaseName());
                // said when it happens: a restore killed after it has printed nothing else that tells the org's data is gone
                ctx.notices().accept("WARNING: DROPPED database " + target.databaseName() + " on pool " + target.pool().poolId()
                        + " (--in-place --drop-existing; it held " + Counted.of(existing, "document") + ", backup " + backupId + " holds "
                        + reader.manifest().totalDocs() + "); refilling it from the backup, the org not writable until then"
                        + Optional.ofNullable(lossWarning(target, backupId, reader, existing, false, "")).map(w -> ". " + w).orElse(""));
            } else if (exists(target.pool(), target.databaseName())) {
                ours.run();
                db.drop(); // left by an interrupted restore into this very target (the only kind target() takes)
                dropped.add(target.databaseName());
            }
            // past the drop of an in-place restore nothing stops it (runs cancel refuses it then): the org has no other data
            int indexes;
            try (CancelWatch watch = drop == Dropped.NOW ? null : new CancelWatch(runId, req.cancel())) {
                // past the drop, FerretDB's transient errors are retried in full after a Ctrl-C too: the restore must finish
                Retry retry = drop == Dropped.NOW ? ctx.retry().cancelledWhen(() -> false) : ctx.retry();
                indexes = copy(reader, db, target.pool().poolId(), watch == null ? new CancelToken() : watch.token, retry, ours);
            }
            if (drop != Dropped.NOW) {
                stopIfRunCancelled(runId);
            }
            ours.run();
            // every collection counted again, as the backup has it: one finished earlier may have been dropped or written
            // since (its count was checked only when it was done), and the org must not be pointed at a database without it
            checkCounts(reader, db, target, req, backupId);
            indexes += buildExpiring(reader, db, target.pool().poolId(), drop == Dropped.NOW ? ctx.retry().cancelledWhen(() -> false) : ctx.retry(), ours);
            String reason = "replaced by restore of backup " + backupId + " (run " + runId + ")";
            OrgStatus status = target.previousStatus().equals(Org.FAILED) ? Org.ACTIVE : target.previousStatus(); // a new org: active, or as its backup says
            boolean flipped;
            try {
                flipped = restores.flip(target.orgId(), org.version(), target.pool().poolId(), target.pool().uri(), target.databaseName(),
                        reader.manifest().schemaHash(), status, reason);
            } catch (TenantctlException noLongerTakesOrgs) { // drained or filled during the copy: the way on, as before a copy
                Pool now = target.org() == null || target.pool().poolId().equals(target.org().poolId()) ? null : pool(target.pool().poolId());
                throw now == null || (Pool.ACTIVE.equals(now.status()) && now.free() > 0) ? noLongerTakesOrgs
                        : new TenantctlException(noLongerTakesOrgs.category(), noLongerTakesOrgs.getMessage() + "; restore it onto another "
                        + "pool with room, " + anotherPool(target.org(), backupId, req.storeOnLine()) + ", or onto its own pool " + target.org().poolId()
                        + " (leave out --target-pool)", noLongerTakesOrgs);
            }
            if (!flipped) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "org " + target.orgId()
                        + " was changed by someone else during the restore; its pointer was left as it was");
            }
            runs.itemFinished(runId, target.orgId(), "succeeded", 1, millis(t0), null);
            runs.finish(runId, "succeeded");
            ctx.catalog().backups().readBackWhole(backupId); // every file read and checked: whole after all
            return result(runId, false, target, backupId, reader, dropped, indexes, status.db(), t0, existing, req.storeOnLine());
        } catch (RuntimeException | OutOfMemoryError thrown) {
            // out of memory (a huge document, a small heap) is cleaned up like any failure: the org put back, the run ended
            RuntimeException e = thrown instanceof OutOfMemoryError oom ? TenantctlException.outOfMemory(oom) // nor is a want of descriptors the backup's
                    : io.tenantctl.OutOfDescriptorsException.in(thrown).map(RuntimeException.class::cast).orElse((RuntimeException) thrown);
            String cleanup = cleanUp(target, org, drop, held::stillHeld, req.storeOnLine());
            // a damaged backup: the next older one to restore instead (the damage says only what is wrong)
            String older = Backups.rememberDamage(ctx.catalog(), backupId, e) ? olderOne(req, backupId) : "";
            // a pool's error says nothing of where it came from ("Prematurely reached end of stream"): name the pool
            String where = e instanceof com.mongodb.MongoException ? "on pool " + target.pool().poolId() + ": " : "";
            String message = where + Errors.oneLine(e) + cleanup + older;
            String cancelled = cancelledQuietly(runId);
            if (cancelled != null) { // by 'runs cancel': the org is left as it was; the run stays recorded cancelled
                runs.itemFinished(runId, target.orgId(), "cancelled", 1, millis(t0), cancelled + cleanup);
                throw new TenantctlException(TenantctlException.Category.FAILED, "restore of backup " + backupId + " stopped: " + cancelled
                        + cleanup, e).withRunId(runId);
            }
            boolean interrupted = e instanceof TenantctlException te && te.category() == TenantctlException.Category.INTERRUPTED;
            runs.itemFinished(runId, target.orgId(), "failed", 1, millis(t0), message); // the message says it was interrupted
            runs.finish(runId, interrupted ? "interrupted" : "failed");
            throw new TenantctlException(e instanceof TenantctlException te ? te.category() : TenantctlException.Category.FAILED,
                    "restore of backup " + backupId + (interrupted ? " stopped: " : " failed: ") + message, e).withRunId(runId);
        }
    }

    /** The backup, checked against what the catalog recorded, and readable here (its compression loads) before anything is claimed. */
    private BackupReader open(Request req, Chosen chosen) {
        String orgId = req.orgId();
        String backupId = chosen.backupId();
        BackupReader reader;
        Optional<BackupRepository.Backup> recorded = ctx.catalog().backups().find(backupId);
        Optional<BackupRepository.Backup> row = recorded.filter(b -> b.orgId().equals(orgId));
        try {
            reader = BackupReader.open(store, layout, orgId, backupId, row.map(BackupRepository.Backup::sha256).orElse(null))
                    .checkFilesPresent(chosen.listed()); // a file gone from the store: refused before anything is claimed, not half-way
        } catch (io.tenantctl.backup.BackupIntegrityException damaged) {
            if (!req.dryRun()) { // a dry run writes nothing to the catalog: it says the damage, the restore records it
                Backups.rememberDamage(ctx.catalog(), backupId, damaged);
            }
            // one in no catalog row (a folder copied by hand) stays the newest until it is removed, chosen or not: say
            // that first, as verify's fix does
            String remove = row.isPresent() ? "" : ": " + Backups.removeByHand(Backups.location(store, layout, orgId, backupId));
            if (!newest(req)) { // chosen by its id: the next older one, as for the newest
                throw new TenantctlException(damaged.category(), damaged.getMessage() + remove + olderOne(req, backupId), damaged);
            }
            // taken as the newest, not chosen: say which one it was and how to choose another
            throw new TenantctlException(damaged.category(), damaged.getMessage() + " (backup " + backupId + ", org " + orgId
                    + "'s newest)" + remove + olderOne(req, backupId), damaged);
        } catch (io.tenantctl.backup.BackupIncompleteException cut) { // which other one, and the restore that takes it
            throw new TenantctlException(cut.category(), cut.getMessage() + olderOne(req, backupId), cut);
        } catch (TenantctlException none) { // not the org's: the id of another org's backup (pasted from its list) is said so
            if (none.category() == TenantctlException.Category.USAGE && Backups.prunedAlready(row).isPresent()) { // not "has no backup"
                throw TenantctlException.usage(Backups.prunedAlready(row, req.storeOnLine()).get() + ": nothing restored");
            }
            if (none.category() != TenantctlException.Category.USAGE || recorded.isEmpty() || row.isPresent()) {
                throw listingTheStoreRead(none, req);
            }
            throw anotherOrgs(req, recorded.get().orgId(), backupId);
        }
        reader.manifest().compression().requireReadable();
        String other = reader.manifest().catalogId(); // only when named: restore's own choice never takes another catalog's
        if (row.isEmpty() && other != null && !other.equals(ctx.catalog().id())) {
            ctx.notices().accept("note: backup " + backupId + " of org " + orgId + " was written by another catalog (" + other
                    + ", from pool " + reader.manifest().sourcePool() + "), not this one: restoring it as named with --backup");
        }
        return reader;
    }

    /**
     * The refusals of a --backup ID that no clean-up decides, made before the sweep: an id that is none, or one the catalog
     * records as another org's that the store has not under this org. A refused restore rolls back no other org's dead
     * restore (its dry run says none), as it changes nothing of its own.
     */
    private void refuseNamedBackup(Request req) {
        if (newest(req)) {
            return;
        }
        String backupId = BackupIds.requireValid(req.backupId());
        Optional<BackupRepository.Backup> recorded = ctx.catalog().backups().find(backupId);
        if (recorded.isPresent() && !recorded.get().orgId().equals(req.orgId()) && store.list(layout.backupPrefix(req.orgId(), backupId)).isEmpty()) {
            throw anotherOrgs(req, recorded.get().orgId(), backupId);
        }
    }

    /**
     * A backup the store has not (a mistyped --backup ID), whose "see: tenantctl backups list --org ORG" lists the store
     * this restore read: with the --store typed on the line, not TENANTCTL_STORE's. Any other refusal as it is.
     */
    private static TenantctlException listingTheStoreRead(TenantctlException e, Request req) {
        return req.storeOnLine().isEmpty() || e.getMessage() == null || !e.getMessage().endsWith("tenantctl backups list --org " + req.orgId())
                ? e : TenantctlException.usage(e.getMessage() + req.storeOnLine());
    }

    /** 'tenantctl backups list --org ORG' of the store this restore reads (--store as typed): the backups a restore of it may take. */
    private static String listOf(String orgId, Request req) {
        return "tenantctl backups list --org " + orgId + req.storeOnLine();
    }

    /** Backup {@code backupId} named for {@code req}'s org is {@code owner}'s: said so, with the restore that takes it. */
    private static TenantctlException anotherOrgs(Request req, String owner, String backupId) {
        String orgId = req.orgId();
        // a copy asked for as a new org (--to-org, placed by --target-pool) is what the restore named makes: not the owner restored
        boolean asNew = req.toOrg() != null && !req.toOrg().equals(owner);
        return TenantctlException.usage("backup " + backupId + " is org " + owner + "'s, not " + orgId + "'s: nothing restored; "
                + "'tenantctl restore --org " + owner + " --backup " + backupId + (asNew ? " --to-org " + req.toOrg()
                + (req.targetPool() != null ? " --target-pool " + req.targetPool() : "") : "") + req.storeOnLine() + "' restores it "
                + (asNew ? "as new org " + req.toOrg() : "(with --to-org NEW_ID as a new org)") + "; org " + orgId + "'s backups: '"
                + listOf(orgId, req) + "'");
    }

    /**
     * What to do when the newest backup cannot be restored: the restore as it was given (--to-org, --target-pool,
     * --in-place; --to-org NEW_ID for a deleted org's data) of the next older backup no read found damaged, or that
     * there is none.
     */
    private String olderOne(Request req, String newest) {
        String orgId = req.orgId();
        return new Backups(ctx, store).olderRestorable(orgId, newest).map(older -> "; the next older one is " + older + ": '"
                + restoreOf(req, older) + "' restores it (every backup: '" + listOf(orgId, req) + "')").orElse("; org " + orgId + " has no older complete backup ('" + listOf(orgId, req) + "')");
    }

    /**
     * The restore {@code req} asked for (--to-org, --target-pool, --in-place as given), of backup {@code backupId}: a deleted
     * org's data as a new org (--to-org NEW_ID), an org this catalog does not have as itself (--to-org ORG).
     */
    private String restoreOf(Request req, String backupId) {
        Optional<Org> org = ctx.catalog().orgs().find(req.orgId());
        boolean gone = org.map(o -> o.status().equals(Org.DELETING) || o.status().equals(Org.DELETED)).orElse(false);
        return "tenantctl restore --org " + req.orgId() + " --backup " + backupId
                + (req.toOrg() != null ? " --to-org " + req.toOrg() : gone ? " --to-org NEW_ID" : org.isEmpty() ? " --to-org " + req.orgId() : "")
                + (req.targetPool() != null ? " --target-pool " + req.targetPool() : "")
                + (req.inPlace() ? " --in-place --drop-existing" : "") + req.storeOnLine();
    }

    /**
     * The restore of {@code org} onto the first active pool with room other than its own (by priority, then name), from
     * the backup this restore took; POOL when none has room.
     */
    private String anotherPool(Org org, String backupId, String storeOnLine) {
        String target = ctx.catalog().pools().list().stream()
                .filter(p -> !p.poolId().equals(org.poolId()) && Pool.ACTIVE.equals(p.status()) && p.free() > 0)
                .sorted(java.util.Comparator.comparingInt(Pool::priority).thenComparing(Pool::poolId))
                .map(Pool::poolId).findFirst().orElse("POOL");
        return "'tenantctl restore --org " + org.orgId() + " --backup " + backupId + " --target-pool " + target + storeOnLine + "'";
    }

    /** No --backup (or 'latest'): the backup is the org's newest, not one the operator chose. */
    private static boolean newest(Request req) {
        return req.backupId() == null || req.backupId().equals("latest");
    }

    private static void validate(Request req) {
        OrgId.require(req.orgId());
        if (req.inPlace() && !req.dropExisting()) {
            throw TenantctlException.usage("--in-place drops the org's current database before restoring: pass --drop-existing as well "
                    + "(or leave out --in-place to restore into a fresh database and keep the current one)");
        }
        if (req.dropExisting() && !req.inPlace()) {
            throw TenantctlException.usage("--drop-existing only goes with --in-place");
        }
        if (req.inPlace() && req.toOrg() != null) {
            throw TenantctlException.usage("--in-place and --to-org exclude each other");
        }
        if (req.toOrg() != null && OrgId.problem(req.toOrg()) != null) {
            throw TenantctlException.usage(OrgId.problem(req.toOrg()));
        }
    }

    /**
     * Whether the org's database is still on its pool: a delete of it that the catalog does not record was undone (orgs
     * resume), not purged, and restoring it brings no deleted org back. False when that cannot be told (no row, or its pool
     * does not answer, as a pool lost for good).
     */
    private boolean livesOn(String orgId) {
        try {
            return ctx.catalog().orgs().find(orgId).map(o -> exists(pool(o.poolId()), o.databaseName())).orElse(false);
        } catch (RuntimeException unanswered) {
            return false;
        }
    }

    /**
     * The backup a restore takes, with the store's listing of its org's prefix when it chose the newest from it (every file
     * of the backup at its size, for its check: not listed again); null when it was named by its id.
     */
    private record Chosen(String backupId, List<io.tenantctl.store.ObjectInfo> listed) {
    }

    /** The given backup id, or for null/latest the newest complete one (catalog first, then the store). */
    private Chosen resolveBackup(Request req) {
        String orgId = req.orgId();
        if (!newest(req)) {
            return new Chosen(BackupIds.requireValid(req.backupId()), null);
        }
        // ordered as prune orders them: a newer complete backup only in the store (a catalog restored from an older
        // snapshot) is not passed over for the catalog's older one; nor is one recorded complete whose files are gone
        Backups backups = new Backups(ctx, store);
        Backups.OrgListing listed = backups.listOrg(orgId, java.time.Clock.systemUTC());
        List<Backups.Entry> listing = listed.entries();
        Backups.Entry newest = Backups.newestRecorded(listing).orElseThrow(() -> {
            // its first backup may be being written right now: say so, rather than send the operator to a list
            java.util.Optional<Backups.Entry> writing = listing.stream()
                    .filter(e -> e.status().equals(Backups.RUNNING)).findFirst();
            java.util.Map<String, Backups.Entry> others = new java.util.LinkedHashMap<>(); // each other catalog's newest
            listing.stream().filter(e -> e.otherCatalog() != null).forEach(e -> others.putIfAbsent(e.otherCatalog(), e));
            return writing.<TenantctlException>map(w -> new TenantctlException(TenantctlException.Category.CONFIG, "org " + orgId
                    + " has no complete backup yet: backup " + w.backupId() + " of it is being written now; restore once it is complete "
                    + "('" + listOf(orgId, req) + "')")).orElseGet(() -> listing.isEmpty() && ctx.catalog().orgs().find(orgId)
                    .isEmpty() ? TenantctlException.usage("no org " + orgId + " in the catalog, and no backup of it in " + store.describe()
                    + ": nothing restored; a mistyped id? see 'tenantctl orgs list'") : others.isEmpty() ? TenantctlException.usage("org "
                    + orgId + " has no complete backup in " + store.describe() + ": see '" + listOf(orgId, req) + "'")
                    // a catalog made anew by init after the old one was lost, or another catalog on this store: the operator chooses
                    : TenantctlException.usage("org " + orgId + " has no complete backup of this catalog's in " + store.describe()
                    + ", only other catalogs' (the newest of each: " + others.values().stream().map(e -> e.backupId() + " (from pool "
                    + e.sourcePool() + ", catalog " + e.otherCatalog() + "): '" + restoreOf(req, e.backupId()) + "'")
                    .collect(java.util.stream.Collectors.joining("; ")) + "): nothing restored; name the one to take with --backup "
                    + "(every backup: '" + listOf(orgId, req) + "')"));
        });
        if (newest.status().equals(Backups.MISSING)) {
            java.util.Optional<String> elsewhere = backups.otherStore(newest);
            if (elsewhere.isPresent()) { // not gone: written to another store than the one this restore reads
                throw TenantctlException.usage("org " + orgId + "'s newest backup " + newest.backupId() + " was written to "
                        + elsewhere.get() + ", not to " + store.describe() + ": nothing restored; pass --store " + elsewhere.get());
            }
            // an older one would quietly lose every write the newest holds: taken only when chosen by its id
            throw new TenantctlException(TenantctlException.Category.FAILED, "org " + orgId + "'s newest backup " + newest.backupId()
                    + " was " + (req.dryRun() ? Backups.goneWhy(newest) : backups.rememberGone(newest, listing)) // a dry run records nothing
                    + " (" + store.describe() + "): nothing restored" + olderOne(req, newest.backupId()));
        }
        if (req.toOrg() == null) { // the org deleted after this catalog's state was saved: bringing it back is chosen by naming the backup
            List<String> storeOnly = listing.stream().filter(e -> e.status().equals(Backups.COMPLETE) && !e.inCatalog())
                    .map(Backups.Entry::backupId).toList(); // the store listed once, for the newest and for this
            BackupOrigin.deletedSince(ctx.catalog(), store, orgId, storeOnly).filter(m -> !livesOn(orgId)).ifPresent(m -> {
                throw TenantctlException.usage("org " + orgId + "'s newest backup " + m.backupId() + " is the final backup of a delete of it "
                        + "that this catalog does not record (taken " + m.finishedAt() + "): it was deleted after this catalog's state was "
                        + "saved (restored from an older dump?); nothing restored; to record the delete: 'tenantctl orgs delete " + orgId
                        + " --no-backup'; to bring it back as it was when deleted: 'tenantctl restore --org " + orgId + " --backup "
                        + m.backupId() + req.storeOnLine() + "'");
            });
        }
        return new Chosen(newest.backupId(), listed.listed());
    }

    private Target target(Request req, String backupId, io.tenantctl.backup.BackupManifest manifest) {
        OrgRepository orgs = ctx.catalog().orgs();
        if (req.toOrg() != null) {
            Optional<Org> existing = orgs.find(req.toOrg());
            // an org this catalog lacks (lost, or a dump older than it) comes back as its backup says it was, as adopt takes it
            Optional<io.tenantctl.backup.BackupManifest.OrgState> then = orgs.find(req.orgId()).isPresent() ? Optional.empty()
                    : Optional.ofNullable(manifest.org());
            String tier = orgs.find(req.orgId()).map(Org::tier).orElse(then.map(io.tenantctl.backup.BackupManifest.OrgState::tier).orElse("free"));
            OrgStatus status = then.filter(o -> o.deleted() || Org.READ_ONLY.db().equals(o.status())).isPresent() ? Org.READ_ONLY : Org.ACTIVE;
            then.ifPresent(o -> ctx.notices().accept("org " + req.orgId() + " is not in this catalog: " + req.toOrg() + " is recorded as backup "
                    + backupId + " says it was, tier " + tier + ", " + status.db() + (status.equals(Org.READ_ONLY) ? " ('tenantctl orgs resume "
                    + req.toOrg() + "' makes it writable)" : "")));
            // a dry run after a dead --to-org restore: the real run rolls it back first (the org not created, its place
            // freed) and then places the org anew, maybe on another pool; planned here as it will be
            boolean placedAnew = req.dryRun() && existing.isPresent() && existing.get().status().equals(Org.RESTORING)
                    && LeaseRecovery.deadRestoreCreated(ctx, req.toOrg());
            if (existing.isPresent() && !placedAnew) {
                Org o = existing.get();
                // taken up again only when it is what a --to-org restore of this very org left halfway; an org left
                // restoring by anything else (a failed in-place restore of its own) is someone's data
                if (o.status().equals(Org.DELETING) || o.status().equals(Org.DELETED)) {
                    throw deletedId(o, req);
                }
                if (!UNFINISHED.contains(o.status()) || !restores.restoredAsNewOrg(o.orgId(), req.orgId())) {
                    throw TenantctlException.usage("org " + req.toOrg() + " already exists (" + o.status() + "): --to-org creates a new org, "
                            + "it never restores into one; nothing restored. " + (req.toOrg().equals(req.orgId()) ? "To restore org " + req.orgId()
                            + " itself leave out --to-org" : "Leaving out --to-org would restore org " + req.orgId() + " itself, not " + req.toOrg()
                            + "; a copy of " + req.orgId() + " goes to a new id: --to-org NEW_ID") + " ('tenantctl backups list --org " + req.toOrg() + req.storeOnLine() + "' lists "
                            + req.toOrg() + "'s own backups)");
                }
                return new Target(NEW_ORG, o.orgId(), o, pool(o.poolId()), o.databaseName(), status, true, o.tier());
            }
            // placed as provision places a new org, past the pools that do not answer (a --target-pool is checked below)
            java.util.Map<String, String> dead = req.targetPool() != null ? java.util.Map.of() : PoolHealth.unreachableWithRoom(ctx);
            dead.entrySet().forEach(d -> ctx.notices().accept(d.getValue() + "; org " + req.toOrg() + " is placed on the other pools"));
            // a dry run counts the places of dead restores as free: the real run's sweep gives them back before it places
            java.util.Map<String, Integer> givenBack = req.dryRun() ? LeaseRecovery.placesGivenBack(ctx) : java.util.Map.of();
            String poolId = (placedAnew
                    ? Optional.of(orgs.planPlacementAnew(req.toOrg(), req.targetPool(), "--target-pool", dead, givenBack))
                    : orgs.planPlacement(List.of(req.toOrg()), req.targetPool(), "--target-pool", dead, givenBack).stream().findFirst())
                    .map(p -> {
                        if (!p.ok()) { // an id that is taken is a refusal of what was typed (exit 2); no room is a failure
                            throw p.idRefused() ? TenantctlException.usage(p.error())
                                    : new TenantctlException(TenantctlException.Category.FAILED, p.error());
                        }
                        return p.poolId();
                    }).orElseThrow();
            Pool pool = pool(poolId);
            PoolHealth.require(ctx, pool, "the restore's target");
            String db = OrgId.databaseName(req.toOrg());
            // the half-made org's own database is the dead restore's, dropped by its rollback
            boolean leftover = placedAnew && existing.get().poolId().equals(poolId) && existing.get().databaseName().equals(db);
            if (restores.owner(db).filter(owner -> !placedAnew || !owner.equals(req.toOrg())).isPresent() || restores.isRetired(poolId, db)
                    || !leftover && exists(pool, db)) {
                throw TenantctlException.usage("database " + db + " already exists on pool " + poolId + ": choose another --to-org id");
            }
            return new Target(NEW_ORG, req.toOrg(), null, pool, db, status, true, tier);
        }
        Org org = orgs.find(req.orgId()).orElseThrow(() -> TenantctlException.usage("the catalog has no org named '" + req.orgId()
                + "', but the store has its backup " + backupId + " (a catalog restored from a snapshot older than the org?): "
                + "'tenantctl restore --org " + req.orgId() + " --backup " + backupId + " --to-org " + req.orgId() + req.storeOnLine() + "' brings it back "
                + "as an org; if its database is still on a pool, 'tenantctl orgs adopt --discover' finds it instead"));
        if (org.status().equals(Org.DELETING) || org.status().equals(Org.DELETED)) {
            throw deletedId(org, req);
        }
        // a dry run --wait of an org another operation holds in passing (a move freezing it, a provision) plans as the real
        // run waits: on the org as it is now, with the status it had before that operation, not refused for the passing one
        boolean waitedFor = req.dryRun() && req.waitForOrg() && !RESTORABLE.contains(org.status()) && Orgs.heldInPassing(ctx.catalog(), org);
        if (!RESTORABLE.contains(org.status()) && !waitedFor) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "org " + org.orgId() + " is " + org.status()
                    + ": restore works on active, read_only, failed or (re-run) restoring orgs");
        }
        OrgStatus previous = waitedFor ? ctx.catalog().moves().unfinished().stream().filter(m -> m.orgId().equals(org.orgId()))
                .map(MoveRepository.Move::priorStatus).findFirst().orElse(Org.ACTIVE)
                : org.status().equals(Org.RESTORING)
                ? restores.statusBeforeRestore(org.orgId()).map(OrgStatus::of).orElse(Org.ACTIVE) : org.status();
        if (req.inPlace()) {
            if (req.targetPool() != null && !req.targetPool().equals(org.poolId())) {
                throw TenantctlException.usage("--in-place restores into the org's current database on " + org.poolId()
                        + ": leave out --target-pool");
            }
            Pool own = pool(org.poolId());
            requireAnswers(own, true, org, backupId, req); // before a run is recorded, its dry run alike: not an unexpected error later
            return new Target(IN_PLACE, org.orgId(), org, own, org.databaseName(), previous, false, org.tier());
        }
        Pool pool = pool(req.targetPool() != null ? req.targetPool() : org.poolId());
        // a dry run after dead restores onto the pool (this org's or another's): the real run's recovery gives their places back first
        int givenBack = req.dryRun() && !pool.poolId().equals(org.poolId())
                ? LeaseRecovery.placesGivenBack(ctx).getOrDefault(pool.poolId(), 0) : 0;
        if (!pool.poolId().equals(org.poolId()) && (!Pool.ACTIVE.equals(pool.status()) || pool.orgCount() - givenBack >= pool.capacity())) {
            throw cannotTake(pool, org, backupId, req);
        }
        requireAnswers(pool, req.targetPool() == null, org, backupId, req);
        return new Target(FRESH, org.orgId(), org, pool, freshName(org, pool, backupId), previous, false, org.tier());
    }

    /**
     * Loads the backup into a scratch database on the org's pool and drops it again, before an in-place restore drops the
     * org's database: its files check out against its manifest, but only a load proves their documents and indexes go in
     * (one _id on two lines, a unique index its data breaks). Recorded backups too: one taken without --freeze read a
     * live collection batch by batch, a set of documents that need never have existed at once (a unique key that moved
     * between two documents meanwhile). Twice the loading, for the one restore that deletes data.
     */
    private void trialLoad(BackupReader reader, Target target, String scratch, String backupId, CancelToken cancel, OrgLeases.Held held) {
        MongoDatabase db = ctx.pools().database(target.pool().poolId(), target.pool().uri(), scratch);
        db.drop(); // left by a trial that died (freshName() takes no other)
        boolean ours = true;
        try {
            copy(reader, db, target.pool().poolId(), cancel, ctx.retry(), () -> stillHolds(held, target));
            buildExpiring(reader, db, target.pool().poolId(), ctx.retry(), () -> stillHolds(held, target));
        } catch (LostLease lost) {
            ours = false; // the scratch name may be the trial database of the restore that took the org over
            throw lost;
        } catch (TenantctlException e) {
            if (e.category() == TenantctlException.Category.INTERRUPTED) {
                throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted before the org's database was dropped "
                        + "(while the backup was tried in a scratch database)" + (Retry.cutShort(e) ? ": " + e.getMessage() : ""), e);
            }
            throw new TenantctlException(TenantctlException.Category.FAILED, "backup " + backupId + " does not load (" + Errors.oneLine(e)
                    + ", tried in a scratch database before dropping anything): choose another backup", e);
        } catch (RuntimeException e) {
            if (io.tenantctl.pool.FerretErrors.isRetryable(e)) { // the pool, past every retry: the backup was never the question
                throw new TenantctlException(TenantctlException.Category.FAILED, "pool " + target.pool().poolId() + " failed while the "
                        + "backup was tried in a scratch database, before anything was dropped (" + Errors.oneLine(e) + "): the backup "
                        + "is not at fault; run the restore again once the pool answers", e);
            }
            throw new TenantctlException(TenantctlException.Category.FAILED, "backup " + backupId + " does not load (" + Errors.oneLine(e)
                    + ", tried in a scratch database before dropping anything): choose another backup", e);
        } finally {
            if (ours) {
                db.drop();
            }
        }
    }

    /**
     * {@code org_<id>__r<backup>}: the backup's time and suffix (only the suffix when that would pass 63 bytes), plus a
     * counter when the name is the org's current database or a retired one, which a restore must never overwrite, or a
     * database on the pool that no restore run recorded as its own (one made by hand, another org's not adopted yet):
     * the restore drops what it finds under the name it takes, so it takes only a free one or its own leftover.
     */
    private String freshName(Org org, Pool pool, String backupId) {
        String compact = backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
        String base = OrgId.databaseName(org.orgId()) + "__r";
        base = base.length() + compact.length() <= 60 ? base + compact : base + backupId.substring(17);
        for (int n = 1; ; n++) {
            String name = n == 1 ? base : base + "_" + n;
            boolean current = org.poolId().equals(pool.poolId()) && org.databaseName().equals(name);
            if (!current && restores.owner(name).isEmpty() && !restores.isRetired(pool.poolId(), name)
                    && (!exists(pool, name) || restores.leftByARestore(pool.poolId(), name))) {
                return name;
            }
        }
    }

    /** Exit 3 when {@code pool} does not answer; the org's own one ({@code own}) may be gone for good: the way on is another pool. */
    private void requireAnswers(Pool pool, boolean own, Org org, String backupId, Request req) {
        PoolHealth.check(ctx, pool).ifPresent(why -> {
            throw TenantctlException.config(PoolHealth.doesNotAnswer(pool, "the restore's target" + (own ? ", the org's own pool" : ""), why)
                    + (own ? "; should it be gone for good, restore the org onto another pool: " + anotherPool(org, backupId, req.storeOnLine()) : ""));
        });
    }

    private Pool pool(String poolId) {
        return ctx.catalog().pools().get(poolId);
    }

    /** {@code pool} (not the org's own) takes no org now: drained, disabled or full (counting the places restores and moves hold). */
    private TenantctlException cannotTake(Pool pool, Org org, String backupId, Request req) {
        return new TenantctlException(TenantctlException.Category.FAILED, "pool " + pool.poolId() + " cannot take org " + org.orgId()
                + ": it is " + pool.status() + " with " + pool.orgCount() + "/" + pool.capacity() + " orgs; restore it onto another pool "
                + "with room, " + anotherPool(org, backupId, req.storeOnLine()) + ", or onto its own pool " + org.poolId() + " (leave out --target-pool)");
    }

    /**
     * A restore into a fresh database on another pool takes its place there before it claims the org, as provision's new
     * org does (an org --to-org makes takes it with its row): a pool filled since target() looked is refused as it refuses one.
     */
    private void takePlace(String runId, Target target, Request req, String backupId) {
        if (target.mode().equals(FRESH) && !target.pool().poolId().equals(target.org().poolId())) {
            restores.takePlace(runId, target.orgId(), target.pool().poolId()).ifPresent(full -> {
                throw cannotTake(full, target.org(), backupId, req);
            });
        }
    }

    /** Creates the --to-org row or marks the org restoring; returns the row as it is now. */
    private Org claim(Target target, Request req) {
        OrgRepository orgs = ctx.catalog().orgs();
        if (target.createOrg() && target.org() == null) {
            OrgRepository.Placed placed = orgs.placeOne(target.orgId(), target.pool().poolId(), req.targetPool() != null ? "--target-pool" : null,
                    target.tier());
            if (!placed.ok()) {
                throw new TenantctlException(TenantctlException.Category.FAILED, placed.error());
            }
        }
        Org org = orgs.get(target.orgId());
        if (!org.status().equals(Org.RESTORING) && !orgs.compareAndSetStatus(org.orgId(), org.version(), Org.RESTORING)) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "org " + org.orgId() + " changed while the restore started: retry");
        }
        return orgs.get(target.orgId());
    }

    /**
     * A child of {@code cancel}, also cancelled once 'runs cancel' ended the restore's run: a daemon thread looks each
     * second while the copy runs (stopped by close), so a restore of the wrong backup can be stopped from another terminal.
     */
    private final class CancelWatch implements AutoCloseable {
        final CancelToken token;
        private final Thread thread;

        CancelWatch(String runId, CancelToken cancel) {
            token = cancel.child();
            thread = new Thread(() -> {
                while (token.pause(java.util.concurrent.TimeUnit.SECONDS.toNanos(1))) {
                    try {
                        String why = cancelledBy(runId);
                        if (why != null) {
                            token.cancel(why);
                        }
                    } catch (RuntimeException unreadable) {
                        // asked again in a second; the flip checks once more
                    }
                }
            }, "restore-cancel-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /** Why run {@code runId} was cancelled ('runs cancel'), or null while it is not. */
    private String cancelledBy(String runId) {
        RunRepository.Run run = ctx.catalog().runs().get(runId);
        return run.runStatus() == io.tenantctl.catalog.RunStatus.CANCELLED ? "run " + runId + " was cancelled ('tenantctl runs cancel')" : null;
    }

    private String cancelledQuietly(String runId) {
        try {
            return cancelledBy(runId);
        } catch (RuntimeException catalogGone) {
            return null;
        }
    }

    private void stopIfRunCancelled(String runId) {
        String why = cancelledBy(runId);
        if (why != null) {
            throw new TenantctlException(TenantctlException.Category.FAILED, why);
        }
    }

    /** The indexes a restore creates for one collection: its manifest's, but {@code _id_} (every collection has it). */
    private static BsonArray indexSpecs(CollectionEntry entry) {
        BsonArray specs = new BsonArray();
        for (BsonDocument index : entry.indexes()) {
            if (!"_id_".equals(index.getString("name", new BsonString("")).getValue())) {
                BsonDocument spec = index.clone();
                spec.remove("ns");
                specs.add(spec);
            }
        }
        return specs;
    }

    /**
     * The collection read back, its documents' digest held to the backup's ({@code sent}, built as they were read): a
     * pool that keeps a type or value otherwise than it was sent (the in-process stand-in stores BSON undefined as null)
     * must not get a restore reported whole, nor an org flipped to changed data. A move holds its target to the same.
     * A read, so read again from the start on a transient error (a dropped connection): past an in-place drop it must finish.
     * Stops (by throwing, as {@code when}) once {@code cancel} is set: a large collection's read is the restore's longest.
     */
    private static void storedAsSent(MongoCollection<RawBsonDocument> coll, String poolId, Fingerprint sent, int batch, Retry retry,
                                     Retry.Attempts attempts, CancelToken cancel, String when) {
        String name = coll.getNamespace().getCollectionName();
        Fingerprint stored = retry.call(attempts, () -> {
            Fingerprint.Builder b = new Fingerprint.Builder().collection(name);
            for (RawBsonDocument d : coll.find().batchSize(batch)) { // of the documents' size: memory as in DocBatch
                Errors.stopIfCancelled(cancel, when);
                b.add(d);
            }
            Errors.stopIfCancelled(cancel, when);
            return b.build();
        });
        if (!stored.differences(sent).isEmpty()) {
            // an in-place restore's trial load has shown the pool keeps them: there, a client still writing is the cause
            String db = coll.getNamespace().getDatabaseName();
            throw new TenantctlException(TenantctlException.Category.FAILED, "collection " + name + " reads back from " + db + " on pool "
                    + poolId + " otherwise than the backup holds it: something wrote into " + db + " during the restore (a client"
                    + " still connected: stop it, then restore again), or the pool does not keep a BSON type or value as it was sent"
                    + " (restore onto a pool that keeps them: --target-pool)");
        }
    }

    /**
     * Streams every collection in (verifying sha256 and counts as it reads), recreates its indexes; returns how many
     * indexes. Stops (by throwing) between batches once {@code cancel} is set (Ctrl-C, or 'runs cancel' of its run), and
     * so does a pool call whose retry's backoff a Ctrl-C cut short: an interrupt, not the pool's failure.
     */
    private int copy(BackupReader reader, MongoDatabase db, String poolId, CancelToken cancel, Retry retry, Runnable ours) {
        try {
            return copyEach(reader, db, poolId, cancel, retry, ours);
        } catch (RuntimeException e) {
            throw interruptedIfCutShort(e, poolId);
        }
    }

    /**
     * {@code e}, or, when a Ctrl-C cut short the backoff of the pool call it failed (a retried one), the interrupt it is,
     * naming the pool's error (what it was refusing), as an interrupted backup's row names it.
     */
    private static RuntimeException interruptedIfCutShort(RuntimeException e, String poolId) {
        return Retry.cutShort(e) && !(e instanceof TenantctlException) ? new TenantctlException(TenantctlException.Category.INTERRUPTED,
                Errors.cutShort(e, "on pool " + poolId + ": " + Errors.oneLine(e)), e) : e;
    }

    private int copyEach(BackupReader reader, MongoDatabase db, String poolId, CancelToken cancel, Retry retry, Runnable ours) {
        Retry.Attempts attempts = new Retry.Attempts();
        int indexes = 0;
        long docs = 0;
        for (CollectionEntry entry : reader.manifest().collections()) {
            String name = entry.name();
            Errors.stopIfCancelled(cancel, "after " + Counted.of(docs, "document"));
            ours.run();
            SchemaApply.createCollection(db, name, retry, attempts);
            MongoCollection<RawBsonDocument> coll = db.getCollection(name, RawBsonDocument.class);
            DocBatch batch = new DocBatch();
            Fingerprint.Builder sent = new Fingerprint.Builder().collection(name);
            long largest = 1;
            CollectionReader file = reader.openCollection(entry);
            // parse and verify the next batch while the server inserts this one
            try (ReadAhead<RawBsonDocument> in = ReadAhead.documents(file, file, name, BATCH, 2)) {
                while (in.hasNext()) {
                    RawBsonDocument d = in.next();
                    sent.add(d);
                    largest = Math.max(largest, d.getByteBuffer().remaining());
                    if (batch.add(d)) {
                        Errors.stopIfCancelled(cancel, "after " + Counted.of(docs, "document"));
                        ours.run();
                        DocBatch.insert(coll, batch.docs(), retry, attempts, ours);
                        docs += batch.size();
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                Errors.stopIfCancelled(cancel, "after " + Counted.of(docs, "document"));
                ours.run();
                DocBatch.insert(coll, batch.docs(), retry, attempts, ours);
                docs += batch.size();
            }
            BsonArray specs = new BsonArray(indexSpecs(entry).stream().filter(i -> !expiring(i)).toList());
            if (!specs.isEmpty()) {
                ours.run();
                retry.run(attempts, () -> db.runCommand(new BsonDocument("createIndexes", new BsonString(name)).append("indexes", specs)));
                indexes += specs.size();
            }
            long counted = coll.countDocuments();
            if (counted != entry.docs()) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "collection " + name + " has " + Counted.of(counted, "document")
                        + " after the restore, the backup has " + entry.docs());
            }
            storedAsSent(coll, poolId, sent.build(), (int) Math.max(1, Math.min(BATCH, DocBatch.BYTES / largest)), retry, attempts, cancel,
                    "after " + Counted.of(docs, "document"));
        }
        return indexes;
    }

    /**
     * A TTL index: built only once every count is checked ({@link #buildExpiring}), since the pool deletes what it expires
     * (FerretDB's TTL job, each minute) — documents a backup holds whose expiry has passed since, which a count would then miss.
     */
    private static boolean expiring(org.bson.BsonValue index) {
        return index.asDocument().containsKey("expireAfterSeconds");
    }

    /**
     * Each collection's TTL indexes, which {@link #copy} leaves out: built after the counts are checked (the last step before
     * the flip), so that the pool expiring a backed-up document is not taken for a restore that lost it. Returns how many.
     * A Ctrl-C that cuts a build's retry short stops it as an interrupt, as during {@link #copy}.
     */
    private int buildExpiring(BackupReader reader, MongoDatabase db, String poolId, Retry retry, Runnable ours) {
        try {
            return buildEachExpiring(reader, db, retry, ours);
        } catch (RuntimeException e) {
            throw interruptedIfCutShort(e, poolId);
        }
    }

    private int buildEachExpiring(BackupReader reader, MongoDatabase db, Retry retry, Runnable ours) {
        Retry.Attempts attempts = new Retry.Attempts();
        int built = 0;
        for (CollectionEntry entry : reader.manifest().collections()) {
            BsonArray specs = new BsonArray(indexSpecs(entry).stream().filter(Restore::expiring).toList());
            if (!specs.isEmpty()) {
                ours.run();
                String name = entry.name();
                SchemaApply.step("createIndexes on " + name, () -> retry.call(attempts,
                        () -> db.runCommand(new BsonDocument("createIndexes", new BsonString(name)).append("indexes", specs))));
                built += specs.size();
            }
        }
        return built;
    }

    /**
     * The restore that finishes what the newest restore into {@code orgId} left (an in-place one that died past its drop
     * leaves the org restoring, with part of its data): the same backup, the same way — a plain 'restore --org' would take
     * the newest backup into a fresh database. It reads the store that restore's line named; {@code storeOnLine} (" --store
     * URL" typed on this line, or "") only when it named none that it recorded (TENANTCTL_STORE's, or a run recorded before).
     */
    static Optional<String> rerun(io.tenantctl.catalog.Catalog catalog, String orgId, String storeOnLine) {
        return catalog.runs().newestWith("restore", orgId).map(r -> java.util.Map.entry(r, Json.tree(r.args()))).filter(a -> a.getValue().hasNonNull("backup"))
                .map(a -> Runs.RunView.continuation(a.getKey().verb(), a.getKey().runId(), a.getValue())
                        + (a.getValue().hasNonNull("store") ? "" : storeOnLine));
    }

    /** A restore that found its org's lease gone: it stops writing, and its clean-up leaves everything to the org's holder. */
    static final class LostLease extends TenantctlException {
        LostLease(String message) {
            super(Category.FAILED, message);
        }
    }

    /** One catalog round trip: this restore still holds its org's lease; otherwise it stops (by throwing) before it writes. */
    private static void stillHolds(OrgLeases.Held held, Target target) {
        if (!held.stillHeld()) {
            throw new LostLease("the restore lost org " + target.orgId() + "'s lease (it was stopped past its expiry and another process "
                    + "took the org over): it stopped writing");
        }
    }

    /**
     * Before the flip: every collection of the backup is in {@code db} with the backup's count (countDocuments, as copy()
     * checks each when it is done); otherwise a failure naming the collection, both counts and the restore to run again.
     */
    private void checkCounts(BackupReader reader, MongoDatabase db, Target target, Request req, String backupId) {
        Set<String> present = new java.util.HashSet<>();
        db.listCollectionNames().forEach(present::add);
        for (CollectionEntry entry : reader.manifest().collections()) {
            String name = entry.name();
            String found = !present.contains(name) ? "is missing" : null;
            long counted = found == null ? db.getCollection(name).countDocuments() : 0;
            if (found == null && counted == entry.docs()) {
                continue;
            }
            throw new TenantctlException(TenantctlException.Category.FAILED, "collection " + name + " of " + target.databaseName()
                    + " on " + target.pool().poolId() + (found != null ? " " + found : " has " + Counted.of(counted, "document"))
                    + " before the flip, the backup has " + entry.docs() + " (it changed after it was copied): nothing was flipped; "
                    + "re-run the restore: tenantctl restore --org " + req.orgId() + " --backup " + backupId
                    + (req.toOrg() != null ? " --to-org " + req.toOrg() : "") + (req.targetPool() != null ? " --target-pool " + req.targetPool() : "")
                    + (req.inPlace() ? " --in-place --drop-existing" : "") + req.storeOnLine());
        }
    }

    /** Whether the org's own database was dropped, by this restore or by an earlier one that did not finish past its drop (in place). */
    enum Dropped { NOT, EARLIER, NOW }

    /** After a failure: drop what this restore created, put the org back; returns a note for the message. */
    private String cleanUp(Target target, Org claimed, Dropped drop, java.util.function.BooleanSupplier holds, String storeOnLine) {
        StringBuilder note = new StringBuilder();
        try {
            if (!holds.getAsBoolean()) {
                // its lease expired and another process has the org now (its recovery rolled this restore back; a takeover
                // restore may be filling a database of the very same name): nothing here is this restore's to drop or set back
                return "; this restore no longer holds org " + target.orgId() + "'s lease (it expired while the restore was "
                        + "stopped, and another process took the org over): it dropped nothing and left the org as it is; what it "
                        + "wrote into " + target.databaseName() + " on " + target.pool().poolId() + " is left to the org's holder "
                        + "and the next restore (see 'tenantctl orgs show " + target.orgId() + "')";
            }
            MongoDatabase db = ctx.pools().database(target.pool().poolId(), target.pool().uri(), target.databaseName());
            Undo undo = undo(target, claimed, drop);
            if (undo.keepsPartial()) {
                return "; the org's database " + target.databaseName() + (drop == Dropped.NOW ? " WAS DROPPED" : " was dropped by an "
                        + "earlier restore that did not finish") + " and is only partly restored: the org stays " + Org.RESTORING
                        + " (not writable); " + finish(target, storeOnLine);
            }
            if (undo.othersDatabase() != null) {
                return "; " + target.databaseName() + " on " + target.pool().poolId() + " is org " + undo.othersDatabase()
                        + "'s database now and was left alone: see 'tenantctl orgs show " + undo.othersDatabase() + "'";
            }
            if (undo.dropsTarget()) {
                try {
                    db.drop();
                    note.append("; the partial database ").append(target.databaseName()).append(" was removed");
                } catch (RuntimeException dropFailure) {
                    // the pool went away: the org's own database was never touched, so put its status back anyway; the
                    // leftover is dropped by the next restore into it (or rebalance gc)
                    note.append("; the partial database ").append(target.databaseName()).append(" on pool ").append(target.pool().poolId())
                            .append(" could not be removed (").append(Errors.oneLine(dropFailure)).append("): the same restore run again ")
                            .append("drops it first; else, once the pool answers, 'tenantctl verify' names it (stray_copy) and how to drop it");
                }
            }
            if (undo.org() == OrgAfter.NOT_CREATED) {
                restores.deleteUnfinishedOrg(target.orgId());
                note.append("; org ").append(target.orgId()).append(" was not created");
            } else if (undo.org() == OrgAfter.STAYS_RESTORING) {
                // putting its status back would make a partial database writable and look healthy (verify's fix adds indexes)
                note.append("; org ").append(target.orgId()).append(" stays ").append(Org.RESTORING).append(" (not writable): its database ")
                        .append(claimed.databaseName()).append(" was dropped by an earlier restore that did not finish and is only partly ")
                        .append("restored; ").append(finish(target, storeOnLine));
            } else if (undo.org() == OrgAfter.STATUS_BACK) {
                Org now = ctx.catalog().orgs().get(target.orgId());
                if (now.status().equals(Org.RESTORING)) {
                    ctx.catalog().orgs().compareAndSetStatus(now.orgId(), now.version(), target.previousStatus());
                }
                note.append("; org ").append(target.orgId()).append(" still points at its database, status ").append(target.previousStatus());
            }
        } catch (RuntimeException cleanupFailure) {
            note.append("; cleaning up failed too (").append(Errors.oneLine(cleanupFailure)).append("): re-run the restore");
        }
        return note.toString();
    }

    /** What undoing a restore does to its org ({@link Undo}). */
    private enum OrgAfter { AS_IS, NOT_CREATED, STAYS_RESTORING, STATUS_BACK }

    /**
     * What undoing a restore does, decided before any of it is done: {@link #cleanUp} does it (a failed restore, a dead
     * one's recovery), {@link #wouldRecover} says it (verify --fix --dry-run), so that the two do not drift. An in-place
     * restore past a drop keeps its partial database (the org stays restoring, for the restore to be run again); any
     * other drops its target, unless another org points at it now (then it, and the org, are left alone), and the org
     * is not created (--to-org), stays restoring (an earlier in-place restore dropped its database) or gets its status back.
     */
    private record Undo(boolean keepsPartial, String othersDatabase, boolean dropsTarget, OrgAfter org) {
    }

    private Undo undo(Target target, Org claimed, Dropped drop) {
        if (target.mode().equals(IN_PLACE) && drop != Dropped.NOT) {
            return new Undo(true, null, false, OrgAfter.STAYS_RESTORING);
        }
        boolean dropsTarget = !target.mode().equals(IN_PLACE) && (claimed != null || target.createOrg());
        if (dropsTarget) {
            // never a database an org points at: this restore's flip went through before what failed after it, or this
            // restore outlived its lease and another filled the same name and flipped the org to it meanwhile
            Optional<String> user = restores.pointedAtBy(target.pool().poolId(), target.databaseName());
            // a --to-org restore's own new org points at its target from the start, still restoring: that one goes
            boolean ownNewOrg = user.isPresent() && target.createOrg() && user.get().equals(target.orgId())
                    && ctx.catalog().orgs().find(target.orgId()).map(o -> o.status().equals(Org.RESTORING)).orElse(false);
            if (user.isPresent() && !ownNewOrg) {
                return new Undo(false, user.get(), false, OrgAfter.AS_IS);
            }
        }
        return new Undo(false, null, dropsTarget, target.createOrg() ? OrgAfter.NOT_CREATED : claimed == null ? OrgAfter.AS_IS
                : drop == Dropped.EARLIER ? OrgAfter.STAYS_RESTORING : OrgAfter.STATUS_BACK);
    }

    private String finish(Target target, String storeOnLine) {
        return "re-run the restore: " + rerun(ctx.catalog(), target.orgId(), storeOnLine).orElse("tenantctl restore --org " + target.orgId()
                + " --backup ID --in-place --drop-existing" + storeOnLine);
    }

    /** What a restore records on its org lease: enough for whoever finds it dead to put things back. */
    private static String recoveryState(String runId, Target t, String backupId, String scratch, Dropped drop) {
        return Json.args("run_id", runId, "mode", t.mode(), "pool", t.pool().poolId(), "database", t.databaseName(),
                "previous_status", t.previousStatus().db(), "create_org", t.createOrg(), "tier", t.tier(), "backup", backupId,
                "scratch", scratch, "current_dropped", drop == Dropped.NOW, "dropped_earlier", drop == Dropped.EARLIER);
    }

    /**
     * What the recovery of a dead restore does, decided by the state it recorded on the org's lease and the catalog now:
     * {@link #recover} does it, verify --fix --dry-run ({@link #wouldRecover}) says it, from this one rule. A dead restore
     * that left its org not restoring had not claimed it yet (its row unchanged since the run was recorded: a claim or a
     * flip changes it) or had switched it to the restored data: either way the org's database is its whole data, nothing
     * is undone, only its run is closed as failed; nothing at all when it had closed its run itself (it finished, then
     * died before it let go of the org). One that left the org restoring (or a --to-org one gone) is rolled back.
     */
    private enum Recovery { NOTHING, CLOSE_ORPHAN_RUNS, CLOSE_UNCLAIMED, CLOSE_SWITCHED, ROLL_BACK }

    private static Recovery recovery(OpsContext ctx, org.bson.Document state, String orgId) {
        RunRepository runs = ctx.catalog().runs();
        if (state == null) { // died after recording its run, before recording anything on the lease
            return runs.runningWith("restore", orgId).isEmpty() ? Recovery.NOTHING : Recovery.CLOSE_ORPHAN_RUNS;
        }
        Optional<Org> now = ctx.catalog().orgs().find(orgId);
        if (now.isEmpty() || now.get().status().equals(Org.RESTORING)) {
            return Recovery.ROLL_BACK;
        }
        String runId = state.getString("run_id");
        Optional<RunRepository.Run> run = Optional.ofNullable(runId).filter(id -> runs.runningWith("restore", orgId).contains(id))
                .flatMap(runs::find);
        if (run.isEmpty()) {
            return Recovery.NOTHING;
        }
        Org org = now.get();
        return org.updatedAt() != null && run.get().startedAt() != null && org.updatedAt().isBefore(run.get().startedAt())
                ? Recovery.CLOSE_UNCLAIMED : Recovery.CLOSE_SWITCHED;
    }

    /**
     * What {@link #recover} would do (verify --fix --dry-run), by the same rule, without doing it; null when it would do
     * nothing.
     */
    static String wouldRecover(OpsContext ctx, org.bson.Document state, String orgId) {
        Recovery how = recovery(ctx, state, orgId);
        return switch (how) {
            case NOTHING -> null;
            case CLOSE_ORPHAN_RUNS -> "the restore that held it died before it changed anything: its run would be closed as failed";
            case CLOSE_UNCLAIMED, CLOSE_SWITCHED -> "the restore of backup " + state.getString("backup") + " (run " + state.getString("run_id")
                    + ") that held it died " + died(how, orgId) + ": its run would be closed as failed, nothing undone or dropped (the org "
                    + "keeps " + (how == Recovery.CLOSE_UNCLAIMED ? "its own data" : "the restored data") + ")";
            case ROLL_BACK -> "the restore of backup " + state.getString("backup") + " (run " + state.getString("run_id") + ") that held it "
                    + "died: " + new Restore(ctx, null).wouldRollBack(state, orgId);
        };
    }

    /**
     * What {@link #recover} rolls back of a dead restore, said before it is done: the one outcome {@link #undo} decides
     * for it (as the recovery then does and reports it), its trial database dropped first ({@link #dropScratch}).
     */
    private String wouldRollBack(org.bson.Document state, String orgId) {
        Optional<Org> now = ctx.catalog().orgs().find(orgId);
        Target t = recorded(ctx, state, orgId, now);
        Dropped drop = recordedDrop(state);
        Undo undo = undo(t, now.orElse(null), drop);
        String org = "org " + orgId;
        String database = t.databaseName() + " on pool " + t.pool().poolId();
        String what;
        if (undo.keepsPartial()) {
            what = (drop == Dropped.NOW ? "it had dropped " + org + "'s database " + database + " (--in-place)" : org + "'s database " + database
                    + " was dropped by an earlier restore that did not finish") + " and it is only partly restored: " + org + " would be left "
                    + Org.RESTORING + " (not writable), nothing else undone";
        } else if (undo.othersDatabase() != null) {
            what = "its target " + database + " is org " + undo.othersDatabase() + "'s database now, so it and " + org + " would be left "
                    + "as they are: see 'tenantctl orgs show " + undo.othersDatabase() + "'";
        } else {
            String partial = "its partial database " + database + " would be dropped";
            what = switch (undo.org()) {
                case NOT_CREATED -> org + " (made by restore --to-org) would not be created" + (undo.dropsTarget() ? ": " + partial : "");
                case STAYS_RESTORING -> partial + "; " + org + " would stay " + Org.RESTORING + " (not writable): its database "
                        + now.get().databaseName() + " was dropped by an earlier restore that did not finish and is only partly restored";
                case STATUS_BACK -> (undo.dropsTarget() ? partial + " and " + org : org + " would be") + " set back to " + t.previousStatus()
                        + " on its own database " + now.get().databaseName();
                case AS_IS -> undo.dropsTarget() ? partial : "nothing would be undone";
            };
        }
        return dropScratch(t.pool(), state.getString("scratch"), true) + what + "; its run would be closed as failed"
                + (undo.org() == OrgAfter.STAYS_RESTORING ? "; then " + finish(t, "") : "");
    }

    /** The target a dead restore recorded on its org's lease, as its recovery finds it ({@link #recover}, {@link #wouldRollBack}). */
    private static Target recorded(OpsContext ctx, org.bson.Document state, String orgId, Optional<Org> now) {
        return new Target(state.getString("mode"), orgId, now.orElse(null), ctx.catalog().pools().get(state.getString("pool")),
                state.getString("database"), OrgStatus.of(state.getString("previous_status")),
                Boolean.TRUE.equals(state.getBoolean("create_org")), state.getString("tier"));
    }

    private static Dropped recordedDrop(org.bson.Document state) {
        return Boolean.TRUE.equals(state.getBoolean("current_dropped")) ? Dropped.NOW
                : Boolean.TRUE.equals(state.getBoolean("dropped_earlier")) ? Dropped.EARLIER : Dropped.NOT;
    }

    /** The runs {@link #recover} would close as failed, by the same rule (a dry run does not call them abandoned too). */
    static List<String> runsRecoveryCloses(OpsContext ctx, org.bson.Document state, String orgId) {
        return switch (recovery(ctx, state, orgId)) {
            case NOTHING -> List.of();
            case CLOSE_ORPHAN_RUNS -> ctx.catalog().runs().runningWith("restore", orgId);
            default -> state.getString("run_id") == null ? List.of() : List.of(state.getString("run_id"));
        };
    }

    /**
     * Undoes what a restore whose process died left on its org, by the state it recorded on the org's lease: a
     * partial fresh database dropped and the org's status put back, a half-created --to-org removed; an in-place
     * restore that died after dropping the org's database cannot be undone, so the org stays restoring and the
     * message says how to finish it; one that left nothing to undo has its run closed ({@link #recovery}). Returns what
     * was done, or null when the restore had closed its run (finished).
     */
    static String recover(OpsContext ctx, org.bson.Document state, String orgId) {
        Recovery how = recovery(ctx, state, orgId);
        switch (how) {
            case NOTHING:
                return null;
            case CLOSE_ORPHAN_RUNS:
                return closeOrphanRuns(ctx, orgId);
            case CLOSE_UNCLAIMED, CLOSE_SWITCHED:
                return closeUndone(ctx, state.getString("run_id"), orgId, state.getString("backup"), how);
            default:
                break;
        }
        Restore r = new Restore(ctx, null);
        Optional<Org> now = ctx.catalog().orgs().find(orgId);
        Target target = recorded(ctx, state, orgId, now);
        String note = r.dropScratch(target.pool(), state.getString("scratch"), false)
                + r.cleanUp(target, now.orElse(null), recordedDrop(state), () -> true, ""); // under its lease
        String runId = state.getString("run_id");
        String what = "the restore of backup " + state.getString("backup") + " (run " + runId + ") died" + note;
        if (runId != null) {
            ctx.catalog().runs().itemFinished(runId, orgId, "failed", 1, 0, what);
            ctx.catalog().runs().finish(runId, "failed");
        }
        return what;
    }

    /** A dead restore with nothing to undo ({@link #recovery}): its run, still running, is closed as failed, nothing dropped. */
    private static String closeUndone(OpsContext ctx, String runId, String orgId, String backupId, Recovery how) {
        String what = "the restore of backup " + backupId + " (run " + runId + ") died " + died(how, orgId) + (how == Recovery.CLOSE_UNCLAIMED
                ? ": the org kept its own data, nothing to undo" : ", which it keeps: nothing to undo");
        ctx.catalog().runs().itemFinished(runId, orgId, "failed", 1, 0, what);
        ctx.catalog().runs().finish(runId, "failed");
        return what;
    }

    private static String died(Recovery how, String orgId) {
        return how == Recovery.CLOSE_UNCLAIMED ? "before it claimed org " + orgId : "after it switched org " + orgId + " to the restored data";
    }

    /**
     * A restore that died between recording its run and recording its state on the org's lease had created nothing yet
     * (the state comes before any database or status change): its run, left running, is closed as failed.
     */
    private static String closeOrphanRuns(OpsContext ctx, String orgId) {
        RunRepository runs = ctx.catalog().runs();
        List<String> closed = runs.runningWith("restore", orgId);
        for (String runId : closed) {
            runs.itemFinished(runId, orgId, "failed", 1, 0, "the restore's process died before it changed anything");
            runs.finish(runId, "failed");
        }
        return closed.isEmpty() ? null : "a restore of org " + orgId + " died before it changed anything; its run " + String.join(", ", closed)
                + " was closed as failed";
    }

    /**
     * The scratch database of an in-place restore that died during its trial load (which drops it when it lives): dropped,
     * unless an org has taken its name since. Nothing else writes there; left alone it is a stray copy of the org's data.
     * {@code wouldOnly}: only said, as what the recovery would drop (its dry run), by the same look.
     */
    private String dropScratch(Pool pool, String scratch, boolean wouldOnly) {
        if (scratch == null || restores.owner(scratch).isPresent()) {
            return "";
        }
        try {
            if (!exists(pool, scratch)) {
                return "";
            }
            if (wouldOnly) { // what the dry run of its recovery says, its recovery's rule
                return "its trial database " + scratch + " on pool " + pool.poolId() + " would be dropped; ";
            }
            ctx.pools().database(pool.poolId(), pool.uri(), scratch).drop();
            return "; its trial database " + scratch + " was removed";
        } catch (RuntimeException e) {
            String said = "its trial database " + scratch + " on " + pool.poolId() + " could not be " + (wouldOnly ? "looked at" : "removed")
                    + " (" + Errors.oneLine(e) + "): 'tenantctl verify' lists it";
            return wouldOnly ? said + "; " : "; " + said;
        }
    }

    /**
     * Whether the pool has the database, with a collection in it: listDatabases first, since listing the collections of
     * a database that does not exist makes it on the stand-in pools (WireConformanceTest pins it), which left an empty
     * one after a dry run; and the stand-in lists an empty database that a mere read made, which a server does not.
     */
    private boolean exists(Pool pool, String database) {
        return ctx.databaseNames(pool).contains(database) && ctx.pools().database(pool.poolId(), pool.uri(), database).listCollectionNames().first() != null;
    }

    /**
     * The documents the org's database holds now (countDocuments of each collection, as the restore's own checks count):
     * what an in-place restore's drop takes, to be held against its backup's.
     */
    private long docsNow(Target t) {
        MongoDatabase db = ctx.pools().database(t.pool().poolId(), t.pool().uri(), t.databaseName());
        long docs = 0;
        for (String name : db.listCollectionNames()) {
            docs += db.getCollection(name).countDocuments();
        }
        return docs;
    }

    /** Said when the database an in-place restore drops holds more documents than the backup: those written since are lost. */
    private static String lossWarning(Target t, String backupId, BackupReader reader, Long existing, boolean dryRun, String storeOnLine) {
        long backup = reader.manifest().totalDocs();
        if (existing == null || existing <= backup) {
            return null;
        }
        return "database " + t.databaseName() + " " + (dryRun ? "holds " : "held ") + Counted.of(existing - backup, "more document") + " than backup "
                + backupId + " (" + existing + " against " + backup + "): documents written since the backup " + (dryRun ? "would be" : "were")
                + " lost" + (dryRun ? "; back the org up first ('tenantctl backup --org " + t.orgId() + storeOnLine + "'), or leave out --in-place "
                + "--drop-existing to restore into a fresh database and keep this one" : "");
    }

    private Result result(String runId, boolean dryRun, Target t, String backupId, BackupReader reader, List<String> dropped,
                          int indexes, String status, long t0, Long existing, String storeOnLine) {
        String retired = t.mode().equals(FRESH) ? t.org().databaseName() : null;
        return new Result(runId, dryRun, t.mode(), reader.manifest().orgId(), t.orgId(), backupId, t.pool().poolId(), t.databaseName(),
                t.org() == null ? null : t.org().poolId(), t.org() == null ? null : t.org().databaseName(), retired, List.copyOf(dropped),
                reader.manifest().collections().size(), reader.manifest().totalDocs(), indexes, status, millis(t0),
                ctx.catalog().orgs().find(t.orgId()).flatMap(o -> LastRollout.of(ctx.catalog()).catchUp(o, reader.manifest().schemaHash()) // a backup
                        // from before the last rollout (no org yet in a dry run of --to-org); a rollout passes over a suspended org
                        .map(c -> o.status().equals(Org.ACTIVE) ? c : "tenantctl orgs resume " + o.orgId() + "   (it is " + o.status()
                                + ", which a rollout passes over: once it may be written again, then: " + c + ")")).orElse(null),
                existing, lossWarning(t, backupId, reader, existing, dryRun, storeOnLine));
    }

    private static long millis(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * A deleted (or deleting) org's id is not reused, not even by a restore of its own backup: its backups, runs and
     * retired database stay its own. Its data comes back under a new id (or, while deleting, the org itself by resume).
     */
    private static TenantctlException deletedId(Org org, Request req) {
        if (req.toOrg() != null && !org.orgId().equals(req.orgId())) { // another org's backup, to a deleted org's id
            return TenantctlException.usage("--to-org " + org.orgId() + " is the id of a " + org.status() + " org, and a deleted org's id "
                    + "is not reused: choose another id (tenantctl restore --org " + req.orgId() + " --to-org NEW_ID" + req.storeOnLine() + ")");
        }
        return TenantctlException.usage("org " + org.orgId() + " is " + org.status() + ": a deleted org's id is not reused; to bring its "
                + "data back, restore it as a new org: tenantctl restore --org " + req.orgId()
                + (req.backupId() == null || req.backupId().equals("latest") ? "" : " --backup " + req.backupId()) + " --to-org NEW_ID" + req.storeOnLine()
                + (org.status().equals(Org.DELETING) ? "; or take the org back as its kept database is now: tenantctl orgs resume "
                + org.orgId() : ""));
    }
}
