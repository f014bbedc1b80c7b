package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tenantctl provision}: validate every id, place new orgs fill-then-spill under a lock, then per org create
 * every collection and one createIndexes per collection (retried), fanned out across pools, recorded as a run.
 * Active orgs are a reported no-op; provisioning/failed ones are resumed on the pool they were placed on. Each org is
 * provisioned, unchanged (already active), planned (dry run), failed, or not_started.
 */
public final class Provision {

    public static final String VERB = "provision", DONE = "provisioned";

    /** What to provision (ids, pin, tier, manifest) and how the run is driven. */
    public record Request(List<String> orgIds, String pool, String tier, SchemaManifest manifest, boolean dryRun, RunEngine.Drive drive) {
    }

    /** What a provision run records, so that joiners and resumers provision with the same manifest and tier. */
    record Args(int orgs, String pool, String tier, String schema, String schemaHash) {
    }

    /** The run's report (a run's: no org's line held), each org's line (its detail: its database_name) read a page at a time, and the hash of the manifest the run applies. */
    public record Result(RunReport report, boolean interrupted, String schemaHash, io.tenantctl.ops.run.ReportLines lines) {
    }

    private final OpsContext ctx;
    private final RunEngine engine;

    public Provision(OpsContext ctx) {
        this.ctx = ctx;
        this.engine = new RunEngine(ctx, new LeaseRecovery(ctx));
    }

    public Result run(Request req) {
        if (req.dryRun() && !req.drive().control().existing()) {
            ProvisionSelection s = new ProvisionSelection(ctx, req); // its orgs read, placed and planned a page at a time
            RunEngine.Planned plan = engine.plan(VERB, s.items(), req.drive(), refusal(s::database),
                    o -> o.with(o.error(), Json.args("database_name", s.database(o.orgId()))));
            return new Result(plan.report(), plan.interrupted(), req.manifest().hash(), plan.lines());
        }
        RunEngine.Ran ran = engine.run(VERB, req.drive(), OutcomeNames.of(DONE).withoutLines(), () -> start(req), run -> work(run, req.manifest()));
        // each org's database as its row names it now (a restore or an adopt may have given it another than its id's), a page of rows at a time
        return new Result(ran.report(), ran.interrupted(), args(ctx.catalog().runs().get(ran.report().runId())).schemaHash(),
                io.tenantctl.ops.run.ReportLines.readPages(ctx.catalog(), ran.report(), OutcomeNames.of(DONE), page -> {
                    Map<String, Org> rows = ctx.catalog().orgs().findAll(page.stream().map(RunReport.Org::orgId).toList());
                    return page.stream().map(o -> o.with(ran.report().why(o, ran.interrupted()), Json.args("database_name", rows.containsKey(o.orgId())
                            ? rows.get(o.orgId()).databaseName() : OrgId.databaseName(o.orgId())))).toList();
                }));
    }

    /**
     * A dry run's look at each planned org (org id, pool id), reading only: failed where the real run would refuse it,
     * its database (the one {@code databaseOf} names: its row's, if it has one) existing and holding documents (provision never
     * takes one over). Only an existing database is looked into: the pool's list of them is read once, when its first
     * org is looked at.
     */
    private java.util.function.BiFunction<String, String, Job.Done> refusal(java.util.function.UnaryOperator<String> databaseOf) {
        Map<String, Pool> pools = ctx.catalog().pools().byId();
        Map<String, Set<String>> existing = new java.util.concurrent.ConcurrentHashMap<>(); // computed at most once per pool
        return (orgId, poolId) -> {
            Pool pool = pools.get(poolId);
            Retry.Attempts attempts = new Retry.Attempts();
            String database = databaseOf.apply(orgId);
            try {
                if (existing.computeIfAbsent(poolId, p -> ctx.databaseNames(pool)).contains(database)) {
                    MongoDatabase db = ctx.pools().database(poolId, pool.uri(), database);
                    SchemaApply.refuseIfHoldsData(db, SchemaApply.collections(db, ctx.retry(), attempts), ctx.retry(), attempts,
                            holding -> OrgNext.holdsData(orgId, db.getName(), poolId, holding));
                }
                return new Job.Done(ItemStatus.SUCCEEDED, attempts.attempts(), null, null);
            } catch (RuntimeException e) {
                throw new Job.Failure(Errors.oneLine(e), attempts.attempts(), null, e);
            }
        };
    }

    /** Records the run, its new orgs placed as its items are recorded (a page at a time). */
    private String start(Request req) {
        ProvisionSelection s = new ProvisionSelection(ctx, req);
        ctx.catalog().manifests().save(req.manifest().hash(), req.manifest().source(), req.manifest().canonicalJson());
        return engine.start(VERB, Json.write(new Args(s.size(), req.pool(), req.tier(), req.manifest().source(), req.manifest().hash())),
                s.items(), 0, null);
    }

    /** The work on a provision run, with the run's own manifest ({@code given}, as written, when it is that one). */
    private RunEngine.Work work(RunRepository.Run run, SchemaManifest given) {
        Args args = args(run);
        String hash = args.schemaHash();
        SchemaManifest manifest = given != null && given.hash().equals(hash) ? given : ctx.catalog().manifests().body(hash)
                .map(b -> SchemaManifest.parse(b, "catalog manifest " + hash)).orElseThrow(() -> TenantctlException.config("manifest " + hash + " of run " + run.runId() + " is missing from the catalog"));
        // read by every worker thread, added to by placeNow
        Map<String, Pool> pools = new java.util.concurrent.ConcurrentHashMap<>(ctx.catalog().pools().byId());
        // the pools placeNow passes over, as the run's start did: pinged once (the run's one key), when the first org with no row is placed
        Map<String, Map<String, String>> passedOver = new java.util.concurrent.ConcurrentHashMap<>();
        return new RunEngine.Work(Job.of("provision", (orgId, poolId) -> {
            if (ctx.catalog().orgs().find(orgId).isEmpty()) {
                // it found no room when the run began: a resume places it now, past the pools that do not answer
                placeNow(run.runId(), orgId, args, pools, passedOver.computeIfAbsent(run.runId(), r -> ProvisionSelection.unreachable(ctx, args.pool())));
            }
            return provisionOne(orgId, manifest, pools);
        }, (orgId, why) -> ctx.catalog().orgs().find(orgId).ifPresent(o -> Runs.unfinishedProvisionFailed(ctx.catalog(), o))), Budget.NONE);
    }

    /** Places an org of the run that has no row (no room when the run began), as the run's own --pool and --tier say, past {@code unreachable}. */
    private void placeNow(String runId, String orgId, Args args, Map<String, Pool> pools, Map<String, String> unreachable) {
        OrgRepository.Placed p = ctx.catalog().orgs().place(List.of(orgId), args.pool(), args.tier(), unreachable).get(0);
        if (!p.ok()) {
            throw new Job.Failure(p.error(), 0, null, null);
        }
        ctx.catalog().runs().setItemPool(runId, orgId, p.poolId());
        ctx.catalog().pools().list().forEach(x -> pools.putIfAbsent(x.poolId(), x)); // a pool added since the run began
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
            // provision never takes a database over: one that holds documents was made by the app or by scripts
            SchemaApply.refuseIfHoldsData(db, existing, ctx.retry(), attempts,
                    holding -> OrgNext.holdsData(orgId, db.getName(), pool.poolId(), holding));
            if (existing.isEmpty()) {
                SchemaApply.applyAll(db, manifest, existing, ctx.retry(), attempts);
            } else {
                // half-made by an earlier attempt, maybe with an older manifest: finished as migrate-all would, by a diff
                // (a name on another key rebuilt, a superseded index dropped), not by sending every index blindly; it holds
                // no documents, so rebuilding loses nothing and nothing can expire
                SchemaApply.migrate(db, manifest, manifest.collections().stream().map(io.tenantctl.schema.CollectionSpec::name).toList(),
                        true, false, true, false, ctx.retry(), attempts);
            }
            if (!ctx.catalog().orgs().markActive(org.orgId(), manifest.hash(), pool.uri())) {
                throw notRecorded(org, pool);
            }
            return new Job.Done(ItemStatus.SUCCEEDED, attempts.attempts(), null, null);
        } catch (RuntimeException e) {
            // only the row as this provision found it: one changed meanwhile (adopted, forgotten, moved) is left; Ctrl-C failed nothing
            ctx.catalog().orgs().compareAndSetStatus(org.orgId(), org.version(), Retry.cutShort(e) ? org.status() : Org.FAILED);
            throw new Job.Failure(Errors.oneLine(e), Math.max(1, attempts.attempts()), null, e);
        }
    }

    /**
     * Why {@code markActive} updated nothing: the org's row is gone (removed under the provision, so the database it
     * built belongs to no org) or now names another pool, and only otherwise a 'pools set-uri' — each told as what it is,
     * so that nobody looks for a URI change that never happened.
     */
    private TenantctlException notRecorded(Org org, Pool pool) {
        java.util.Optional<Org> now = ctx.catalog().orgs().find(org.orgId());
        if (now.isEmpty()) {
            return new TenantctlException(TenantctlException.Category.FAILED, "org " + org.orgId() + "'s catalog row was removed while it "
                    + "was being provisioned: database " + org.databaseName() + " on pool " + pool.poolId() + " was built and belongs to "
                    + "no org; run 'tenantctl provision " + org.orgId() + "' again, or register it with 'tenantctl orgs adopt "
                    + org.orgId() + " --pool " + pool.poolId() + "'");
        }
        if (!now.get().poolId().equals(pool.poolId()) || !now.get().databaseName().equals(org.databaseName())) {
            return new TenantctlException(TenantctlException.Category.FAILED, "org " + org.orgId() + " changed while it was being "
                    + "provisioned (now " + now.get().status() + ", database " + now.get().databaseName() + " on pool " + now.get().poolId()
                    + "): nothing recorded; see 'tenantctl orgs show " + org.orgId() + "'");
        }
        return uriChanged(pool.poolId(), "provisioned");
    }

    /** The org's work went to the server its pool named before a 'pools set-uri': nothing recorded, to be done again. */
    static TenantctlException uriChanged(String poolId, String done) {
        return new TenantctlException(TenantctlException.Category.FAILED, "pool " + poolId + "'s URI was changed ('pools set-uri') while "
                + "the org was " + done + " through the one it had: nothing recorded; run again, it goes to the server " + poolId
                + " names now");
    }

    private static Args args(RunRepository.Run run) {
        return Json.read(run.runId(), run.args(), Args.class);
    }
}
