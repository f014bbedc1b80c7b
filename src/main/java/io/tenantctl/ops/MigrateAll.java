package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;
import io.tenantctl.fanout.Timings;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaManifest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code tenantctl migrate-all}: roll a manifest out to every selected org. Only orgs whose recorded schema hash
 * differs are touched (all of them with --force), and for an org whose recorded manifest is in the catalog only the
 * collections that changed are inspected. Work is recorded as run items that any number of workers claim with
 * FOR UPDATE SKIP LOCKED under a lease, which is what makes --resume and --join possible. One migrate-all at a
 * time (advisory lock); a canary and a failure budget stop a bad rollout early.
 */
public final class MigrateAll {

    static final long LOCK_KEY = 0x7465_6e61_6e74_0002L;
    static final int LEASE_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per-org plans are shown in -o json, whose keys are snake_case. */
    private static final ObjectMapper PLAN_JSON = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    private static final Set<String> FROZEN = Set.of(Org.READ_ONLY, Org.MOVING, Org.RESTORING);

    public static final String MIGRATED = "migrated";
    public static final String UNCHANGED = "unchanged";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";
    public static final String PLANNED = "planned";
    public static final String PENDING = "pending";

    public record Request(SchemaManifest manifest, List<String> pools, List<String> orgs, String tier, Fanout.Settings fanout,
                          int canary, String maxFailures, boolean replaceConflicting, boolean prune, boolean force, boolean includeFailed,
                          boolean dryRun,
                          String resumeRunId, String joinRunId, boolean waitForLock, boolean detach, CancelToken cancel,
                          Progress progress) {
    }

    /** One org's outcome; {@code plan} says what was (or, in a dry run, would be) created, replaced or pruned. */
    public record OrgResult(String orgId, String poolId, String outcome, int attempts, long millis, String error, JsonNode plan) {
    }

    public record Result(String runId, boolean dryRun, String schemaHash, int selected, int migrated, int unchanged, int skipped,
                         List<OrgResult> orgs, Timings timings, boolean interrupted, String aborted) {
        public List<OrgResult> failed() {
            return orgs.stream().filter(o -> o.outcome().equals(FAILED)).toList();
        }

        public List<OrgResult> skippedOrgs() {
            return orgs.stream().filter(o -> o.outcome().equals(SKIPPED)).toList();
        }

        public List<OrgResult> slowest(int n) {
            return orgs.stream().filter(o -> o.millis() > 0).sorted((a, b) -> Long.compare(b.millis(), a.millis())).limit(n).toList();
        }
    }

    /** The flags a run was started with; stored on the run so resumers and joiners behave the same. */
    record Flags(boolean replaceConflicting, boolean prune, boolean force, String maxFailures, int canary) {
    }

    private final OpsContext ctx;
    private final Map<String, SchemaManifest> manifestsByHash = new ConcurrentHashMap<>();

    public MigrateAll(OpsContext ctx) {
        this.ctx = ctx;
    }

    public Result run(Request req) {
        if (req.joinRunId() != null) {
            return join(req);
        }
        if (req.resumeRunId() != null) {
            return resume(req);
        }
        SchemaManifest manifest = req.manifest();
        if (req.detach() && req.canary() > 0) {
            throw TenantctlException.usage("--canary needs the process that starts the run to watch the canary: "
                    + "run without --detach, or detach without --canary and use --max-failures");
        }
        Selection sel = select(req, manifest);
        Budget budget = Budget.parse(req.maxFailures(), sel.selected().size()); // validated before anything is written
        if (req.dryRun()) {
            return dryRun(req, manifest, sel);
        }
        try (AutoCloseable lock = lock(req.waitForLock())) {
            refuseUnfinished();
            if (req.waitForLock()) {
                // we may have waited for another rollout: select again from the fleet as it is now
                sel = select(req, manifest);
                budget = Budget.parse(req.maxFailures(), sel.selected().size());
            }
            ctx.catalog().manifests().save(manifest.hash(), manifest.source(), manifest.canonicalJson());
            Flags flags = new Flags(req.replaceConflicting(), req.prune(), req.force(), req.maxFailures(), req.canary());
            List<RunRepository.NewItem> items = new ArrayList<>();
            List<Org> ordered = interleave(sel.selected());
            for (Org o : ordered) {
                boolean held = req.canary() > 0 && items.size() >= req.canary();
                items.add(new RunRepository.NewItem(o.orgId(), o.poolId(), items.size(), held ? "held" : PENDING, null));
            }
            for (Map.Entry<Org, String> s : sel.skipped().entrySet()) {
                items.add(new RunRepository.NewItem(s.getKey().orgId(), s.getKey().poolId(), items.size(), SKIPPED, s.getValue()));
            }
            String runId = ctx.catalog().runs().start("migrate-all", Json.args("schema", manifest.source(), "schema_hash", manifest.hash(),
                            "pools", req.pools().isEmpty() ? null : req.pools(), "orgs", req.orgs().isEmpty() ? null : req.orgs(),
                            "tier", req.tier(), "flags", flags), ctx.actor(), items,
                    Json.args("unchanged_unselected", sel.unchanged(), "selected", sel.selected().size()));
            if (req.detach()) {
                if (req.canary() > 0) {
                    ctx.catalog().runs().releaseHeld(runId);
                }
                return result(runId, manifest, false, null);
            }
            req.progress().begin("migrate-all", sel.selected().size());
            boolean interrupted;
            String aborted = null;
            if (req.canary() > 0 && sel.selected().size() > req.canary()) {
                interrupted = work(runId, manifest, flags, req, budget);
                Map<String, Integer> counts = ctx.catalog().runs().counts(runId);
                if (!interrupted && counts.getOrDefault(FAILED, 0) > 0) {
                    aborted = "canary failed: " + counts.get(FAILED) + " of the first " + req.canary() + " orgs failed; the rest were not touched";
                    ctx.catalog().runs().abort(runId);
                } else if (!interrupted) {
                    ctx.catalog().runs().releaseHeld(runId);
                }
            } else {
                interrupted = false;
            }
            if (!interrupted && aborted == null) {
                interrupted = work(runId, manifest, flags, req, budget);
            }
            req.progress().end();
            return finish(runId, manifest, interrupted, aborted);
        } catch (TenantctlException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Result resume(Request req) {
        RunRepository.Run run = migrateRun(req.resumeRunId());
        SchemaManifest manifest = runManifest(run, req.manifest());
        Flags flags = flags(run);
        try (AutoCloseable lock = lock(req.waitForLock())) {
            ctx.catalog().runs().reopen(run.runId());
            Map<String, Integer> counts = ctx.catalog().runs().counts(run.runId());
            req.progress().begin("migrate-all", counts.getOrDefault(PENDING, 0));
            boolean interrupted = work(run.runId(), manifest, flags, req, Budget.parse(flags.maxFailures(), selected(run)));
            req.progress().end();
            return finish(run.runId(), manifest, interrupted, null);
        } catch (TenantctlException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Result join(Request req) {
        RunRepository.Run run = migrateRun(req.joinRunId());
        SchemaManifest manifest = runManifest(run, req.manifest());
        if (!run.status().equals("running")) {
            // a restarted worker finds the run already over: report its outcome, do nothing
            return result(run.runId(), manifest, false, run.status().equals("aborted") ? "run " + run.runId() + " was aborted" : null);
        }
        Flags flags = flags(run);
        req.progress().begin("migrate-all", 0);
        boolean interrupted = work(run.runId(), manifest, flags, req, Budget.parse(flags.maxFailures(), selected(run)));
        req.progress().end();
        Map<String, Integer> counts = ctx.catalog().runs().counts(run.runId());
        if (!interrupted && counts.getOrDefault(PENDING, 0) + counts.getOrDefault("running", 0) + counts.getOrDefault("held", 0) == 0) {
            return finish(run.runId(), manifest, false, null);
        }
        return result(run.runId(), manifest, interrupted, null);
    }

    // ---- selection ----

    private record Selection(List<Org> selected, Map<Org, String> skipped, int unchanged) {
    }

    private Selection select(Request req, SchemaManifest manifest) {
        Set<String> pools = Set.copyOf(req.pools());
        for (String p : pools) {
            ctx.catalog().pools().get(p);
        }
        Map<String, Org> named = new HashMap<>();
        if (!req.orgs().isEmpty()) {
            Map<String, Org> found = ctx.catalog().orgs().findAll(req.orgs());
            List<String> unknown = req.orgs().stream().filter(id -> !found.containsKey(id)).toList();
            if (!unknown.isEmpty()) {
                throw TenantctlException.usage("unknown org" + (unknown.size() == 1 ? "" : "s") + ": " + String.join(", ", unknown));
            }
            named.putAll(found);
        }
        Collection<Org> candidates = named.isEmpty() ? ctx.catalog().orgs().list(null, null) : named.values();
        List<Org> selected = new ArrayList<>();
        Map<Org, String> skipped = new LinkedHashMap<>();
        int unchanged = 0;
        for (Org o : candidates) {
            if ((!pools.isEmpty() && !pools.contains(o.poolId())) || (req.tier() != null && !req.tier().equals(o.tier()))) {
                continue;
            }
            if (o.status().equals(Org.FAILED) && (req.includeFailed() || named.containsKey(o.orgId()))) {
                selected.add(o); // a provision that failed: applying the manifest finishes it
            } else if (o.status().equals(Org.ACTIVE)) {
                if (req.force() || !manifest.hash().equals(o.schemaHash())) {
                    selected.add(o);
                } else {
                    unchanged++;
                }
            } else if (FROZEN.contains(o.status()) || named.containsKey(o.orgId())) {
                skipped.put(o, "org is " + o.status() + (FROZEN.contains(o.status()) ? ": migrate it once it is active again" : ""));
            }
        }
        return new Selection(selected, skipped, unchanged);
    }

    /** Round-robin across pools, so the first N items (the canary, the first claims) spread over every pool. */
    private static List<Org> interleave(List<Org> orgs) {
        Map<String, Deque<Org>> byPool = new LinkedHashMap<>();
        orgs.stream().sorted((a, b) -> a.orgId().compareTo(b.orgId()))
                .forEach(o -> byPool.computeIfAbsent(o.poolId(), k -> new ArrayDeque<>()).add(o));
        List<Org> out = new ArrayList<>();
        while (out.size() < orgs.size()) {
            for (Deque<Org> q : byPool.values()) {
                if (!q.isEmpty()) {
                    out.add(q.poll());
                }
            }
        }
        return out;
    }

    // ---- the worker loop ----

    /** Claims and migrates items until none are left, the run is aborted, or {@code req.cancel()} fires. */
    private boolean work(String runId, SchemaManifest manifest, Flags flags, Request req, Budget budget) {
        String worker = ctx.actor() + "/" + ProcessHandle.current().pid() + "/" + Integer.toHexString(System.identityHashCode(this));
        RunRepository runs = ctx.catalog().runs();
        Map<String, Pool> pools = new HashMap<>();
        ctx.catalog().pools().list().forEach(p -> pools.put(p.poolId(), p));
        Map<String, String> dead = new ConcurrentHashMap<>();
        boolean pinged = false;
        CancelToken stop = req.cancel().child();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(() -> {
            try {
                runs.renew(runId, worker, LEASE_SECONDS);
            } catch (RuntimeException ignored) {
                // the next beat tries again; a lost lease only means another worker may redo an org
            }
        }, LEASE_SECONDS / 4, LEASE_SECONDS / 4, TimeUnit.SECONDS);
        int batch = Math.max(32, req.fanout().concurrency() * 8);
        try {
            while (!stop.isCancelled()) {
                if (!runs.status(runId).equals("running")) {
                    break;
                }
                List<RunRepository.Claimed> claimed = runs.claim(runId, worker, batch, LEASE_SECONDS);
                if (claimed.isEmpty()) {
                    Map<String, Integer> counts = runs.counts(runId);
                    if (counts.getOrDefault("running", 0) == 0) {
                        break; // nothing left to claim and nobody else working: done (or only held canary items remain)
                    }
                    waitABit(req.cancel());
                    continue;
                }
                if (!pinged) { // only a worker that has orgs to migrate needs to know which pools answer
                    dead.putAll(PoolHealth.unreachable(ctx, List.copyOf(pools.values())));
                    pinged = true;
                }
                List<Fanout.Item> items = claimed.stream().map(c -> new Fanout.Item(c.orgId(), c.poolId() == null ? "" : c.poolId())).toList();
                Fanout.Result<OrgResult> fan = Fanout.run(items, req.fanout(), item -> migrateOne(item.id(), manifest, flags, pools, dead, false),
                        new Fanout.Listener<>() {
                            @Override
                            public void finished(Fanout.Outcome<OrgResult> o) {
                                record(runId, o);
                                req.progress().advance(o.item().id(), o.ok());
                                if (!o.ok() && budget.limited() && runs.counts(runId).getOrDefault(FAILED, 0) > budget.allowed()) {
                                    runs.abort(runId);
                                    stop.cancel("max failures exceeded");
                                }
                            }
                        }, stop);
                runs.release(runId, worker, fan.notStarted().stream().map(Fanout.Item::id).toList());
            }
        } finally {
            heartbeat.shutdownNow();
        }
        return req.cancel().isCancelled();
    }

    private static void waitABit(CancelToken cancel) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (!cancel.isCancelled() && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private void record(String runId, Fanout.Outcome<OrgResult> o) {
        RunRepository runs = ctx.catalog().runs();
        if (o.ok()) {
            OrgResult r = o.value();
            runs.itemFinished(runId, r.orgId(), r.outcome().equals(MIGRATED) ? "succeeded" : r.outcome(), r.attempts(), o.millis(),
                    r.error(), r.plan() == null ? null : r.plan().toString());
        } else {
            int attempts = o.error() instanceof OrgFailure f ? f.attempts : 1;
            String plan = o.error() instanceof OrgFailure f && f.plan != null ? f.plan.toString() : null;
            runs.itemFinished(runId, o.item().id(), FAILED, attempts, o.millis(), Errors.oneLine(o.error().getCause() != null
                    && o.error() instanceof OrgFailure ? o.error().getCause() : o.error()), plan);
        }
    }

    /** A failed org, carrying its attempts. */
    private static final class OrgFailure extends RuntimeException {
        final int attempts;
        final JsonNode plan;

        OrgFailure(RuntimeException cause, int attempts, JsonNode plan) {
            super(cause.getMessage(), cause);
            this.attempts = attempts;
            this.plan = plan;
        }
    }

    private OrgResult migrateOne(String orgId, SchemaManifest manifest, Flags flags, Map<String, Pool> pools, Map<String, String> dead,
                                 boolean dryRun) {
        Org org = ctx.catalog().orgs().get(orgId);
        boolean failedOrg = org.status().equals(Org.FAILED);
        if (!org.status().equals(Org.ACTIVE) && !failedOrg) {
            return new OrgResult(orgId, org.poolId(), SKIPPED, 0, 0, "org became " + org.status() + " before it was migrated", null);
        }
        Retry.Attempts attempts = new Retry.Attempts();
        try {
            if (dead.containsKey(org.poolId())) {
                throw new TenantctlException(TenantctlException.Category.FAILED, dead.get(org.poolId()));
            }
            Pool pool = pools.get(org.poolId());
            if (failedOrg) {
                refuseForeignData(org, pool, attempts);
            }
            Optional<SchemaManifest> recorded = flags.force() || failedOrg ? Optional.empty() : recordedManifest(org.schemaHash());
            Collection<String> inspect = recorded.map(manifest::changedSince)
                    .orElseGet(() -> new java.util.LinkedHashSet<>(manifest.collections().stream().map(CollectionSpec::name).toList()));
            SchemaApply.Plan plan = inspect.isEmpty() ? null : SchemaApply.migrate(ctx.pools().database(pool.poolId(), pool.uri(),
                    org.databaseName()), manifest, inspect, flags.replaceConflicting(), flags.prune(), dryRun, ctx.retry(), attempts);
            if (!dryRun && failedOrg) {
                ctx.catalog().orgs().markActive(orgId, manifest.hash());
            } else if (!dryRun) {
                ctx.catalog().orgs().recordSchema(orgId, manifest.hash());
            }
            boolean changes = plan != null && (plan.changes() || !plan.conflicts().isEmpty());
            return new OrgResult(orgId, org.poolId(), dryRun ? PLANNED : changes ? MIGRATED : UNCHANGED, attempts.attempts(), 0, null,
                    plan == null ? null : PLAN_JSON.valueToTree(plan));
        } catch (RuntimeException e) {
            throw new OrgFailure(e, attempts.attempts(), e instanceof SchemaApply.ConflictFailure c ? PLAN_JSON.valueToTree(c.plan)
                    : e instanceof SchemaApply.DuplicateFailure d ? PLAN_JSON.valueToTree(d.plan) : null);
        }
    }

    /**
     * A failed org is one whose provision failed, so its database holds no documents; one that does was made by
     * someone else, and migrating it would take it over: the org fails, pointing at {@code orgs adopt}.
     */
    private void refuseForeignData(Org org, Pool pool, Retry.Attempts attempts) {
        com.mongodb.client.MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
        String holding = SchemaApply.firstNonEmpty(db, SchemaApply.collections(db, ctx.retry(), attempts), ctx.retry(), attempts);
        if (holding != null) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "org " + org.orgId() + " is failed and its database "
                    + org.databaseName() + " holds data (collection '" + holding + "' has documents) that tenantctl did not write:"
                    + " register it with 'tenantctl orgs adopt " + org.orgId() + " --pool " + pool.poolId() + "'");
        }
    }

    /** What to run to get an org that failed in a migrate-all run moving again. */
    public static String nextStep(String orgId, String error) {
        if (error == null) {
            return null;
        }
        if (error.contains("orgs adopt")) {
            return "tenantctl orgs adopt " + orgId + " --pool POOL   (see the error)";
        }
        if (error.contains("--replace-conflicting")) {
            return "tenantctl migrate-all --org " + orgId + " --replace-conflicting --dry-run   (then without --dry-run)";
        }
        if (error.contains("duplicate")) {
            return "remove the duplicate documents named above, then: tenantctl migrate-all --org " + orgId;
        }
        return "tenantctl migrate-all --org " + orgId;
    }

    private Optional<SchemaManifest> recordedManifest(String hash) {
        if (hash == null) {
            return Optional.empty();
        }
        SchemaManifest cached = manifestsByHash.get(hash);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<SchemaManifest> m;
        try {
            m = ctx.catalog().manifests().body(hash).map(b -> SchemaManifest.parse(b, "catalog manifest " + hash));
        } catch (TenantctlException unreadable) {
            // stored by an older tenantctl under looser rules: inspect every collection of the org instead
            return Optional.empty();
        }
        m.ifPresent(x -> manifestsByHash.put(hash, x));
        return m;
    }

    // ---- dry run ----

    private Result dryRun(Request req, SchemaManifest manifest, Selection sel) {
        Map<String, Pool> pools = new HashMap<>();
        ctx.catalog().pools().list().forEach(p -> pools.put(p.poolId(), p));
        Map<String, String> dead = PoolHealth.unreachable(ctx, sel.selected().stream().map(Org::poolId).distinct().map(pools::get).toList());
        Flags flags = new Flags(req.replaceConflicting(), req.prune(), req.force(), req.maxFailures(), req.canary());
        List<Fanout.Item> items = sel.selected().stream().map(o -> new Fanout.Item(o.orgId(), o.poolId())).toList();
        Fanout.Result<OrgResult> fan = Fanout.run(items, req.fanout(), item -> migrateOne(item.id(), manifest, flags, pools, dead, true),
                new Fanout.Listener<>() {
                }, req.cancel());
        List<OrgResult> orgs = new ArrayList<>();
        for (Fanout.Outcome<OrgResult> o : fan.outcomes()) {
            orgs.add(o.ok() ? o.value() : new OrgResult(o.item().id(), o.item().group(), FAILED,
                    o.error() instanceof OrgFailure f ? f.attempts : 1, o.millis(), Errors.oneLine(o.error().getCause() != null ? o.error().getCause() : o.error()),
                    o.error() instanceof OrgFailure f ? f.plan : null));
        }
        sel.skipped().forEach((o, why) -> orgs.add(new OrgResult(o.orgId(), o.poolId(), SKIPPED, 0, 0, why, null)));
        orgs.sort((a, b) -> a.orgId().compareTo(b.orgId()));
        return new Result(null, true, manifest.hash(), sel.selected().size(), 0, sel.unchanged(), sel.skipped().size(), orgs,
                Timings.of(List.of()), fan.cancelled(), null);
    }

    // ---- run bookkeeping ----

    private Result finish(String runId, SchemaManifest manifest, boolean interrupted, String aborted) {
        RunRepository runs = ctx.catalog().runs();
        Map<String, Integer> counts = runs.counts(runId);
        String status = runs.status(runId);
        if (status.equals("aborted") && aborted == null) {
            aborted = "more orgs failed than --max-failures allows; the rest were not touched";
        }
        if (status.equals("running")) {
            runs.finish(runId, interrupted ? "interrupted" : counts.getOrDefault(FAILED, 0) > 0 ? "failed" : "succeeded");
        }
        return result(runId, manifest, interrupted, aborted);
    }

    private Result result(String runId, SchemaManifest manifest, boolean interrupted, String aborted) {
        RunRepository runs = ctx.catalog().runs();
        RunRepository.Run run = runs.get(runId);
        int unselected = summaryInt(run, "unchanged_unselected");
        List<OrgResult> orgs = new ArrayList<>();
        List<Long> millis = new ArrayList<>();
        int migrated = 0;
        int unchanged = unselected;
        int skipped = 0;
        for (RunRepository.Item i : runs.items(runId)) {
            String outcome = switch (i.status()) {
                case "succeeded" -> MIGRATED;
                case "unchanged" -> UNCHANGED;
                case "skipped" -> SKIPPED;
                case "failed" -> FAILED;
                default -> PENDING;
            };
            migrated += outcome.equals(MIGRATED) ? 1 : 0;
            unchanged += outcome.equals(UNCHANGED) ? 1 : 0;
            skipped += outcome.equals(SKIPPED) ? 1 : 0;
            if (i.millis() != null && !outcome.equals(SKIPPED) && !outcome.equals(PENDING)) {
                millis.add(i.millis());
            }
            orgs.add(new OrgResult(i.orgId(), null, outcome, i.attempts(), i.millis() == null ? 0 : i.millis(), i.error(), null));
        }
        return new Result(runId, false, manifest.hash(), summaryInt(run, "selected"), migrated, unchanged, skipped, orgs,
                Timings.of(millis), interrupted, aborted);
    }

    private RunRepository.Run migrateRun(String runId) {
        RunRepository.Run run = ctx.catalog().runs().get(runId);
        if (!run.verb().equals("migrate-all")) {
            throw TenantctlException.usage("run " + runId + " is a " + run.verb() + " run, not migrate-all");
        }
        return run;
    }

    private SchemaManifest runManifest(RunRepository.Run run, SchemaManifest given) {
        String hash = arg(run, "schema_hash");
        if (given != null && !given.hash().equals(hash)) {
            throw TenantctlException.usage("run " + run.runId() + " applies manifest " + hash.substring(0, 12) + " but --schema gives "
                    + given.hash().substring(0, 12) + ": leave out --schema (the run's manifest is kept in the catalog)");
        }
        return recordedManifest(hash).orElseThrow(() -> TenantctlException.config("manifest " + hash + " of run " + run.runId()
                + " is missing from the catalog"));
    }

    private static Flags flags(RunRepository.Run run) {
        try {
            return JSON.treeToValue(JSON.readTree(run.args()).get("flags"), Flags.class);
        } catch (Exception e) {
            throw TenantctlException.config("run " + run.runId() + " has unreadable flags: " + e.getMessage());
        }
    }

    private static String arg(RunRepository.Run run, String key) {
        try {
            return JSON.readTree(run.args()).path(key).asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static int selected(RunRepository.Run run) {
        return summaryInt(run, "selected");
    }

    private static int summaryInt(RunRepository.Run run, String key) {
        try {
            return run.summary() == null ? 0 : JSON.readTree(run.summary()).path(key).asInt(0);
        } catch (Exception e) {
            return 0;
        }
    }

    /** A crashed or detached rollout still marked running must be finished (resumed or joined) before a new one. */
    private void refuseUnfinished() {
        ctx.catalog().runs().running("migrate-all").ifPresent(r -> {
            throw TenantctlException.config("migrate-all run " + r.runId() + " (started by " + r.actor() + " at " + r.startedAt()
                    + ") is unfinished: join it with --join " + r.runId() + " or finish it with --resume " + r.runId());
        });
    }

    private AutoCloseable lock(boolean wait) {
        return ctx.catalog().lock(LOCK_KEY, wait).orElseThrow(() -> {
            String holder = ctx.catalog().runs().running("migrate-all")
                    .map(r -> "run " + r.runId() + " started by " + r.actor() + " at " + r.startedAt())
                    .orElse("another tenantctl process");
            return TenantctlException.config("another migrate-all is in progress (" + holder + "): wait for it, pass --wait, "
                    + "or join it with --join RUN_ID");
        });
    }

    /** --max-failures N or P%: how many failed orgs are tolerated before the rest are abandoned. */
    record Budget(int allowed, boolean limited) {
        static Budget parse(String spec, int selected) {
            if (spec == null || spec.isBlank()) {
                return new Budget(Integer.MAX_VALUE, false);
            }
            try {
                if (spec.endsWith("%")) {
                    double pct = Double.parseDouble(spec.substring(0, spec.length() - 1));
                    if (pct < 0 || pct > 100) {
                        throw new NumberFormatException();
                    }
                    return new Budget((int) Math.floor(selected * pct / 100.0), true);
                }
                int n = Integer.parseInt(spec);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return new Budget(n, true);
            } catch (NumberFormatException e) {
                throw TenantctlException.usage("--max-failures must be a count (5) or a percentage (2%), not '" + spec + "'");
            }
        }
    }
}
