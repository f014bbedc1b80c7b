package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupIncompleteException;
import io.tenantctl.backup.BackupIntegrityException;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupManifest;
import io.tenantctl.backup.BackupReader;
import io.tenantctl.backup.BackupWriter;
import io.tenantctl.backup.CollectionWriter;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.ObjectStore;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * {@code tenantctl backup}: per org, stream every collection ({@code find().batchSize(1000)}, raw BSON, never held in
 * memory) into the backup format, check each collection's count with {@code countDocuments}, and write manifest.json
 * last. Recorded in the backups table and as a run; fanned out across pools. {@code freeze} sets an active org
 * read_only for the copy and always puts it back. Each org is backed_up, planned (dry run), failed or not_started.
 */
public final class Backup {

    static final int BATCH = 1000;
    private static final Random RANDOM = new SecureRandom();
    public static final String VERB = "backup", DONE = "backed_up";

    /** Which orgs (one of: orgIds, all, pool alone or with due, due), how copied, how the run is driven; " --store URL" typed, or "". */
    public record Request(Selector selector, Copy copy, boolean dryRun, RunEngine.Drive drive, Clock clock, String storeOnLine) {
        public Request(Selector selector, Copy copy, boolean dryRun, RunEngine.Drive drive, Clock clock) {
            this(selector, copy, dryRun, drive, clock, "");
        }
    }

    /** Which orgs: these ids, all of them, those of one pool, or those due by their tier's policy (optionally on one pool). */
    public record Selector(List<String> orgIds, boolean all, List<String> pools, boolean due) {
        public Selector {
            pools = pools == null ? List.of() : List.copyOf(new LinkedHashSet<>(pools));
        }
    }

    /** How each org is copied: the files' compression, whether the org is read_only meanwhile, and why (null, or delete: BackupOrigin). */
    public record Copy(Compression compression, boolean freeze, String purpose) {
    }

    /** The run's report (its counts, timings, slowest: no line per org), each org's line (with its backup_id, docs, bytes, collections, location) read a page at a time, and the store written to. */
    public record Result(RunReport report, boolean interrupted, String store, io.tenantctl.ops.run.ReportLines lines) {
    }

    /** What a backup run records, so that joiners and resumers write the same way to the same store. */
    record Args(int orgs, String selector, String compression, boolean freeze, String store, String purpose) {
    }

    private final OpsContext ctx;
    private final ObjectStore store;
    private final RunEngine engine;
    /** This worker's org leases, where a frozen backup records the status to put back should it die. */
    private final OrgLeases leases;
    private final BackupLayout layout = BackupLayout.root();

    public Backup(OpsContext ctx, ObjectStore store) {
        this.ctx = ctx;
        this.store = store;
        this.engine = new RunEngine(ctx, new LeaseRecovery(ctx));
        this.leases = engine.orgLeases();
    }

    public Result run(Request req) {
        if (!req.drive().control().existing()) {
            req.copy().compression().requireAvailable(); // a compression this process cannot run: a config error, not every org failed
        }
        if (req.dryRun() && !req.drive().control().existing()) {
            // as the run would: an org backup does not take is failed at once, and one on a pool that does not answer too
            RunEngine.Planned plan = engine.plan(VERB, new BackupSelection(ctx.catalog(), req.selector(), store).items(), req.drive(), (orgId, poolId) ->
                    BackupSelection.planned(ctx, req, orgId, where(store.describe()) + layout.orgPrefix(orgId)), o -> o.with(o.error(), detail(o.detail())));
            return new Result(plan.report(), plan.interrupted(), store.describe(), plan.lines());
        }
        store.checkWritable(); // a store nothing can be written to is a config error now, not a failure of every org
        RunEngine.Ran ran = engine.run(VERB, req.drive(), OutcomeNames.of(DONE).withoutLines(), () -> start(req), run -> work(run, req));
        return new Result(ran.report(), ran.interrupted(), store.describe(), io.tenantctl.ops.run.ReportLines.read(ctx.catalog(), ran.report(),
                OutcomeNames.of(DONE), o -> o.with(ran.report().why(o, ran.interrupted()), detail(o.detail()))));
    }

    /** Records a run of the selected orgs. */
    private String start(Request req) {
        LeaseRecovery.sweep(ctx); // what a dead operation left on an org is put right before orgs are selected
        BackupSelection sel = new BackupSelection(ctx.catalog(), req.selector(), store); // the orgs read a page at a time as the run is recorded
        return engine.start(VERB, () -> Json.write(new Args(sel.size(), selector(req), req.copy().compression().id(), req.copy().freeze(),
                store.describe(), req.copy().purpose())), sel.items(), 0, () -> null);
    }

    /** The work on a backup run, with the run's own compression and freeze, into the run's own store. */
    private RunEngine.Work work(RunRepository.Run run, Request req) {
        Args args = Json.read(run.runId(), run.args(), Args.class);
        if (args.store() == null || !where(store.describe()).equals(where(args.store()))) {
            throw TenantctlException.usage("run " + run.runId() + " writes to " + args.store() + " but this worker's store is "
                    + store.describe() + ": set --store / TENANTCTL_STORE to the run's store");
        }
        Copy copy = Backups.copyOf(args);
        copy.compression().requireAvailable(); // before a joiner touches the run
        // leased also without --freeze: a restore or a move of the org must not run under a backup
        return new RunEngine.Work(Job.of("backup", (orgId, poolId) ->
                new Job.Done(ItemStatus.SUCCEEDED, 1, null, backupOne(orgId, copy, req, run.runId()))), Budget.NONE);
    }

    /** An org's -o json detail, every field there: null or 0 where it has no backup. */
    private static String detail(JsonNode d) {
        return Json.fields("backup_id", d.path("backup_id").asText(null), "docs", d.path("docs").asLong(), "bytes", d.path("bytes").asLong(),
                "collections", d.path("collections").asInt(), "location", d.path("location").asText(null));
    }

    /** Backs one org up; returns its detail (backup_id, docs, bytes, collections, location). */
    private String backupOne(String orgId, Copy copy, Request req, String runId) {
        Org org = ctx.catalog().orgs().get(orgId);
        BackupSelection.requireTaken(org, store); // a status backup does not take, a folder in the store that refuses writes
        boolean frozen = false;
        if (copy.freeze() && org.status().equals(Org.ACTIVE)) {
            leases.record(orgId, Json.args("frozen_from", org.status().db()));
            if (!ctx.catalog().orgs().compareAndSetStatus(orgId, org.version(), Org.READ_ONLY)) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "org changed while it was being frozen: retry");
            }
            frozen = true;
        }
        try {
            return copy(org, ctx.catalog().pools().get(org.poolId()), copy, req, runId); // as it is now: added, or given another uri, since the run began
        } finally {
            if (frozen) {
                // put back only if it is still as this freeze left it: otherwise this worker outlived its lease, the next
                // operation recovered (thawed) the org, and an operator may have suspended it on purpose since
                ctx.catalog().orgs().compareAndSetStatus(orgId, org.version() + 1, org.status());
            }
        }
    }

    private String copy(Org org, Pool pool, Copy how, Request req, String runId) {
        BackupRepository backups = ctx.catalog().backups();
        Instant started = req.clock().instant();
        String backupId;
        String location;
        BackupRepository.Started start;
        do {
            backupId = BackupIds.newId(Clock.fixed(started, ZoneOffset.UTC), RANDOM);
            location = where(store.describe()) + layout.backupPrefix(org.orgId(), backupId);
            start = backups.start(backupId, org.orgId(), location, org.poolId(), org.databaseName(), started, org.schemaHash(), runId);
            String earlier = start.doneInRun() == null ? null : earlierInRun(org.orgId(), start, backups, req.clock().instant());
            if (earlier != null) {
                return earlier;
            }
        } while (!start.recorded());
        BackupWriter.Spec spec = BackupOrigin.spec(ctx.catalog(), org, backupId, how); // what the catalog says of the org, in the manifest
        try (BackupWriter writer = BackupWriter.start(store, layout, spec, req.clock())) {
            MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
            Retry.Attempts attempts = new Retry.Attempts();
            List<String> names = NothingToBackUp.refuseIfNone(ctx.retry().call(attempts, () -> db.listCollectionNames().into(new ArrayList<>())),
                    org, pool.poolId(), backups, req.storeOnLine());
            names.sort(null);
            for (String name : names) {
                List<BsonDocument> indexes = ctx.retry().call(attempts,
                        () -> db.getCollection(name).listIndexes(BsonDocument.class).into(new ArrayList<>()));
                copyCollection(db.getCollection(name, RawBsonDocument.class), writer.openCollection(name, indexes), req.drive().cancel());
            }
            BackupWriter.Finished done = writer.finish();
            backups.complete(backupId, leases.holder(), done.manifest().finishedAt(), done.manifest().totalDocs(),
                    done.manifest().totalBytes(), done.manifestSha256()); // under the org's lease only: else it throws LostOrg
            return outcome(done.manifest());
        } catch (IOException | RuntimeException e) {
            String error = Errors.cannotBackUpTo(store, e); // a full store says so, and what to do
            Backups.recordFailed(backups, backupId, req.clock().instant(), e, error); // running if the catalog broke off: for --resume
            throw new Job.Failure("backup " + backupId + " abandoned: " + error, 1, Json.args("backup_id", backupId), Errors.backUpFailedOf(store, e));
        }
    }

    /** The outcome of the org's backup a worker of this run took and died before recording (or the catalog was out of reach as
     * it wrote the manifest), so the run takes no second; null when it is not whole in the store, for another to be taken. */
    private String earlierInRun(String orgId, BackupRepository.Started earlier, BackupRepository backups, Instant now) {
        try {
            BackupReader r = BackupReader.open(store, layout, orgId, earlier.doneInRun()).checkFilesPresent();
            backups.recordStranded(earlier, leases.holder(), r.manifest().finishedAt(), r.manifest().totalDocs(), r.manifest().totalBytes(),
                    r.manifestSha256());
            return outcome(r.manifest());
        } catch (TenantctlException e) {
            if (!(e instanceof BackupIntegrityException || e instanceof BackupIncompleteException
                    || e.category() == TenantctlException.Category.USAGE)) { // USAGE: nothing of it left in the store
                throw e;
            }
            backups.setAside(earlier, now, Errors.oneLine(e));
            return null;
        }
    }

    /** An org's outcome detail: its backup's id, documents, bytes, collections and location, from the backup's manifest. */
    private String outcome(BackupManifest m) {
        return Json.args("backup_id", m.backupId(), "docs", m.totalDocs(), "bytes", m.totalBytes(), "collections", m.collections().size(),
                "location", where(store.describe()) + layout.backupPrefix(m.orgId(), m.backupId()), "pool_id", m.sourcePool());
    }

    /**
     * Streams one collection into its file, then checks that countDocuments agrees with what was written ({@link
     * CopiedCount}: not for a collection that came in the server's first reply, where the count would only cost a round
     * trip, one per collection of every small org; and with what the pool's TTL job deletes meanwhile told apart).
     * Ctrl-C ({@code cancel}) stops it within 1,024 documents: a backup that stops loses nothing, it just has no manifest.
     */
    private static void copyCollection(MongoCollection<RawBsonDocument> coll, CollectionWriter out, CancelToken cancel)
            throws IOException {
        String name = coll.getNamespace().getCollectionName();
        Errors.stopIfCancelled(cancel, "after 0 documents of " + name);
        MongoCursor<RawBsonDocument> source = coll.find().batchSize(BATCH).iterator();
        boolean inOneReply = source.getServerCursor() == null; // before the read-ahead's thread drains it
        try (out; ReadAhead<RawBsonDocument> cursor = ReadAhead.documents(source, name, 256, 8)) {
            CopiedCount count = CopiedCount.opened(coll, out.indexes(), inOneReply);
            while (true) {
                RawBsonDocument doc;
                try {
                    if (!cursor.hasNext()) {
                        break;
                    }
                    doc = cursor.next();
                } catch (RuntimeException e) {
                    throw new TenantctlException(TenantctlException.Category.FAILED, "reading collection " + name + " failed after "
                            + io.tenantctl.Counted.of(out.docs(), "document") + ": " + Errors.oneLine(e), e);
                }
                out.write(doc);
                if ((out.docs() & 1023) == 0) {
                    Errors.stopIfCancelled(cancel, "after " + io.tenantctl.Counted.of(out.docs(), "document") + " of " + name);
                }
            }
            count.check(out.finish().docs());
        }
    }

    /** The store's description ending with exactly one '/', to put keys after. */
    static String where(String store) {
        return store.endsWith("/") ? store : store + "/";
    }

    private static String selector(Request req) {
        return !req.selector().orgIds().isEmpty() ? "orgs" : req.selector().all() ? "all" : req.selector().due() ? "due" : "pool";
    }
}
