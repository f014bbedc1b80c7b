package io.tenantctl.ops;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupWriter;
import io.tenantctl.backup.CollectionEntry;
import io.tenantctl.backup.CollectionWriter;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupPolicyRepository;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.OutcomeWord;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;
import io.tenantctl.fanout.Timings;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code tenantctl backup}: per org, stream every collection ({@code find().batchSize(1000)}, raw BSON, never held in
 * memory) into the backup format, check each collection's count with {@code countDocuments}, and write manifest.json
 * last. Recorded in the backups table and as a run; fanned out across pools. {@code freeze} sets an active org
 * read_only for the copy and always puts it back.
 */
public final class Backup {

    /** How backing up one org ended (its -o json spelling is the lower-case name). */
    public enum Outcome implements OutcomeWord {
        BACKED_UP, PLANNED, FAILED, NOT_STARTED;

        /** The outcome a run report spells {@code word}; anything not finished is not started. */
        static Outcome of(String word) {
            return OutcomeWord.of(Outcome.class, word, NOT_STARTED);
        }
    }

    public static final Outcome BACKED_UP = Outcome.BACKED_UP;
    public static final Outcome PLANNED = Outcome.PLANNED;
    public static final Outcome FAILED = Outcome.FAILED;
    public static final Outcome NOT_STARTED = Outcome.NOT_STARTED;

    static final int BATCH = 1000;
    private static final Random RANDOM = new SecureRandom();

    /** Which orgs (exactly one of: orgIds, all, pool alone or with due, due) and how they are copied; how the run is driven. */
    public record Request(Selector selector, Copy copy, boolean dryRun, RunEngine.Settings settings, RunControl control, CancelToken cancel,
                          Progress progress, Clock clock) {
    }

    /** Which orgs: these ids, all of them, those of one pool, or those due by their tier's policy (optionally on one pool). */
    public record Selector(List<String> orgIds, boolean all, String pool, boolean due) {
        public static final Selector NONE = new Selector(List.of(), false, null, false);
    }

    /** How each org is copied: the files' compression, and whether the org is read_only meanwhile. */
    public record Copy(Compression compression, boolean freeze) {
    }

    public static final String VERB = "backup";

    /** What a backup run records, so that joiners and resumers write the same way to the same store. */
    record Args(int orgs, String selector, String compression, boolean freeze, String store) {
    }

    public record OrgResult(String orgId, String poolId, String backupId, Outcome outcome, long docs, long bytes, int collections,
                            String location, long millis, String error) {
    }

    public record Result(String runId, boolean dryRun, String store, List<OrgResult> orgs, Timings timings, boolean interrupted,
                         RunReport report) {
        public List<OrgResult> failed() {
            return orgs.stream().filter(o -> o.outcome().equals(FAILED)).toList();
        }

        public long count(Outcome outcome) {
            return orgs.stream().filter(o -> o.outcome().equals(outcome)).count();
        }

        public List<OrgResult> slowest(int n) {
            return orgs.stream().filter(o -> o.millis() > 0).sorted(Comparator.comparingLong(OrgResult::millis).reversed()).limit(n).toList();
        }
    }

    private final OpsContext ctx;
    private final ObjectStore store;
    /** This worker's org leases, where a frozen backup records the status to put back should it die. */
    private volatile io.tenantctl.ops.run.OrgLeases leases;
    private final BackupLayout layout;

    public Backup(OpsContext ctx, ObjectStore store) {
        this.ctx = ctx;
        this.store = store;
        this.layout = BackupLayout.root();
    }

    public Result run(Request req) {
        if (req.control().existing()) {
            return continueRun(req);
        }
        if (!req.dryRun()) {
            LeaseRecovery.sweep(ctx); // what a dead operation left on an org is put right before orgs are selected
        }
        Map<String, OrgResult> results = new LinkedHashMap<>();
        List<Org> work = new ArrayList<>();
        List<String> order = select(req, work, results);
        if (req.dryRun()) {
            work.forEach(o -> results.put(o.orgId(), new OrgResult(o.orgId(), o.poolId(), null, PLANNED, 0, 0, 0,
                    Backup.where(store) + layout.orgPrefix(o.orgId()), 0, null)));
            return new Result(null, true, store.describe(), ordered(order, results), Timings.of(List.of()), false, null);
        }
        List<RunRepository.NewItem> items = new ArrayList<>();
        for (Org o : RunEngine.interleave(work, Org::poolId)) {
            items.add(new RunRepository.NewItem(o.orgId(), o.poolId(), items.size(), ItemStatus.PENDING.db(), null));
        }
        for (OrgResult r : results.values()) {
            items.add(new RunRepository.NewItem(r.orgId(), r.poolId(), items.size(), ItemStatus.FAILED.db(), r.error()));
        }
        String runId = engine().start(VERB, Json.write(new Args(order.size(), selector(req), req.copy().compression().id(), req.copy().freeze(),
                store.describe())), items, null);
        if (req.control().detach()) {
            return result(runId, false);
        }
        return work(runId, req);
    }

    /** Works on an existing backup run (--join, or --resume after reopening it) with the run's own compression and freeze. */
    private Result continueRun(Request req) {
        String runId = req.control().joinRunId() != null ? req.control().joinRunId() : req.control().resumeRunId();
        Args args = Json.read(runId, ctx.catalog().runs().get(runId).args(), Args.class);
        String runStore = args.store();
        if (runStore == null || !stripSlash(store.describe()).equals(stripSlash(runStore))) {
            throw TenantctlException.usage("run " + runId + " writes to " + runStore + " but this worker's store is " + store.describe()
                    + ": set --store / TENANTCTL_STORE to the run's store");
        }
        if (engine().existing(req.control(), VERB).isEmpty()) {
            return result(runId, false);
        }
        return work(runId, new Request(Selector.NONE, new Copy(Compression.of(args.compression()), args.freeze()), false, req.settings(),
                req.control(), req.cancel(), req.progress(),
                req.clock()));
    }

    private Result work(String runId, Request req) {
        RunEngine engine = engine();
        this.leases = engine.orgLeases();
        Map<String, Pool> pools = new LinkedHashMap<>();
        ctx.catalog().pools().list().forEach(p -> pools.put(p.poolId(), p));
        Job job = new Job() {
            @Override
            public String leaseOperation() {
                return "backup"; // also without --freeze: a restore or a move of the org must not run under a backup
            }

            @Override
            public Done work(String orgId, String poolId) {
                try {
                    OrgResult r = backupOne(orgId, pools, req, runId);
                    return new Done(ItemStatus.SUCCEEDED, 1, null, Json.args("backup_id", r.backupId(), "docs", r.docs(), "bytes", r.bytes(),
                            "collections", r.collections(), "location", r.location()));
                } catch (OrgFailure f) {
                    throw new Job.Failure(f.getMessage(), 1, Json.args("backup_id", f.backupId), f);
                }
            }
        };
        RunEngine.WorkerReport w = engine.drive(runId, VERB, job, req.settings(), Budget.NONE, req.cancel(), req.progress());
        return result(runId, w.interrupted());
    }

    private Result result(String runId, boolean interrupted) {
        RunReport report = engine().report(runId, BACKED_UP::json);
        List<OrgResult> orgs = report.orgs().stream().map(o -> {
            JsonNode d = Json.tree(o.detailJson());
            boolean notDone = o.outcome().equals("not_done") || o.outcome().equals("cancelled");
            return new OrgResult(o.orgId(), o.poolId(), d.path("backup_id").asText(null), Outcome.of(o.outcome()),
                    d.path("docs").asLong(), d.path("bytes").asLong(), d.path("collections").asInt(), d.path("location").asText(null), o.ms(),
                    notDone && o.error() == null ? "not started: run interrupted" : o.error());
        }).toList();
        return new Result(runId, false, store.describe(), orgs, report.timings(), interrupted, report);
    }

    private RunEngine engine() {
        return new RunEngine(ctx, new LeaseRecovery(ctx));
    }

    /** Fills {@code work} with the orgs to back up and {@code results} with those refused; returns every selected id in order. */
    private List<String> select(Request req, List<Org> work, Map<String, OrgResult> results) {
        int selectors = (req.selector().orgIds().isEmpty() ? 0 : 1) + (req.selector().all() ? 1 : 0) + (req.selector().due() ? 1 : 0)
                + (req.selector().pool() != null && !req.selector().due() ? 1 : 0);
        if (selectors != 1) {
            throw TenantctlException.usage("choose what to back up: --org ID..., --all, --pool POOL or --due (--due may be combined with --pool)");
        }
        if (req.selector().pool() != null) {
            ctx.catalog().pools().get(req.selector().pool());
        }
        List<Org> candidates = new ArrayList<>();
        if (!req.selector().orgIds().isEmpty()) {
            List<String> problems = OrgId.problems(req.selector().orgIds());
            if (!problems.isEmpty()) {
                throw TenantctlException.usage(String.join("; ", problems));
            }
            List<String> ids = new ArrayList<>(new LinkedHashSet<>(req.selector().orgIds()));
            Map<String, Org> found = ctx.catalog().orgs().findAll(ids);
            List<String> unknown = ids.stream().filter(id -> !found.containsKey(id)).toList();
            if (!unknown.isEmpty()) {
                throw TenantctlException.usage("no org named " + String.join(", ", unknown) + ": see 'tenantctl orgs list'");
            }
            ids.forEach(id -> candidates.add(found.get(id)));
        } else if (req.selector().due()) {
            List<String> ids = new BackupPolicyRepository(ctx.catalog()).due(req.clock().instant(), req.selector().pool());
            Map<String, Org> found = ctx.catalog().orgs().findAll(ids);
            ids.stream().filter(found::containsKey).forEach(id -> candidates.add(found.get(id)));
        } else {
            ctx.catalog().orgs().list(req.selector().pool(), null).stream().filter(o -> backupable(o.status())).forEach(candidates::add);
        }
        List<String> order = new ArrayList<>();
        for (Org o : candidates) {
            order.add(o.orgId());
            if (backupable(o.status())) {
                work.add(o);
            } else {
                results.put(o.orgId(), new OrgResult(o.orgId(), o.poolId(), null, FAILED, 0, 0, 0, null, 0,
                        "org is " + o.status() + ": only active or read_only orgs are backed up"));
            }
        }
        return order;
    }

    private static boolean backupable(OrgStatus status) {
        return status.equals(Org.ACTIVE) || status.equals(Org.READ_ONLY);
    }

    private OrgResult backupOne(String orgId, Map<String, Pool> pools, Request req, String runId) {
        Org org = ctx.catalog().orgs().get(orgId);
        if (!backupable(org.status())) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "org became " + org.status() + " before it was backed up");
        }
        boolean frozen = false;
        if (req.copy().freeze() && org.status().equals(Org.ACTIVE)) {
            if (leases != null) {
                leases.record(orgId, Json.args("frozen_from", org.status().db()));
            }
            if (!ctx.catalog().orgs().compareAndSetStatus(orgId, org.version(), Org.READ_ONLY)) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "org changed while it was being frozen: retry");
            }
            frozen = true;
        }
        try {
            return copy(org, pools.get(org.poolId()), req, runId);
        } finally {
            if (frozen) {
                thaw(orgId, org.status());
            }
        }
    }

    /** Puts a frozen org back to the status it had, unless something else changed it meanwhile. */
    private void thaw(String orgId, OrgStatus previous) {
        for (int i = 0; i < 5; i++) {
            Org now = ctx.catalog().orgs().get(orgId);
            if (!now.status().equals(Org.READ_ONLY) || ctx.catalog().orgs().compareAndSetStatus(orgId, now.version(), previous)) {
                return;
            }
        }
        ctx.catalog().orgs().setStatus(orgId, previous);
    }

    private OrgResult copy(Org org, Pool pool, Request req, String runId) {
        BackupRepository backups = new BackupRepository(ctx.catalog());
        Instant started = req.clock().instant();
        String backupId;
        String location;
        do {
            backupId = BackupIds.newId(Clock.fixed(started, ZoneOffset.UTC), RANDOM);
            location = Backup.where(store) + layout.backupPrefix(org.orgId(), backupId);
        } while (!backups.start(backupId, org.orgId(), location, org.poolId(), org.databaseName(), started, org.schemaHash(), runId));
        BackupWriter.Spec spec = new BackupWriter.Spec(org.orgId(), backupId, org.poolId(), org.databaseName(), org.schemaHash(),
                req.copy().compression());
        try (BackupWriter writer = BackupWriter.start(store, layout, spec, req.clock())) {
            MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
            Retry.Attempts attempts = new Retry.Attempts();
            List<String> names = ctx.retry().call(attempts, () -> db.listCollectionNames().into(new ArrayList<>()));
            names.removeIf(n -> n.startsWith("system."));
            names.sort(null);
            for (String name : names) {
                List<BsonDocument> indexes = ctx.retry().call(attempts,
                        () -> db.getCollection(name).listIndexes(BsonDocument.class).into(new ArrayList<>()));
                copyCollection(db.getCollection(name, RawBsonDocument.class), writer.openCollection(name, indexes), req.cancel());
            }
            BackupWriter.Finished done = writer.finish();
            backups.complete(backupId, done.manifest().finishedAt(), done.manifest().totalDocs(), done.manifest().totalBytes(),
                    done.manifestSha256());
            return new OrgResult(org.orgId(), org.poolId(), backupId, BACKED_UP, done.manifest().totalDocs(), done.manifest().totalBytes(),
                    done.manifest().collections().size(), location, 0, null);
        } catch (IOException | RuntimeException e) {
            String error = e instanceof IOException ? "cannot write to " + store.describe() + ": " + e.getMessage() : Errors.oneLine(e);
            backups.fail(backupId, req.clock().instant(), error + " (no manifest was written)");
            throw new OrgFailure(backupId, e instanceof RuntimeException r ? r
                    : new TenantctlException(TenantctlException.Category.FAILED, error, e));
        }
    }

    /**
     * Streams one collection into its file, then checks that countDocuments agrees with what was written. Ctrl-C
     * ({@code cancel}) stops it within 1,024 documents: a backup that stops loses nothing, it just has no manifest.
     */
    private static void copyCollection(MongoCollection<RawBsonDocument> coll, CollectionWriter out, CancelToken cancel)
            throws IOException {
        String name = coll.getNamespace().getCollectionName();
        Errors.stopIfCancelled(cancel, "after 0 documents of " + name);
        MongoCursor<RawBsonDocument> source = coll.find().batchSize(BATCH).iterator();
        try (out; ReadAhead<RawBsonDocument> cursor = new ReadAhead<>(source, source, name, 256, 8)) {
            while (true) {
                RawBsonDocument doc;
                try {
                    if (!cursor.hasNext()) {
                        break;
                    }
                    doc = cursor.next();
                } catch (RuntimeException e) {
                    throw new TenantctlException(TenantctlException.Category.FAILED, "reading collection " + name + " failed after "
                            + out.docs() + " documents: " + Errors.oneLine(e), e);
                }
                out.write(doc);
                if ((out.docs() & 1023) == 0) {
                    Errors.stopIfCancelled(cancel, "after " + out.docs() + " documents of " + name);
                }
            }
            CollectionEntry entry = out.finish();
            long counted = coll.countDocuments();
            if (counted != entry.docs()) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "collection " + name
                        + " changed while it was copied (" + entry.docs() + " documents streamed, " + counted
                        + " counted after): retry, or pass --freeze for a consistent copy");
            }
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The store's description ending with exactly one '/', to put keys after. */
    static String where(ObjectStore store) {
        String d = store.describe();
        return d.endsWith("/") ? d : d + "/";
    }

    private static String selector(Request req) {
        return !req.selector().orgIds().isEmpty() ? "orgs" : req.selector().all() ? "all" : req.selector().due() ? "due" : "pool";
    }

    private static OrgResult withMillis(OrgResult r, long millis) {
        return new OrgResult(r.orgId(), r.poolId(), r.backupId(), r.outcome(), r.docs(), r.bytes(), r.collections(), r.location(), millis,
                r.error());
    }

    private static List<OrgResult> ordered(List<String> ids, Map<String, OrgResult> results) {
        return ids.stream().map(results::get).toList();
    }

    /** A failed org, carrying the id of the backup it abandoned. */
    static final class OrgFailure extends TenantctlException {
        final String backupId;

        OrgFailure(String backupId, RuntimeException cause) {
            super(Category.FAILED, "backup " + backupId + " abandoned: " + Errors.oneLine(cause), cause);
            this.backupId = backupId;
        }
    }
}
