package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgRepository;
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
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;
import io.tenantctl.fanout.Timings;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code tenantctl provision}: validate every id, place new orgs fill-then-spill under a lock, then per org create
 * every collection and one createIndexes per collection (retried), fanned out across pools, recorded as a run.
 * Active orgs are a reported no-op; provisioning/failed ones are resumed on the pool they were placed on.
 */
public final class Provision {

    private static final Pattern TIER = Pattern.compile("^[a-z][a-z0-9_-]{0,31}$");

    /** What to provision (ids, pin, tier, manifest) and how the run is driven: engine limits, or join/resume/detach. */
    public record Request(List<String> orgIds, String pool, String tier, SchemaManifest manifest, boolean dryRun,
                          RunEngine.Settings settings, RunControl control, CancelToken cancel, Progress progress) {
    }

    public static final String VERB = "provision";

    /** What a provision run records, so that joiners and resumers provision with the same manifest and tier. */
    record Args(int orgs, String pool, String tier, String schema, String schemaHash) {
    }

    /** provisioned, unchanged (already active), planned (dry run), failed, or not_started (interrupted). */
    public record OrgResult(String orgId, String poolId, String databaseName, Outcome outcome, int attempts, long millis,
                            String error) {
    }

    public record Result(String runId, boolean dryRun, String schemaHash, List<OrgResult> orgs, Timings timings,
                         boolean interrupted, RunReport report) {
        public List<OrgResult> failed() {
            return orgs.stream().filter(o -> o.outcome().equals(FAILED)).toList();
        }

        public long count(Outcome outcome) {
            return orgs.stream().filter(o -> o.outcome().equals(outcome)).count();
        }

        /** The slowest orgs worked on, slowest first. */
        public List<OrgResult> slowest(int n) {
            return orgs.stream().filter(o -> o.outcome().equals(PROVISIONED) || o.outcome().equals(FAILED))
                    .sorted(Comparator.comparingLong(OrgResult::millis).reversed()).limit(n).toList();
        }
    }

    /** How provisioning one org ended (its -o json spelling is the lower-case name). */
    public enum Outcome implements OutcomeWord {
        PROVISIONED, UNCHANGED, PLANNED, FAILED, NOT_STARTED;

        /** The outcome a run report spells {@code word}; anything not finished is not started. */
        static Outcome of(String word) {
            return OutcomeWord.of(Outcome.class, word, NOT_STARTED);
        }
    }

    public static final Outcome PROVISIONED = Outcome.PROVISIONED;
    public static final Outcome UNCHANGED = Outcome.UNCHANGED;
    public static final Outcome PLANNED = Outcome.PLANNED;
    public static final Outcome FAILED = Outcome.FAILED;
    public static final Outcome NOT_STARTED = Outcome.NOT_STARTED;

    private final OpsContext ctx;

    public Provision(OpsContext ctx) {
        this.ctx = ctx;
    }

    public Result run(Request req) {
        if (req.control().joinRunId() != null || req.control().resumeRunId() != null) {
            return continueRun(req);
        }
        List<String> ids = validate(req);
        if (req.pool() != null) {
            ctx.catalog().pools().get(req.pool()); // an unknown --pool records no run
        }
        if (!req.dryRun()) {
            LeaseRecovery.sweep(ctx); // what a dead operation left on an org is put right before orgs are looked at
        }
        Map<String, Org> existing = ctx.catalog().orgs().findAll(ids);
        Map<String, OrgResult> results = new LinkedHashMap<>();
        List<String> fresh = new ArrayList<>();
        List<Org> resume = new ArrayList<>();
        for (String id : ids) {
            Org org = existing.get(id);
            if (org == null) {
                fresh.add(id);
            } else if (org.status().equals(Org.ACTIVE)) {
                results.put(id, new OrgResult(id, org.poolId(), org.databaseName(), UNCHANGED, 0, 0, null));
            } else if (org.status().equals(Org.PROVISIONING) || org.status().equals(Org.FAILED)) {
                resume.add(org);
            } else {
                results.put(id, new OrgResult(id, org.poolId(), org.databaseName(), FAILED, 0, 0,
                        "org is " + org.status() + ": provision only creates new orgs or resumes provisioning/failed ones"));
            }
        }
        if (req.dryRun()) {
            for (OrgRepository.Placed p : ctx.catalog().orgs().planPlacement(fresh, req.pool())) {
                results.put(p.orgId(), new OrgResult(p.orgId(), p.poolId(), OrgId.databaseName(p.orgId()),
                        p.ok() ? PLANNED : FAILED, 0, 0, p.error()));
            }
            resume.forEach(o -> results.put(o.orgId(), new OrgResult(o.orgId(), o.poolId(), o.databaseName(), PLANNED, 0, 0, null)));
            return new Result(null, true, req.manifest().hash(), ordered(ids, results), Timings.of(List.of()), false, null);
        }

        ctx.catalog().manifests().save(req.manifest().hash(), req.manifest().source(), req.manifest().canonicalJson());
        List<RunRepository.NewItem> items = new ArrayList<>();
        List<String[]> work = new ArrayList<>(); // org id, pool id
        resume.forEach(o -> work.add(new String[]{o.orgId(), o.poolId()}));
        for (OrgRepository.Placed p : ctx.catalog().orgs().place(fresh, req.pool(), req.tier())) {
            if (p.ok()) {
                work.add(new String[]{p.orgId(), p.poolId()});
            } else {
                results.put(p.orgId(), new OrgResult(p.orgId(), null, OrgId.databaseName(p.orgId()), FAILED, 0, 0, p.error()));
            }
        }
        for (String[] w : RunEngine.interleave(work, w -> w[1])) {
            items.add(new RunRepository.NewItem(w[0], w[1], items.size(), ItemStatus.PENDING.db(), null));
        }
        for (OrgResult r : results.values()) {
            items.add(new RunRepository.NewItem(r.orgId(), r.poolId(), items.size(),
                    (r.outcome().equals(UNCHANGED) ? ItemStatus.UNCHANGED : ItemStatus.FAILED).db(), r.error()));
        }
        String runId = engine().start(VERB, Json.write(new Args(ids.size(), req.pool(), req.tier(), req.manifest().source(),
                req.manifest().hash())), items, null);
        if (req.control().detach()) {
            return result(runId, req.manifest().hash(), false);
        }
        return work(runId, req.manifest(), req);
    }

    /** Works on an existing provision run (--join, or --resume after reopening it) with the run's own manifest. */
    private Result continueRun(Request req) {
        RunEngine engine = engine();
        String runId = req.control().joinRunId() != null ? req.control().joinRunId() : req.control().resumeRunId();
        Optional<RunRepository.Run> run = engine.existing(req.control(), VERB);
        String hash = Json.read(runId, ctx.catalog().runs().get(runId).args(), Args.class).schemaHash();
        if (run.isEmpty()) {
            return result(runId, hash, false);
        }
        SchemaManifest manifest = ctx.catalog().manifests().body(hash).map(b -> SchemaManifest.parse(b, "catalog manifest " + hash))
                .orElseThrow(() -> TenantctlException.config("manifest " + hash + " of run " + runId + " is missing from the catalog"));
        return work(runId, manifest, req);
    }

    private Result work(String runId, SchemaManifest manifest, Request req) {
        Map<String, Pool> pools = new LinkedHashMap<>();
        ctx.catalog().pools().list().forEach(p -> pools.put(p.poolId(), p));
        Job job = new Job() {
            @Override
            public String leaseOperation() {
                return "provision";
            }

            @Override
            public Done work(String orgId, String poolId) {
                return provisionOne(orgId, manifest, pools);
            }

            @Override
            public void failedBeforeWork(String orgId, String error) {
                Org org = ctx.catalog().orgs().get(orgId);
                if (org.status().equals(Org.PROVISIONING)) {
                    ctx.catalog().orgs().setStatus(orgId, Org.FAILED);
                }
            }
        };
        RunEngine.WorkerReport w = engine().drive(runId, VERB, job, req.settings(), Budget.NONE, req.cancel(), req.progress());
        return result(runId, manifest.hash(), w.interrupted());
    }

    /** One org: every collection, one createIndexes per collection, then active with the manifest's hash. */
    private Job.Done provisionOne(String orgId, SchemaManifest manifest, Map<String, Pool> pools) {
        Org org = ctx.catalog().orgs().get(orgId);
        if (org.status().equals(Org.ACTIVE)) {
            return new Job.Done(ItemStatus.UNCHANGED, 0, null, null); // another provision finished it meanwhile
        }
        if (!org.status().equals(Org.PROVISIONING) && !org.status().equals(Org.FAILED)) {
            throw new Job.Failure("org is " + org.status() + ": provision only creates new orgs or resumes provisioning/failed ones", 0,
                    null, null);
        }
        Retry.Attempts attempts = new Retry.Attempts();
        try {
            Pool pool = pools.get(org.poolId());
            MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
            Set<String> existing = SchemaApply.collections(db, ctx.retry(), attempts);
            refuseIfHoldsData(db, existing, org.orgId(), pool.poolId(), attempts);
            SchemaApply.applyAll(db, manifest, existing, ctx.retry(), attempts);
            ctx.catalog().orgs().markActive(org.orgId(), manifest.hash());
            return new Job.Done(ItemStatus.SUCCEEDED, attempts.attempts(), null, null);
        } catch (RuntimeException e) {
            ctx.catalog().orgs().setStatus(org.orgId(), Org.FAILED);
            throw new Job.Failure(Errors.oneLine(e), Math.max(1, attempts.attempts()), null, e);
        }
    }

    private Result result(String runId, String schemaHash, boolean interrupted) {
        RunReport report = engine().report(runId, PROVISIONED::json);
        List<OrgResult> orgs = report.orgs().stream().map(o -> new OrgResult(o.orgId(), o.poolId(), OrgId.databaseName(o.orgId()),
                Outcome.of(o.outcome()), o.attempts(), o.ms(),
                o.outcome().equals("not_done") ? "not started: run interrupted" : o.error())).toList();
        return new Result(runId, false, schemaHash, orgs, report.timings(), interrupted, report);
    }

    private RunEngine engine() {
        return new RunEngine(ctx, new LeaseRecovery(ctx));
    }

    /**
     * Provision creates databases; it never takes one over. A database that already holds documents was made by the
     * app or by scripts (or belongs to someone else): the org fails, pointing at {@code orgs adopt}.
     */
    private void refuseIfHoldsData(MongoDatabase db, Set<String> existing, String orgId, String poolId, Retry.Attempts attempts) {
        if (existing.isEmpty()) {
            return;
        }
        String holding = SchemaApply.firstNonEmpty(db, existing, ctx.retry(), attempts);
        if (holding != null) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "database " + db.getName() + " on pool " + poolId
                    + " already exists and holds data (collection '" + holding + "' has documents): provision never takes a database over;"
                    + " register it with 'tenantctl orgs adopt " + orgId + " --pool " + poolId + "', or choose another id"
                    + " ('tenantctl orgs forget " + orgId + "' first)");
        }
    }

    /** What to run to get a failed org moving again. */
    public static String nextStep(String orgId, String poolId, String error) {
        if (error == null) {
            return null;
        }
        if (error.contains("orgs adopt")) {
            return "tenantctl orgs adopt " + orgId + " --pool " + poolId + "   (or: tenantctl orgs forget " + orgId + ")";
        }
        if (error.startsWith("no capacity")) {
            return "tenantctl pools add … / pools enable …, then: tenantctl provision " + orgId;
        }
        if (error.startsWith("org is ")) {
            return "tenantctl orgs show " + orgId;
        }
        return "tenantctl provision " + orgId + "   (resumes it; or: tenantctl orgs forget " + orgId + ")";
    }

    private static List<String> validate(Request req) {
        if (req.orgIds().isEmpty()) {
            throw TenantctlException.usage("no orgs given: name them (provision acme globex) or pass --file FILE");
        }
        List<String> problems = OrgId.problems(req.orgIds());
        if (!problems.isEmpty()) {
            throw TenantctlException.usage(problems.size() + " invalid org id" + (problems.size() == 1 ? "" : "s")
                    + ", nothing written: " + String.join("; ", problems));
        }
        Map<String, String> byDatabase = new LinkedHashMap<>();
        List<String> clashes = new ArrayList<>();
        for (String id : new LinkedHashSet<>(req.orgIds())) {
            String other = byDatabase.putIfAbsent(OrgId.databaseName(id), id);
            if (other != null) {
                clashes.add("org ids '" + other + "' and '" + id + "' both map to database " + OrgId.databaseName(id));
            }
        }
        if (!clashes.isEmpty()) {
            throw TenantctlException.usage(String.join("; ", clashes) + " ('-' and '_' are the same in database names), nothing written");
        }
        if (req.tier() == null || !TIER.matcher(req.tier()).matches()) {
            throw TenantctlException.usage("tier '" + req.tier() + "' must match ^[a-z][a-z0-9_-]{0,31}$");
        }
        return new ArrayList<>(new LinkedHashSet<>(req.orgIds()));
    }

    private static List<OrgResult> ordered(List<String> ids, Map<String, OrgResult> results) {
        return ids.stream().map(results::get).toList();
    }
}
