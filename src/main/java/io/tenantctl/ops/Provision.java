package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
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
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code tenantctl provision}: validate every id, place new orgs fill-then-spill under a lock, then per org create
 * every collection and one createIndexes per collection (retried), fanned out across pools, recorded as a run.
 * Active orgs are a reported no-op; provisioning/failed ones are resumed on the pool they were placed on.
 */
public final class Provision {

    private static final Pattern TIER = Pattern.compile("^[a-z][a-z0-9_-]{0,31}$");

    public record Request(List<String> orgIds, String pool, String tier, SchemaManifest manifest, boolean dryRun,
                          Fanout.Settings fanout, CancelToken cancel, Progress progress) {
    }

    /** provisioned, unchanged (already active), planned (dry run), failed, or not_started (interrupted). */
    public record OrgResult(String orgId, String poolId, String databaseName, String outcome, int attempts, long millis,
                            String error) {
    }

    public record Result(String runId, boolean dryRun, String schemaHash, List<OrgResult> orgs, Timings timings,
                         boolean interrupted) {
        public List<OrgResult> failed() {
            return orgs.stream().filter(o -> o.outcome().equals(FAILED)).toList();
        }

        public long count(String outcome) {
            return orgs.stream().filter(o -> o.outcome().equals(outcome)).count();
        }

        /** The slowest orgs worked on, slowest first. */
        public List<OrgResult> slowest(int n) {
            return orgs.stream().filter(o -> o.outcome().equals(PROVISIONED) || o.outcome().equals(FAILED))
                    .sorted(Comparator.comparingLong(OrgResult::millis).reversed()).limit(n).toList();
        }
    }

    public static final String PROVISIONED = "provisioned";
    public static final String UNCHANGED = "unchanged";
    public static final String PLANNED = "planned";
    public static final String FAILED = "failed";
    public static final String NOT_STARTED = "not_started";

    private final OpsContext ctx;

    public Provision(OpsContext ctx) {
        this.ctx = ctx;
    }

    public Result run(Request req) {
        List<String> ids = validate(req);
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
            return new Result(null, true, req.manifest().hash(), ordered(ids, results), Timings.of(List.of()), false);
        }

        ctx.catalog().manifests().save(req.manifest().hash(), req.manifest().source(), req.manifest().canonicalJson());
        String runId = ctx.catalog().runs().start("provision", Json.args("orgs", ids.size(), "pool", req.pool(), "tier", req.tier(),
                "schema", req.manifest().source(), "schema_hash", req.manifest().hash()), ctx.actor(), ids);
        RunRepository runs = ctx.catalog().runs();
        try {
            return execute(req, runId, ids, results, fresh, resume);
        } catch (RuntimeException e) {
            runs.finish(runId, "failed"); // never leave a run marked running
            throw e instanceof TenantctlException te ? te.withRunId(runId) : e;
        }
    }

    private Result execute(Request req, String runId, List<String> ids, Map<String, OrgResult> results, List<String> fresh,
                           List<Org> resume) {
        RunRepository runs = ctx.catalog().runs();
        results.values().forEach(r -> runs.itemFinished(runId, r.orgId(), r.outcome().equals(UNCHANGED) ? "unchanged" : "failed",
                0, 0, r.error()));

        Map<String, Org> work = new LinkedHashMap<>();
        resume.forEach(o -> work.put(o.orgId(), o));
        for (OrgRepository.Placed p : ctx.catalog().orgs().place(fresh, req.pool(), req.tier())) {
            if (p.ok()) {
                work.put(p.orgId(), new Org(p.orgId(), p.poolId(), OrgId.databaseName(p.orgId()), Org.PROVISIONING, req.tier(),
                        null, 1, null, null));
            } else {
                results.put(p.orgId(), new OrgResult(p.orgId(), null, OrgId.databaseName(p.orgId()), FAILED, 0, 0, p.error()));
                runs.itemFinished(runId, p.orgId(), "failed", 0, 0, p.error());
            }
        }

        Map<String, Pool> pools = new LinkedHashMap<>();
        ctx.catalog().pools().list().forEach(p -> pools.put(p.poolId(), p));
        Map<String, String> deadPools = PoolHealth.unreachable(ctx, work.values().stream().map(Org::poolId).distinct()
                .map(pools::get).toList());

        List<Fanout.Item> items = work.values().stream().map(o -> new Fanout.Item(o.orgId(), o.poolId())).toList();
        req.progress().begin("provision", items.size());
        Map<String, Retry.Attempts> attemptsByOrg = new java.util.concurrent.ConcurrentHashMap<>();
        Fanout.Result<Void> fan = Fanout.run(items, req.fanout(), item -> {
            Org org = work.get(item.id());
            runs.itemStarted(runId, org.orgId());
            Retry.Attempts attempts = attemptsByOrg.computeIfAbsent(org.orgId(), k -> new Retry.Attempts());
            String dead = deadPools.get(org.poolId());
            if (dead != null) {
                throw new TenantctlException(TenantctlException.Category.FAILED, dead);
            }
            Pool pool = pools.get(org.poolId());
            MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
            Set<String> existing = SchemaApply.collections(db, ctx.retry(), attempts);
            refuseIfHoldsData(db, existing, org.orgId(), pool.poolId(), attempts);
            SchemaApply.applyAll(db, req.manifest(), existing, ctx.retry(), attempts);
            ctx.catalog().orgs().markActive(org.orgId(), req.manifest().hash());
            return null;
        }, new Fanout.Listener<>() {
            @Override
            public void finished(Fanout.Outcome<Void> o) {
                Org org = work.get(o.item().id());
                int attempts = attemptsByOrg.getOrDefault(org.orgId(), new Retry.Attempts()).attempts();
                String error = o.ok() ? null : Errors.oneLine(o.error());
                if (!o.ok()) {
                    ctx.catalog().orgs().setStatus(org.orgId(), Org.FAILED);
                }
                runs.itemFinished(runId, org.orgId(), o.ok() ? "succeeded" : "failed", attempts, o.millis(), error);
                synchronized (results) {
                    results.put(org.orgId(), new OrgResult(org.orgId(), org.poolId(), org.databaseName(),
                            o.ok() ? PROVISIONED : FAILED, attempts, o.millis(), error));
                }
                req.progress().advance(org.orgId(), o.ok());
            }
        }, req.cancel());
        req.progress().end();
        for (Fanout.Item item : fan.notStarted()) {
            Org org = work.get(item.id());
            results.put(org.orgId(), new OrgResult(org.orgId(), org.poolId(), org.databaseName(), NOT_STARTED, 0, 0,
                    "not started: run interrupted"));
        }
        List<OrgResult> all = ordered(ids, results);
        boolean anyFailed = all.stream().anyMatch(r -> r.outcome().equals(FAILED));
        runs.finish(runId, fan.cancelled() ? "interrupted" : anyFailed ? "failed" : "succeeded");
        Timings timings = Timings.of(fan.outcomes().stream().map(Fanout.Outcome::millis).toList());
        return new Result(runId, false, req.manifest().hash(), all, timings, fan.cancelled());
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
