package io.tenantctl.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.AdvisoryLock;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.MaxFailures;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaManifest;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tenantctl migrate-all}: roll a manifest out to every selected org. Only orgs whose recorded schema hash
 * differs are touched (all of them with --force), and for an org whose recorded manifest is in the catalog only the
 * collections that changed are inspected. Work is recorded as run items that any number of workers claim with
 * FOR UPDATE SKIP LOCKED under a lease, which is what makes --resume and --join possible. One migrate-all at a
 * time (advisory lock); a canary and a failure budget stop a bad rollout early. Each org is migrated, unchanged,
 * skipped, failed, planned (dry run) or not_started.
 */
public final class MigrateAll {

    static final long LOCK_KEY = 0x7465_6e61_6e74_0002L;
    /** How often --wait asks for the rollout lock again; Ctrl-C is looked at in between. */
    private static final long LOCK_POLL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);
    public static final String VERB = "migrate-all", DONE = "migrated";
    /** Per-org plans are shown in -o json, whose keys are snake_case. */
    private static final ObjectMapper PLAN_JSON = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    /**
     * What to roll out (the manifest), to which orgs ({@link Selector}), how conflicts and extras are handled
     * ({@link Apply}), how the rollout is staged ({@link Staging}), and how its run is driven.
     */
    public record Request(SchemaManifest manifest, Selector selector, Apply apply, Staging staging, RunEngine.Drive drive, boolean dryRun,
                          boolean waitForLock) {
    }

    /** Which orgs: on these pools, these orgs, this tier (all when empty/null); every active one with force; failed ones too. */
    public record Selector(List<String> pools, List<String> orgs, String tier, boolean force, boolean includeFailed) {
    }

    /**
     * What an org's differences may change: rebuild conflicting indexes (--replace-conflicting), drop indexes the manifest
     * does not list (--prune), build TTL indexes that delete existing documents once built (--allow-expiry).
     */
    public record Apply(boolean replaceConflicting, boolean prune, boolean allowExpiry) {
    }

    /** A canary of N orgs first; give up on the rest past --max-failures (null = no limit). */
    public record Staging(int canary, MaxFailures maxFailures) {
    }

    /**
     * The run's report (a run's: no org's line held), each org's line (its detail: its plan, what was or would be created,
     * replaced or pruned — in a dry run) read from the run's items a page at a time, the manifest's hash, how many orgs were selected, and how many were already up to date, selected or not; the
     * run's own apply flags and --force (a joined or resumed run's, as recorded), which an org's next step carries.
     */
    public record Result(RunReport report, boolean interrupted, String schemaHash, int selected, int unchanged, Apply apply, boolean force, io.tenantctl.ops.run.ReportLines lines) {
    }

    /** What a migrate-all run records: its manifest (kept in the catalog by hash), selection and flags. */
    record Args(String schema, String schemaHash, List<String> pools, List<String> orgs, String tier, Flags flags) {
    }

    /** The flags a run was started with; stored on the run so resumers and joiners behave the same (camelCase, as always). */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record Flags(boolean replaceConflicting, boolean prune, boolean force, String maxFailures, int canary, boolean allowExpiry) {
        static Flags of(Request req) {
            return new Flags(req.apply().replaceConflicting(), req.apply().prune(), req.selector().force(),
                    req.staging().maxFailures() == null ? null : req.staging().maxFailures().spec(), req.staging().canary(),
                    req.apply().allowExpiry());
        }
    }

    private final OpsContext ctx;
    private final RunEngine engine;
    private final Map<String, SchemaManifest> manifestsByHash = new ConcurrentHashMap<>();

    public MigrateAll(OpsContext ctx) {
        this.ctx = ctx;
        this.engine = new RunEngine(ctx, new LeaseRecovery(ctx));
    }

    public Result run(Request req) {
        RunControl control = req.drive().control();
        if (!control.existing() && !req.dryRun()) {
            LeaseRecovery.sweep(ctx); // what a dead operation left on an org is put right before orgs are selected
        }
        RolloutSelection sel = control.existing() ? null : new RolloutSelection(ctx, req);
        if (req.dryRun() && !control.existing()) { // refused as the run would be, or told that it would wait
            return dryRun(req, sel);
        }
        // a joiner works on a run already started under the lock: it takes none (null: nothing to close)
        try (AdvisoryLock lock = control.joinRunId() != null ? null : lock(req.waitForLock(), req.drive().cancel(), hashOf(req))) {
            RunEngine.Ran ran = engine.run(VERB, req.drive(), OutcomeNames.of(DONE).withoutLines(), () -> start(req, sel),
                    run -> work(RolloutLockHolder.label(lock, run), req.manifest(), control.resumeRunId() != null));
            RunRepository.Run run = ctx.catalog().runs().get(ran.report().runId());
            Args args = args(run);
            Flags flags = args.flags();
            return new Result(ran.report(), ran.interrupted(), args.schemaHash(), summaryInt(run, "selected"), ran.report().count("unchanged")
                    + summaryInt(run, "unchanged_unselected"), new Apply(flags.replaceConflicting(), flags.prune(), flags.allowExpiry()), flags.force(),
                    io.tenantctl.ops.run.ReportLines.read(ctx.catalog(), ran.report(), OutcomeNames.of(DONE), // an org the run ended before starting says why
                            o -> o.with(ran.report().why(o, ran.interrupted()), SchemaApply.lineDetail(o.detailJson()))));
        }
    }

    /** Under the rollout lock: records a run of the selected orgs, a canary's worth pending and the rest held, spread over the pools. */
    private String start(Request req, RolloutSelection selected) {
        Errors.waitWhile(ctx, req.drive().cancel(), LOCK_POLL_NANOS, () -> unfinished(req.waitForLock(), hashOf(req)), "; no run was started");
        // we may have waited for another rollout: select again from the fleet as it is now (read as the run is recorded)
        RolloutSelection sel = req.waitForLock() ? new RolloutSelection(ctx, req) : selected;
        SchemaManifest manifest = req.manifest();
        ctx.catalog().manifests().save(manifest.hash(), manifest.source(), manifest.canonicalJson());
        String args = Json.write(new Args(manifest.source(), manifest.hash(), req.selector().pools().isEmpty() ? null : req.selector().pools(),
                req.selector().orgs().isEmpty() ? null : req.selector().orgs(), req.selector().tier(), Flags.of(req)));
        String runId = engine.start(VERB, () -> args, sel.items(), req.staging().canary(), () -> Json.args("unchanged_unselected",
                sel.unchanged(), "selected", sel.selected()));
        sel.finish();
        return runId;
    }

    /** The work on a migrate-all run: the run's own manifest (which {@code given}, if any, must be) and flags. */
    private RunEngine.Work work(RunRepository.Run run, SchemaManifest given, boolean resuming) {
        // an older rollout taken up after a newer one would take the newer one's orgs back to its manifest (one that is
        // over and only joined, or resumed once succeeded, is just reported; a cancelled one's resume says it was cancelled)
        boolean goesOn = resuming && !Set.of(io.tenantctl.catalog.RunStatus.SUCCEEDED, io.tenantctl.catalog.RunStatus.CANCELLED).contains(run
                .runStatus()) || Set.of(io.tenantctl.catalog.RunStatus.RUNNING, io.tenantctl.catalog.RunStatus.INTERRUPTED).contains(run.runStatus());
        supersededBy(ctx.catalog(), run).filter(newer -> goesOn).ifPresent(newer -> {
            throw TenantctlException.usage("migrate-all run " + newer.runId() + " (started " + newer.startedAt() + ") came after run "
                    + run.runId() + " with another manifest: working on " + run.runId() + " now would take orgs back to its older manifest; "
                    + "roll out what you want with a new run ('tenantctl migrate-all --schema FILE'), or end this one with 'tenantctl runs cancel " + run.runId() + "'");
        });
        SchemaManifest manifest = runManifest(run, given);
        Flags flags = args(run).flags();
        if (flags == null) {
            throw TenantctlException.config("run " + run.runId() + " has no flags recorded");
        }
        Map<String, Pool> pools = ctx.catalog().pools().byId();
        return new RunEngine.Work(Job.of("migrate", (orgId, poolId) -> migrateOne(orgId, manifest, flags, pools, false)),
                Budget.of(MaxFailures.stored(flags.maxFailures()), summaryInt(run, "selected"), flags.canary()));
    }

    /**
     * The first migrate-all run started after {@code run} that rolled out another manifest, if any: going on with
     * {@code run} would take that run's orgs back. A later run of the same manifest (a failed org's own next step, a
     * re-run) does not: working on {@code run} applies what it applied.
     */
    static Optional<RunRepository.Run> supersededBy(io.tenantctl.catalog.Catalog catalog, RunRepository.Run run) {
        String hash = args(run).schemaHash();
        return catalog.runs().allStartedAfter(run.runId(), VERB).stream().filter(newer -> !java.util.Objects.equals(hash,
                args(newer).schemaHash())).findFirst();
    }

    /** One org: its differences from the manifest applied (planned only, in a dry run); the detail is its plan. */
    private Job.Done migrateOne(String orgId, SchemaManifest manifest, Flags flags, Map<String, Pool> pools, boolean dryRun) {
        Org org = ctx.catalog().orgs().get(orgId);
        boolean failedOrg = org.status().equals(Org.FAILED);
        // a dry run does not put right what a dead holder left, nor wait for a live one: an org frozen only by the operation
        // holding it is planned as the real run finds it once recovery (or the holder) has made it active again
        boolean activeAgain = dryRun && (RolloutSelection.FROZEN.contains(org.status()) && RolloutSelection.frozenByItsHolder(ctx.catalog(), org) || org.status().equals(Org.PROVISIONING) && Orgs.heldInPassing(ctx.catalog(), org));
        if (!org.status().equals(Org.ACTIVE) && !failedOrg && !activeAgain) {
            return new Job.Done(ItemStatus.SKIPPED, 0, "org is " + org.status() + ", not active, when its turn came: not migrated", null);
        }
        Retry.Attempts attempts = new Retry.Attempts();
        try {
            Pool pool = pools.get(org.poolId());
            if (failedOrg) { // its provision failed, so its database holds no documents; one that does was made by someone else
                com.mongodb.client.MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
                SchemaApply.refuseIfHoldsData(db, SchemaApply.collections(db, ctx.retry(), attempts), ctx.retry(), attempts, holding -> "org "
                        + orgId + " is failed and its database " + org.databaseName() + " holds data (collection '" + holding
                        + "' has documents) that tenantctl did not write: register it with 'tenantctl orgs adopt " + orgId + " --pool "
                        + pool.poolId() + "'");
            }
            Optional<SchemaManifest> recorded = flags.force() || failedOrg ? Optional.empty() : recordedManifest(org.schemaHash());
            Collection<String> inspect = recorded.map(r -> SchemaApply.inspect(manifest, r))
                    .orElseGet(() -> new java.util.LinkedHashSet<>(manifest.collections().stream().map(CollectionSpec::name).toList()));
            SchemaApply.Plan plan = inspect.isEmpty() ? null : SchemaApply.migrate(ctx, pool, org, manifest, inspect, flags.replaceConflicting(),
                    flags.prune(), flags.allowExpiry(), dryRun, attempts, () -> ctx.catalog().orgs().forgetSchema(orgId));
            if (!dryRun && !(failedOrg ? ctx.catalog().orgs().markActive(orgId, manifest.hash(), pool.uri())
                    : ctx.catalog().orgs().recordSchema(orgId, manifest.hash(), pool.uri()))) {
                throw Provision.uriChanged(pool.poolId(), "migrated");
            }
            boolean changes = plan != null && (plan.changes() || !plan.conflicts().isEmpty());
            return new Job.Done(changes ? ItemStatus.SUCCEEDED : ItemStatus.UNCHANGED, attempts.attempts(), activeAgain ? Orgs.busyNote(ctx.catalog(), org) : null,
                    plan == null ? null : PLAN_JSON.valueToTree(plan).toString());
        } catch (RuntimeException e) {
            throw new Job.Failure(Errors.oneLine(e), attempts.attempts(), SchemaApply.failureDetail(e, PLAN_JSON), e);
        }
    }

    /** The manifest the catalog keeps under {@code hash}, read once per run (workers asking for it together wait for one read). */
    private Optional<SchemaManifest> recordedManifest(String hash) {
        return hash == null ? Optional.empty() : Optional.ofNullable(manifestsByHash.computeIfAbsent(hash, h -> {
            try {
                return ctx.catalog().manifests().body(h).map(b -> SchemaManifest.parse(b, "catalog manifest " + h)).orElse(null);
            } catch (TenantctlException unreadable) {
                return null; // stored by an older tenantctl under looser rules: inspect every collection of the org instead
            }
        }));
    }

    // ---- dry run ----

    private Result dryRun(Request req, RolloutSelection sel) { // the orgs selected a page at a time as they are planned
        String busy = unfinished(req.waitForLock(), hashOf(req)); // refused as the run would be before anything is planned
        Map<String, Pool> pools = ctx.catalog().pools().byId();
        RunEngine.Planned planned = engine.plan(VERB, sel.items(), req.drive(), (orgId, poolId) -> migrateOne(orgId, req.manifest(), Flags.of(req), pools, true),
                o -> o.with(o.error(), SchemaApply.lineDetail(o.detailJson())));
        sel.finish();
        Optional.ofNullable(busy).ifPresent(b -> ctx.notices().accept("a run would wait (--wait): " + b));
        // up to date: as the run counts them, those it would find so and those not selected for it
        return new Result(planned.report(), planned.interrupted(), req.manifest().hash(), sel.selected(), planned.report().count("unchanged")
                + sel.unchanged(), req.apply(), req.selector().force(), planned.lines());
    }

    // ---- run bookkeeping ----

    static Args args(RunRepository.Run run) {
        return Json.read(run.runId(), run.args(), Args.class);
    }

    private SchemaManifest runManifest(RunRepository.Run run, SchemaManifest given) {
        String hash = args(run).schemaHash();
        if (given != null && !given.hash().equals(hash)) {
            throw TenantctlException.usage("run " + run.runId() + " applies manifest " + hash.substring(0, 12) + " but --schema gives "
                    + given.hash().substring(0, 12) + ": leave out --schema (the run's manifest is kept in the catalog)");
        }
        return given != null ? given : recordedManifest(hash).orElseThrow(() -> TenantctlException.config("manifest " + hash + " of run "
                + run.runId() + " is missing from the catalog"));
    }

    private static int summaryInt(RunRepository.Run run, String key) {
        return Json.tree(run.summary()).path(key).asInt(0);
    }

    /** The manifest a rollout would roll out; null for a --resume without --schema (its run's, not compared here). */
    private static String hashOf(Request req) {
        return req.manifest() == null ? null : req.manifest().hash();
    }

    /**
     * The unfinished run a new one waits for, or null; refuses otherwise: with --wait it waits while that run has live
     * workers (release N's detached run its Job's workers joined: release N+1 queues behind it, as behind the lock); a
     * run nobody works on is refused either way, since waiting for it would be waiting for ever.
     */
    private String unfinished(boolean wait, String manifestHash) {
        return ctx.catalog().runs().running(VERB).map(r -> {
            RunRepository.Activity activity = ctx.catalog().runs().activity(r.runId(), RunEngine.LIVENESS);
            boolean live = activity.liveLeases() > 0 || activity.lastHeartbeat() != null && !activity.heartbeatStale();
            if (live && !wait) { // as the lock refuses a second rollout (a dry run takes no lock): another's, worked on now
                throw RolloutBusy.refused(ctx, Optional.of(r), manifestHash);
            }
            // --wait waits while it is worked on, or was detached lately and its workers (a Job's pods) are not started yet:
            // as verify's run_unstarted counts it, for --stuck-after's default
            boolean starting = !activity.everClaimed() && r.startedAt().isAfter(ctx.catalog().now().minus(java.time.Duration.ofMinutes(30)));
            if (!wait || !live && !starting) {
                throw RolloutBusy.unfinished(r, manifestHash, wait);
            }
            return "migrate-all run " + r.runId() + " is in progress";
        }).orElse(null);
    }

    /**
     * The rollout lock: refused (exit 3) naming the rollout that holds it, or with {@code wait} waited for — polled, so
     * that Ctrl-C stops the wait at once (exit 130, no run recorded), and said once on stderr whom it waits for.
     */
    private AdvisoryLock lock(boolean wait, CancelToken cancel, String manifestHash) {
        AdvisoryLock lock = ctx.catalog().advisoryLock(LOCK_KEY);
        try {
            Errors.waitWhile(ctx, cancel, LOCK_POLL_NANOS, () -> {
                if (RolloutLockHolder.take(ctx, lock)) {
                    return null;
                }
                Optional<RunRepository.Run> holder = ctx.catalog().runs().running(VERB);
                if (!wait) {
                    throw TenantctlException.config(RolloutBusy.refused(ctx, holder, manifestHash).getMessage() + (holder.isPresent() ? "" : RolloutLockHolder.describe(lock)));
                }
                return RolloutBusy.busy(ctx, holder) + (holder.isPresent() ? "" : RolloutLockHolder.describe(lock));
            }, "; no run was started");
            if (cancel.isCancelled()) { // Ctrl-C came as the lock was taken: start nothing
                throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted before the rollout started; no run was started");
            }
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }
}
