package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.MaxFailures;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.OutcomeWord;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;
import io.tenantctl.fanout.Timings;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaManifest;

import java.util.ArrayList;
import java.util.Collection;
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
    public static final String VERB = "migrate-all";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per-org plans are shown in -o json, whose keys are snake_case. */
    private static final ObjectMapper PLAN_JSON = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    private static final Set<io.tenantctl.catalog.OrgStatus> FROZEN = Set.of(Org.READ_ONLY, Org.MOVING, Org.RESTORING);

    /** How migrating one org ended, or that it is still pending (its -o json spelling is the lower-case name). */
    public enum Outcome implements OutcomeWord {
        MIGRATED, UNCHANGED, SKIPPED, FAILED, PLANNED, PENDING;

        /** The outcome a run report spells {@code word}; anything not finished is pending. */
        static Outcome of(String word) {
            return OutcomeWord.of(Outcome.class, word, PENDING);
        }
    }

    public static final Outcome MIGRATED = Outcome.MIGRATED;
    public static final Outcome UNCHANGED = Outcome.UNCHANGED;
    public static final Outcome SKIPPED = Outcome.SKIPPED;
    public static final Outcome FAILED = Outcome.FAILED;
    public static final Outcome PLANNED = Outcome.PLANNED;
    public static final Outcome PENDING = Outcome.PENDING;

    /**
     * What to roll out (the manifest), to which orgs ({@link Selector}), how conflicts and extras are handled
     * ({@link Apply}), how the rollout is staged ({@link Staging}), and how its run is driven.
     */
    public record Request(SchemaManifest manifest, Selector selector, Apply apply, Staging staging, RunEngine.Settings settings,
                          RunControl control, boolean dryRun, boolean waitForLock, CancelToken cancel, Progress progress) {
    }

    /** Which orgs: on these pools, these orgs, this tier (all when empty/null); every active one with force; failed ones too. */
    public record Selector(List<String> pools, List<String> orgs, String tier, boolean force, boolean includeFailed) {
    }

    /** What an org's differences may change: rebuild conflicting indexes; drop indexes the manifest does not list. */
    public record Apply(boolean replaceConflicting, boolean prune) {
    }

    /** A canary of N orgs first; give up on the rest past --max-failures (null = no limit). */
    public record Staging(int canary, MaxFailures maxFailures) {
    }

    /** One org's outcome; {@code plan} says what was (or, in a dry run, would be) created, replaced or pruned. */
    public record OrgResult(String orgId, String poolId, Outcome outcome, int attempts, long millis, String error, JsonNode plan) {
    }

    public record Result(String runId, boolean dryRun, String schemaHash, int selected, int migrated, int unchanged, int skipped,
                         List<OrgResult> orgs, Timings timings, boolean interrupted, String aborted, RunReport report) {
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

    /** What a migrate-all run records: its manifest (kept in the catalog by hash), selection and flags. */
    record Args(String schema, String schemaHash, List<String> pools, List<String> orgs, String tier, Flags flags) {
    }

    /** The flags a run was started with; stored on the run so resumers and joiners behave the same (camelCase, as always). */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record Flags(boolean replaceConflicting, boolean prune, boolean force, String maxFailures, int canary) {
        MaxFailures budget() {
            return MaxFailures.stored(maxFailures);
        }
    }

    private final OpsContext ctx;
    private final Map<String, SchemaManifest> manifestsByHash = new ConcurrentHashMap<>();

    public MigrateAll(OpsContext ctx) {
        this.ctx = ctx;
    }

    public Result run(Request req) {
        if (req.control().joinRunId() != null || req.control().resumeRunId() != null) {
            return continueRun(req);
        }
        SchemaManifest manifest = req.manifest();
        if (!req.dryRun()) {
            LeaseRecovery.sweep(ctx); // what a dead operation left on an org is put right before orgs are selected
        }
        Selection sel = select(req, manifest);
        if (req.dryRun()) {
            return dryRun(req, manifest, sel);
        }
        try (AutoCloseable lock = lock(req.waitForLock())) {
            refuseUnfinished();
            if (req.waitForLock()) {
                // we may have waited for another rollout: select again from the fleet as it is now
                sel = select(req, manifest);
            }
            ctx.catalog().manifests().save(manifest.hash(), manifest.source(), manifest.canonicalJson());
            Flags flags = new Flags(req.apply().replaceConflicting(), req.apply().prune(), req.selector().force(),
                    req.staging().maxFailures() == null ? null : req.staging().maxFailures().spec(), req.staging().canary());
            boolean canary = req.staging().canary() > 0 && sel.selected().size() > req.staging().canary();
            List<RunRepository.NewItem> items = new ArrayList<>();
            List<Org> byId = sel.selected().stream().sorted(java.util.Comparator.comparing(Org::orgId)).toList();
            for (Org o : RunEngine.interleave(byId, Org::poolId)) {
                boolean held = canary && items.size() >= req.staging().canary();
                items.add(new RunRepository.NewItem(o.orgId(), o.poolId(), items.size(), (held ? ItemStatus.HELD : ItemStatus.PENDING).db(), null));
            }
            for (Map.Entry<Org, String> s : sel.skipped().entrySet()) {
                items.add(new RunRepository.NewItem(s.getKey().orgId(), s.getKey().poolId(), items.size(), ItemStatus.SKIPPED.db(), s.getValue()));
            }
            String runId = engine().start(VERB, Json.write(new Args(manifest.source(), manifest.hash(),
                            req.selector().pools().isEmpty() ? null : req.selector().pools(), req.selector().orgs().isEmpty() ? null : req.selector().orgs(), req.selector().tier(), flags)), items,
                    Json.args("unchanged_unselected", sel.unchanged(), "selected", sel.selected().size()));
            if (req.control().detach()) {
                return result(runId, manifest, false);
            }
            return work(runId, manifest, flags, req, sel.selected().size());
        } catch (TenantctlException e) {
            throw e;
        } catch (Exception e) {
            throw new TenantctlException(TenantctlException.Category.INTERNAL, "migrate-all: " + Errors.oneLine(e), e);
        }
    }

    /** --resume (under the rollout lock) or --join: the run's own manifest and flags; a joined run that is over is only reported. */
    private Result continueRun(Request req) {
        String runId = req.control().joinRunId() != null ? req.control().joinRunId() : req.control().resumeRunId();
        RunControl control = req.control();
        SchemaManifest manifest = runManifest(migrateRun(runId), req.manifest());
        try (AutoCloseable lock = req.control().resumeRunId() != null ? lock(req.waitForLock()) : () -> { }) {
            Optional<RunRepository.Run> run = engine().existing(control, VERB);
            if (run.isEmpty()) {
                return result(runId, manifest, false);
            }
            return work(runId, manifest, flags(run.get()), req, selected(run.get()));
        } catch (TenantctlException e) {
            throw e;
        } catch (Exception e) {
            throw new TenantctlException(TenantctlException.Category.INTERNAL, "migrate-all run " + runId + ": " + Errors.oneLine(e), e);
        }
    }

    /** This worker's share of the run, on the engine; then the run's outcome. */
    private Result work(String runId, SchemaManifest manifest, Flags flags, Request req, int selected) {
        Map<String, Pool> pools = new HashMap<>();
        ctx.catalog().pools().list().forEach(p -> pools.put(p.poolId(), p));
        Job job = new Job() {
            @Override
            public String leaseOperation() {
                return "migrate";
            }

            @Override
            public Done work(String orgId, String poolId) {
                try {
                    OrgResult r = migrateOne(orgId, manifest, flags, pools, Map.of(), false);
                    ItemStatus status = r.outcome().equals(MIGRATED) ? ItemStatus.SUCCEEDED
                            : r.outcome().equals(SKIPPED) ? ItemStatus.SKIPPED : ItemStatus.UNCHANGED;
                    return new Done(status, r.attempts(), r.error(), r.plan() == null ? null : r.plan().toString());
                } catch (OrgFailure f) {
                    throw new Job.Failure(Errors.oneLine(f.getCause() != null ? f.getCause() : f), f.attempts,
                            f.plan == null ? null : f.plan.toString(), f);
                }
            }
        };
        RunEngine.WorkerReport w = engine().drive(runId, VERB, job, req.settings(),
                Budget.of(flags.budget(), selected, flags.canary()), req.cancel(), req.progress());
        return result(runId, manifest, w.interrupted());
    }

    private RunEngine engine() {
        return new RunEngine(ctx, new LeaseRecovery(ctx));
    }


    // ---- selection ----

    private record Selection(List<Org> selected, Map<Org, String> skipped, int unchanged) {
    }

    private Selection select(Request req, SchemaManifest manifest) {
        if (req.selector().tier() != null && !req.selector().tier().matches("^[a-z][a-z0-9_-]{0,31}$")) {
            throw TenantctlException.usage("tier '" + req.selector().tier() + "' must match ^[a-z][a-z0-9_-]{0,31}$");
        }
        java.util.List<String> badIds = io.tenantctl.catalog.OrgId.problems(req.selector().orgs());
        if (!badIds.isEmpty()) {
            throw TenantctlException.usage(String.join("; ", badIds));
        }
        Set<String> pools = Set.copyOf(req.selector().pools());
        for (String p : pools) {
            ctx.catalog().pools().get(p);
        }
        Map<String, Org> named = new HashMap<>();
        if (!req.selector().orgs().isEmpty()) {
            Map<String, Org> found = ctx.catalog().orgs().findAll(req.selector().orgs());
            List<String> unknown = req.selector().orgs().stream().filter(id -> !found.containsKey(id)).toList();
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
            if ((!pools.isEmpty() && !pools.contains(o.poolId())) || (req.selector().tier() != null && !req.selector().tier().equals(o.tier()))) {
                continue;
            }
            if (o.status().equals(Org.FAILED) && (req.selector().includeFailed() || named.containsKey(o.orgId()))) {
                selected.add(o); // a provision that failed: applying the manifest finishes it
            } else if (o.status().equals(Org.ACTIVE)) {
                if (req.selector().force() || !manifest.hash().equals(o.schemaHash())) {
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
        Flags flags = new Flags(req.apply().replaceConflicting(), req.apply().prune(), req.selector().force(),
                    req.staging().maxFailures() == null ? null : req.staging().maxFailures().spec(), req.staging().canary());
        List<Fanout.Item> items = sel.selected().stream().map(o -> new Fanout.Item(o.orgId(), o.poolId())).toList();
        Fanout.Result<OrgResult> fan = Fanout.run(items, req.settings().fanout(), item -> migrateOne(item.id(), manifest, flags, pools, dead, true),
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
                Timings.of(List.of()), fan.cancelled(), null, null);
    }

    // ---- run bookkeeping ----

    private Result result(String runId, SchemaManifest manifest, boolean interrupted) {
        RunRepository.Run run = ctx.catalog().runs().get(runId);
        RunReport report = engine().report(runId, MIGRATED::json);
        List<OrgResult> orgs = report.orgs().stream().map(o -> new OrgResult(o.orgId(), o.poolId(),
                Outcome.of(o.outcome()), o.attempts(), o.ms(), o.error(), null)).toList();
        String aborted = report.status() == RunStatus.ABORTED ? report.reason() : null;
        return new Result(runId, false, manifest.hash(), summaryInt(run, "selected"), report.count(MIGRATED.json()),
                report.count(UNCHANGED.json()) + summaryInt(run, "unchanged_unselected"), report.count(SKIPPED.json()), orgs, report.timings(),
                interrupted, aborted, report);
    }


    private RunRepository.Run migrateRun(String runId) {
        RunRepository.Run run = ctx.catalog().runs().get(runId);
        if (!run.verb().equals("migrate-all")) {
            throw TenantctlException.usage("run " + runId + " is a " + run.verb() + " run, not migrate-all");
        }
        return run;
    }

    private SchemaManifest runManifest(RunRepository.Run run, SchemaManifest given) {
        String hash = Json.read(run.runId(), run.args(), Args.class).schemaHash();
        if (given != null && !given.hash().equals(hash)) {
            throw TenantctlException.usage("run " + run.runId() + " applies manifest " + hash.substring(0, 12) + " but --schema gives "
                    + given.hash().substring(0, 12) + ": leave out --schema (the run's manifest is kept in the catalog)");
        }
        return recordedManifest(hash).orElseThrow(() -> TenantctlException.config("manifest " + hash + " of run " + run.runId()
                + " is missing from the catalog"));
    }

    private static Flags flags(RunRepository.Run run) {
        Flags flags = Json.read(run.runId(), run.args(), Args.class).flags();
        if (flags == null) {
            throw TenantctlException.config("run " + run.runId() + " has no flags recorded");
        }
        return flags;
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
                    + ") is unfinished: join it with --join " + r.runId() + ", finish it with --resume " + r.runId()
                    + ", or end it with 'tenantctl runs cancel " + r.runId() + "'");
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

}
