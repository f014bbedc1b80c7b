package io.tenantctl.ops.run;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;
import io.tenantctl.fanout.Timings;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one run engine every fan-out verb (provision, migrate-all, backup; later rebalance and verify) runs on. A verb
 * supplies its selection (the items it records with {@link #start}) and its per-org work (a {@link Job}); the engine
 * owns the rest: the run and its items in the catalog, claiming items with FOR UPDATE SKIP LOCKED under a lease that a
 * heartbeat renews (so any number of workers, in this process or on other machines, share one run), per-pool limits
 * that hold across all workers, a start rate per pool, the org lease that keeps one operation per org at a time, pools
 * checked before their first org, the canary and the failure budget, Ctrl-C (in-flight orgs finish, nothing new
 * starts), progress, and the run's final status.
 */
public final class RunEngine {

    /** Seconds a claimed item or an org lease lives without its worker's heartbeat. */
    public static final int LEASE_SECONDS = 60;
    /**
     * How a run's activity is judged: a heartbeat a lease old is stale, and a claim or heartbeat of a process of this
     * host that is gone counts for nothing at once (as --resume takes over its claims at once).
     */
    public static final RunRepository.Liveness LIVENESS = new RunRepository.Liveness(LEASE_SECONDS,
            id -> Worker.parse(id).knownDeadFrom(Here.WORKER));

    /** This process as an observer of other workers (made on first use: it may look up the host name). */
    private static final class Here {
        static final Worker WORKER = Worker.current("tenantctl");
    }
    /** How long an item waits for its org while another operation holds it, unless told otherwise (--busy-timeout, --wait). */
    public static final int ORG_BUSY_GIVE_UP_SECONDS = 120;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * The most orgs one worker works on at once (--concurrency). Each is a thread of this process, and each of them
     * borrows one of the catalog's {@link io.tenantctl.catalog.Catalog#CONNECTIONS} connections for every claim and
     * outcome it records (the claims of a run take turns under its advisory lock): thousands queue for a connection
     * until the pool gives up ("Connection is not available"), and a billion threads do not start at all. 256 at
     * once is checked end to end (RunEngineTest); more at once is more workers on the run (--join), which is what the
     * per-pool limits are counted across.
     */
    public static final int MAX_CONCURRENCY = 256;
    /** The smallest --rate other than 0 (no limit): one org every ~2.8 hours. */
    public static final double MIN_RATE = 0.0001;
    private static final String MIN_RATE_TEXT = "0.0001";

    /**
     * Limits for one worker; {@code perPool} also caps the run as a whole (across workers) and is recorded with a new
     * run: a worker that joins or resumes it keeps the run's unless {@code perPoolGiven} (the operator passed one).
     * {@code ratePerPool} 0 = none.
     */
    public record Settings(int perPool, int concurrency, double ratePerPool, boolean waitForOrgs, int busyTimeoutSeconds,
                           boolean perPoolGiven) {
        public static final Settings DEFAULT = new Settings(4, 16, 0, false, ORG_BUSY_GIVE_UP_SECONDS);

        public Settings(int perPool, int concurrency, double ratePerPool, boolean waitForOrgs) {
            this(perPool, concurrency, ratePerPool, waitForOrgs, ORG_BUSY_GIVE_UP_SECONDS);
        }

        public Settings(int perPool, int concurrency, double ratePerPool, boolean waitForOrgs, int busyTimeoutSeconds) {
            this(perPool, concurrency, ratePerPool, waitForOrgs, busyTimeoutSeconds, true);
        }

        /** These limits for working on {@code run}: its recorded --per-pool, unless this worker was given one. */
        public Settings forRun(RunRepository.Run run) {
            return perPoolGiven || run.perPool() == null ? this
                    : new Settings(run.perPool(), concurrency, ratePerPool, waitForOrgs, busyTimeoutSeconds, false);
        }

        public Settings {
            if (busyTimeoutSeconds < 0) {
                throw TenantctlException.usage("--busy-timeout must not be negative");
            }
            if (perPool < 1) {
                throw TenantctlException.usage("--per-pool must be at least 1, not " + perPool);
            }
            checkConcurrency(concurrency);
            // NaN compares false with everything; below MIN_RATE the start interval would not fit in a long
            if (!(ratePerPool == 0 || ratePerPool >= MIN_RATE) || Double.isInfinite(ratePerPool)) {
                throw TenantctlException.usage("--rate must be a number of orgs per second, 0 (no limit) or from " + MIN_RATE_TEXT
                        + " (one every ~2.8 hours) up, not " + ratePerPool);
            }
        }

        /** A usage error (exit 2) unless {@code concurrency} is from 1 to {@link #MAX_CONCURRENCY}. */
        private static void checkConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
                throw TenantctlException.usage("--concurrency must be from 1 to " + MAX_CONCURRENCY + ", not " + concurrency
                        + (concurrency > MAX_CONCURRENCY ? ": each org worked on at once is a thread of this process sharing its catalog "
                        + "connections; for more at once, start more workers on the run (--detach, then --join)" : ""));
            }
        }

        /** The same limits for an in-process fan-out that records no run (dry runs). */
        public io.tenantctl.fanout.Fanout.Settings fanout() {
            return new io.tenantctl.fanout.Fanout.Settings(perPool, concurrency, ratePerPool);
        }
    }

    /** How this process drives a verb's run: its limits, --detach / --join / --resume, Ctrl-C and progress. */
    public record Drive(Settings settings, RunControl control, CancelToken cancel, Progress progress) {
    }

    /**
     * A verb's per-org work, when its run gives up, and what it leaves undone outside its items ({@code undone}: why, or
     * null), asked when the run ends with every item done: a run that leaves work undone ends failed, saying why. With
     * {@code lastStep}, the verb does a step of its own after the run's orgs each time it is run, resumed included (verify's
     * fleet checks): a --resume of its succeeded run does that step, so is not told that nothing was redone.
     */
    public record Work(Job job, Budget budget, java.util.function.Supplier<String> undone, boolean lastStep) {
        public Work(Job job, Budget budget) {
            this(job, budget, () -> null);
        }

        public Work(Job job, Budget budget, java.util.function.Supplier<String> undone) {
            this(job, budget, undone, false);
        }

        /** This work, its verb doing a step of its own after the run's orgs (see {@link Work}). */
        public Work withALastStep() {
            return new Work(job, budget, undone, true);
        }
    }

    /** What a verb's run came to in this process: the run's report, and whether Ctrl-C stopped this worker. */
    public record Ran(RunReport report, boolean interrupted) {
    }

    /**
     * What a dry run's orgs would come to: its report (their counts, no line), their lines as the verb shows them, handed
     * over one at a time ({@link #plan}), and whether Ctrl-C stopped it.
     */
    public record Planned(RunReport report, ReportLines lines, boolean interrupted) {
    }

    private final OpsContext ctx;
    private final Worker me;
    /** Who beats for a run {@link #start} records: this worker, unless the run is --detach'ed for others to join. */
    private volatile String creator;
    /** The --per-pool a run {@link #start} records, for every worker on it (null: none). */
    private volatile Integer perPool;
    private final OrgLeases.Recoverer recoverer;
    /** By run: the outcomes this worker recorded itself, by item status (what its report says it did, {@link RunReport#byThisWorker}). */
    private final Map<String, Map<ItemStatus, Integer>> recorded = new ConcurrentHashMap<>();

    /** An engine whose org leases recover what dead holders left with {@code recoverer}. */
    public RunEngine(OpsContext ctx, OrgLeases.Recoverer recoverer) {
        this.ctx = ctx;
        this.me = Worker.current(ctx.actor());
        this.recoverer = recoverer;
    }

    /** The org leases of this engine's worker (for operations that run outside a fan-out, such as restore). */
    public OrgLeases orgLeases() {
        return new OrgLeases(ctx, me, recoverer);
    }

    /**
     * Records a run of {@code items}: those to do ({@link RunRepository.NewItem#toDo}) claimed in turn across the pools —
     * with a canary ({@code canary} &gt; 0, fewer orgs than the run has), only the first {@code canary} at once, the rest
     * held until they pass — followed by those it ends before starting ({@link RunRepository.NewItem#ended}).
     */
    public String start(String verb, String argsJson, List<RunRepository.NewItem> items, int canary, String summaryJson) {
        return start(verb, argsJson, RunRepository.Items.of(items), canary, summaryJson);
    }

    /** As {@link #start(String, String, List, int, String)}, the items recorded as they are selected (a fleet's: never all held). */
    public String start(String verb, String argsJson, RunRepository.Items items, int canary, String summaryJson) {
        return start(verb, () -> argsJson, items, canary, () -> summaryJson);
    }

    /** As {@link #start(String, String, RunRepository.Items, int, String)}, its args and summary made once its items are recorded. */
    public String start(String verb, java.util.function.Supplier<String> argsJson, RunRepository.Items items, int canary,
                        java.util.function.Supplier<String> summaryJson) {
        return ctx.catalog().runs().start(verb, argsJson, ctx.actor(), items, canary, summaryJson, creator, perPool);
    }

    /**
     * Works on the run until nothing is left to claim, the run is ended (aborted, cancelled, or finished by another
     * worker) or {@code cancel} fires. Every item this worker takes is recorded; the run's status is left to
     * {@link #finish}. True when {@code cancel} stopped this worker.
     */
    private boolean work(String runId, Job job, Settings settings, Budget budget, CancelToken cancel, Progress progress) {
        RunRepository runs = ctx.catalog().runs();
        Map<String, Pool> pools = ctx.catalog().pools().byId();
        Map<String, Optional<RuntimeException>> poolHealth = new ConcurrentHashMap<>();
        Map<String, Long> nextStart = new HashMap<>();
        long intervalNanos = io.tenantctl.fanout.Fanout.intervalNanos(settings.ratePerPool());
        CancelToken stop = cancel.child();
        runs.renew(runId, me.id(), LEASE_SECONDS); // this run has a live worker from now on
        ScheduledExecutorService heartbeat = orgLeases().heartbeat(() -> runId);
        int loopCount = loops(runs.openByPool(runId), settings);
        java.util.concurrent.locks.ReentrantLock claimLock = new java.util.concurrent.locks.ReentrantLock();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(loopCount, r -> daemon(r, "run-" + threadNo.incrementAndGet()));
        // a loop with nothing to claim waits for one to finish an org (one waiting loop is woken, to claim after it) or
        // to stop (all are: the run may be over), instead of its whole idle pause: a run ended up to 200 ms after its last org
        java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
        // the first loop to fail, in time: what stopped the run (an S3 endpoint dying in one org's upload), not what another
        // org in flight then met (the check of its manifest-to-be), though that one's loop may come first in the list
        java.util.concurrent.atomic.AtomicReference<Throwable> firstFailed = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            List<java.util.concurrent.Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < loopCount; i++) {
                loops.add(threads.submit(() -> {
                    try {
                        while (!stop.isCancelled()) {
                            Optional<RunRepository.Claimed> claimed;
                            // one claim at a time per worker: claims queue on the run's lock in the catalog anyway, and
                            // each waiting one would hold one of the worker's few connections (a slow catalog then
                            // starved the org threads and the heartbeat of connections)
                            claimLock.lock();
                            try {
                                claimed = runs.claimOne(runId, me.id(), settings.perPool(), LEASE_SECONDS,
                                        budget.limited() ? budget.allowed() : -1, overBudget(budget), REST_UNTOUCHED);
                            } finally {
                                claimLock.unlock();
                            }
                            if (claimed.isPresent() && claimed.get().orgId() == null) {
                                // another worker's Ctrl-C marks the run interrupted when no org is leased at that instant,
                                // which is also when this worker is between two orgs: not stopped itself, it goes on
                                if (!stop.isCancelled() && runs.get(runId).runStatus() == RunStatus.INTERRUPTED) {
                                    runs.continueInterrupted(runId);
                                    continue;
                                }
                                return; // the run ended: finished, aborted or cancelled
                            }
                            if (claimed.isEmpty()) {
                                if (nothingLeft(runId, budget)) {
                                    return;
                                }
                                stop.pause(IDLE_NANOS, wake);
                                continue;
                            }
                            RunRepository.Claimed c = claimed.get();
                            if (stop.isCancelled() || !waitForRate(c.poolId(), nextStart, intervalNanos, stop)) {
                                // Ctrl-C came while this org was being claimed: it is not started, it goes back to the run
                                runs.release(runId, me.id(), List.of(c.orgId()));
                                return;
                            }
                            if (intervalNanos > 0 && runs.get(runId).runStatus() != RunStatus.RUNNING) {
                                // the run ended (runs cancel, another worker's failure past --max-failures) while this org
                                // waited for its --rate slot: it has not started, and must not start now
                                runs.releaseUnstarted(runId, c.orgId());
                                return;
                            }
                            process(runId, job, c, pools, poolHealth, settings, progress, cancel);
                            if (wake.hasQueuedThreads()) {
                                wake.release();
                            }
                            if (budget.limited() && runs.count(runId, ItemStatus.FAILED.db()) > budget.allowed()) {
                                runs.abort(runId, overBudget(budget), REST_UNTOUCHED);
                                stop.cancel("max failures exceeded");
                            }
                        }
                    } catch (RuntimeException | Error e) {
                        firstFailed.compareAndSet(null, e);
                        stop.cancel("a worker thread failed"); // the other loops of this worker stop too, instead of waiting on its item
                        throw e;
                    } finally {
                        wake.release(loopCount);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : loops) { // every loop, so that the orgs in flight finish before a failure is told
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    firstFailed.compareAndSet(null, e.getCause());
                }
            }
            if (firstFailed.get() != null) {
                RuntimeException failed = firstFailed.get() instanceof RuntimeException r ? r : new IllegalStateException(firstFailed.get());
                heartbeat.shutdownNow(); // no beat after the let-go renews what it expires
                heartbeat.awaitTermination(5, TimeUnit.SECONDS);
                letGo(runId, failed);
                throw failed;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel("interrupted");
        } finally {
            threads.shutdown();
            heartbeat.shutdownNow();
        }
        return cancel.isCancelled();
    }

    /**
     * This worker stops on {@code failure} (the catalog went away mid-run, most likely) with items it claimed but could not
     * record: they and its org leases expire now, if the catalog answers, so that --resume from any host goes on at once
     * and the next operation on one of those orgs recovers it by its recorded state; each item says why the run stopped
     * (not failed: the org is not to blame), and the run, its heartbeat stale, reads abandoned at once. If the catalog does
     * not answer, they expire with the heartbeat that stopped, a lease later (abandoned then, as after a kill).
     */
    private void letGo(String runId, RuntimeException failure) {
        try {
            ctx.catalog().runs().expireHolder(runId, me.id(), STOPPED + io.tenantctl.ops.Errors.oneLine(failure), LEASE_SECONDS);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** How the error of an item in flight when its worker stopped on a failure not its org's begins. */
    public static final String STOPPED = "not finished: the run stopped: ";

    /**
     * A run this worker could not carry on or settle: the failure, said as the run's, with the command that goes on from
     * where it stopped once the cause is mended. The run is left as it was (abandoned once its leases expire).
     */
    private static TenantctlException stopped(String verb, String runId, RuntimeException e) {
        TenantctlException.Category category = e instanceof TenantctlException te ? te.category() : TenantctlException.Category.INTERNAL;
        String why = e instanceof TenantctlException ? e.getMessage()
                : "unexpected " + e.getClass().getSimpleName() + ": " + io.tenantctl.ops.Errors.oneLine(e) + " (run with -v for the stack trace)";
        return new TenantctlException(category, verb + " run " + runId + " stopped: " + why + "; the run is kept: once that is mended, '"
                + io.tenantctl.ops.Runs.command(verb) + " --resume " + runId + "' goes on from where it stopped ('tenantctl runs cancel "
                + runId + "' ends it)", e).withRunId(runId);
    }

    /**
     * How many claim loops (threads) this worker starts on a run whose open items (pending, held or running) are
     * {@code openByPool}: never more than --concurrency, nor than the items could keep busy at once — each pool at
     * most --per-pool of its open items (the claim's limit, over every worker) — so one org does not start 16
     * threads. At least one, which finds the run ended or finishes it.
     */
    private static int loops(Map<String, Integer> openByPool, Settings settings) {
        long busy = 0;
        for (int open : openByPool.values()) {
            busy += Math.min(open, settings.perPool());
        }
        return (int) Math.max(1, Math.min(settings.concurrency(), busy));
    }

    /**
     * A verb's run from start to report, the lifecycle every fan-out verb shares. With --join or --resume: the named run,
     * checked to be a {@code verb} run, whose work {@code work} makes from the run as recorded (its stored arguments)
     * before it is reopened, so that a worker that cannot work on it refuses with the run untouched; a joined run that
     * is already over is only reported. Otherwise {@code start} selects and records a new run and returns its id; with
     * --detach nobody works on it here, else this worker does, with the same {@code work} a joiner would make: progress
     * over what is left in the run, {@link #work}, then the run's status settled by {@link #finish}.
     */
    public Ran run(String verb, Drive drive, OutcomeNames names, java.util.function.Supplier<String> start,
                   java.util.function.Function<RunRepository.Run, Work> work) {
        RunControl control = drive.control();
        String runId;
        if (control.existing()) {
            runId = control.runId();
        } else {
            creator = control.detach() ? null : me.id(); // this worker beats for the run it starts from its creation on
            perPool = drive.settings().perPool(); // recorded with it, before its id is shown to any worker
            runId = start.get();
            drive.cancel().recorded(runId, verb); // a catalog lost from now on names it
        }
        try {
            return run(verb, runId, drive, names, work);
        } catch (RuntimeException e) {
            throw lost(verb, runId, control, e);
        }
    }

    /** {@link #run(String, Drive, OutcomeNames, java.util.function.Supplier, java.util.function.Function)} once its run's id is known. */
    private Ran run(String verb, String runId, Drive drive, OutcomeNames names, java.util.function.Function<RunRepository.Run, Work> work) {
        RunControl control = drive.control();
        Work w = null;
        if (control.existing()) {
            RunRepository.Run named = runOf(runId, verb);
            drive.cancel().recorded(runId, verb);
            w = work.apply(named);
            if (existing(control, verb).isEmpty()) {
                RunReport over = workersReport(runId, names);
                // said first, not only its table again; not when its verb does a last step of its own on --resume (verify: the fleet checks)
                if (control.resumeRunId() != null && over.status() == RunStatus.SUCCEEDED && !w.lastStep()) {
                    ctx.notices().accept("run " + runId + " had already succeeded (" + io.tenantctl.Counted.of(over.total(), "org") + "): nothing was redone");
                }
                return new Ran(over, false);
            }
        } else if (control.detach()) {
            // a run with nothing to do (every org already final) is over now, not left running for a joiner: judged as a
            // worker's would be, by what its verb leaves undone (its work made only then, from the run as recorded)
            finish(runId, false, () -> work.apply(ctx.catalog().runs().get(runId)).undone().get());
            return new Ran(workersReport(runId, names), false);
        }
        RunRepository.Run run = ctx.catalog().runs().get(runId);
        w = w != null ? w : work.apply(run);
        drive.cancel().workingOn(runId, verb); // a second Ctrl-C names it
        Map<String, Integer> counts = ctx.catalog().runs().counts(runId);
        drive.progress().begin(verb, counts.getOrDefault(ItemStatus.PENDING.db(), 0) + counts.getOrDefault(ItemStatus.HELD.db(), 0)
                + counts.getOrDefault(ItemStatus.RUNNING.db(), 0));
        Settings settings = drive.settings().forRun(run);
        try {
            boolean interrupted;
            try {
                interrupted = work(runId, w.job(), settings, w.budget(), drive.cancel(), drive.progress());
            } finally {
                drive.progress().end();
            }
            // a Ctrl-C that left nothing undone (every org in flight finished, none failed) interrupted nothing
            interrupted = finish(runId, interrupted, w.undone());
            return new Ran(workersReport(runId, names), interrupted);
        } catch (RuntimeException e) {
            throw stopped(verb, runId, e);
        }
    }

    /**
     * {@code e}, a catalog lost once run {@code runId} was recorded (or named, --join/--resume) but before or after its
     * work, where no line named the run: said as the run's, with its next step. A run this worker was to work on stopped
     * ({@link #stopped}: its --resume); a --detach'ed one is left for its workers (its --join); a joined or resumed one is
     * as the catalog has it (the same --join or --resume). Anything else, or a failure that names its run already, as it is.
     */
    private static RuntimeException lost(String verb, String runId, RunControl control, RuntimeException e) {
        java.util.Optional<io.tenantctl.catalog.Catalog.Unreachable> lost = io.tenantctl.catalog.Catalog.Unreachable.in(e);
        if (lost.isEmpty() || (e instanceof TenantctlException te && te.runId() != null)) {
            return e;
        }
        TenantctlException said = e instanceof TenantctlException te ? te : lost.get();
        if (!control.existing() && !control.detach()) {
            return stopped(verb, runId, said);
        }
        String command = io.tenantctl.ops.Runs.command(verb);
        String next = control.detach() ? verb + " run " + runId + " was recorded for workers to join: once the catalog answers, start them with '"
                + command + " --join " + runId + "'"
                : "run " + runId + " is kept as the catalog has it: once the catalog answers, '" + command
                + (control.joinRunId() != null ? " --join " : " --resume ") + runId + "' goes on with it";
        return new TenantctlException(said.category(), said.getMessage() + "; " + next + " ('tenantctl runs show " + runId
                + "' says where it stands)", e).withRunId(runId);
    }

    private RunRepository.Run runOf(String runId, String verb) {
        return runOf(ctx.catalog(), runId, verb);
    }

    /**
     * Run {@code runId} of {@code verb} as --join and --resume take it: one unknown, or of another verb, is a usage error
     * that says where to look (exit 2).
     */
    public static RunRepository.Run runOf(io.tenantctl.catalog.Catalog catalog, String runId, String verb) {
        RunRepository.Run run = catalog.runs().get(runId);
        if (!run.verb().equals(verb)) {
            throw TenantctlException.usage("run " + runId + " is a " + run.verb() + " run, not " + verb + ": 'tenantctl runs show " + runId
                    + "' says what it did and how it goes on");
        }
        return run;
    }

    /**
     * The run a --join or --resume names, checked to be a run of {@code verb}: reopened for --resume (its failed orgs
     * tried again); for --join, an interrupted run goes on (every worker was stopped at once, e.g. a drained node: its
     * orgs not started are what a retried worker is for; failed ones are left to --resume), and one that is otherwise
     * over — succeeded, failed, aborted or cancelled — is only reported (empty), as is a succeeded one --resume names
     * (nothing in it to do again; reopened, its finish time was rewritten).
     */
    private Optional<RunRepository.Run> existing(RunControl control, String verb) {
        String runId = control.runId();
        RunRepository.Run run = runOf(runId, verb);
        if (control.resumeRunId() != null && run.runStatus() != RunStatus.SUCCEEDED) { // one that succeeded is only reported
            reopen(runId);
            return Optional.of(ctx.catalog().runs().get(runId));
        }
        if (run.runStatus() == RunStatus.INTERRUPTED) {
            ctx.catalog().runs().continueInterrupted(runId);
            return Optional.of(ctx.catalog().runs().get(runId));
        }
        return run.runStatus() == RunStatus.RUNNING ? Optional.of(run) : Optional.empty();
    }

    private static String overBudget(Budget budget) {
        return "more orgs failed than --max-failures allows (" + budget.spec() + ")";
    }

    /** What an abort adds to its reason when some of the run's orgs were not started. */
    private static final String REST_UNTOUCHED = "; the rest were not touched";

    /**
     * One claimed item: its pool checked, its org's lease taken, the job run (unless the item was ended meanwhile), the
     * outcome recorded, the lease released.
     * Work that this worker's Ctrl-C ({@code cancel}) stopped and rolled back, or stopped by cutting a retry's backoff short
     * ({@link io.tenantctl.pool.Retry#cutShort}), is no outcome: the item goes back to the run.
     */
    private void process(String runId, Job job, RunRepository.Claimed c, Map<String, Pool> pools,
                         Map<String, Optional<RuntimeException>> poolHealth, Settings settings, Progress progress, CancelToken cancel) {
        RunRepository runs = ctx.catalog().runs();
        long t0 = System.nanoTime();
        Pool pool = c.poolId() == null ? null : pools.get(c.poolId());
        if (pool != null) {
            Optional<RuntimeException> dead = poolHealth.computeIfAbsent(pool.poolId(), id -> io.tenantctl.ops.PoolHealth.failure(ctx, pool));
            if (dead.isPresent()) {
                poolDoesNotAnswer(runId, job, c, dead.get(), progress, t0);
                return;
            }
        }
        OrgLeases orgLeases = orgLeases();
        String operation = job.leaseOperation();
        OrgLeases.Taken taken = operation == null ? null : orgLeases.take(c.orgId(), operation, runId);
        if (taken != null && !taken.ok()) {
            putBack(runId, job, c, taken.refusal(), false, settings, progress, t0);
            return;
        }
        // given back whatever happens once taken: a catalog error before the work (the item's read) stops this worker, and
        // the org is not held while its other orgs in flight finish, nor a lease's length after (its heartbeat renews it)
        try {
            if (taken != null) {
                if (taken.recovered() != null) { // a dead worker's leftovers put right: said as a fresh command's sweep says it
                    ctx.notices().accept(taken.recovered());
                }
                // ended while this worker took the lease (orgs forget skips the org's items under it): recorded so, nothing done
                ItemStatus now = runs.itemStatus(runId, c.orgId()).orElse(ItemStatus.SKIPPED);
                if (now == ItemStatus.SKIPPED || now == ItemStatus.CANCELLED) {
                    progress.advance(c.orgId(), true);
                    return;
                }
            }
            workAndRecord(runId, job, c, settings, progress, cancel, t0);
        } finally {
            if (taken != null) {
                orgLeases.release(c.orgId());
            }
        }
    }

    /**
     * The claimed org's pool does not answer ({@code why}): the item failed only while still this worker's (runs cancel,
     * orgs forget may have ended it), and the job told under the org's lease, as an outcome of the work is recorded; an
     * org another operation holds meanwhile (a new provision of it at work) is left to it, the job not told.
     * The job is told first, as failed work fails its org before its outcome is recorded: a worker that dies between the
     * two leaves the org failed under an item its dead worker held (the run's --resume, or any provision of the org, goes
     * on with it), never the org as it was (provisioning) under an item recorded failed, which only a --resume or verify --fix settled.
     */
    private void poolDoesNotAnswer(String runId, Job job, RunRepository.Claimed c, RuntimeException failure, Progress progress, long t0) {
        String why = io.tenantctl.ops.Errors.oneLine(failure);
        OrgLeases orgLeases = orgLeases();
        String operation = job.leaseOperation();
        OrgLeases.Taken taken = operation == null ? null : orgLeases.take(c.orgId(), operation, runId);
        if (taken != null && taken.recovered() != null) {
            ctx.notices().accept(taken.recovered());
        }
        try {
            RunRepository runs = ctx.catalog().runs();
            if ((taken == null || taken.ok()) && runs.runningClaim(runId, c.orgId()).filter(h -> me.id().equals(h.claimedBy())).isPresent()) {
                job.leftUndone(c.orgId(), why); // still this worker's, and under the org's lease nobody else ends it
            }
            boolean failed = runs.claimedItemFinished(runId, c.orgId(), me.id(), ItemStatus.FAILED.db(), 0, millis(t0), why,
                    RunReport.Mark.onto(null, failure)); // its pool's silence, as such
            if (failed) {
                recorded(runId, ItemStatus.FAILED);
            }
            progress.advance(c.orgId(), !failed);
        } finally {
            if (taken != null && taken.ok()) {
                orgLeases.release(c.orgId());
            }
        }
    }

    /**
     * The job run on a claimed item and its outcome recorded, under the org's lease (given back by the caller only after:
     * an 'orgs forget' or 'runs cancel' waiting for the org finds the item ended, with its error, not still running).
     */
    private void workAndRecord(String runId, Job job, RunRepository.Claimed c, Settings settings, Progress progress,
                               CancelToken cancel, long t0) {
        RunRepository runs = ctx.catalog().runs();
        Job.Done done;
        boolean interrupted = false;
        try {
            done = job.work(c.orgId(), c.poolId());
        } catch (Job.Busy b) {
            if (b.ownRun()) { // its own run's turn to wait for (a target slot another move of the run holds): never timed out
                ctx.catalog().runs().putBack(runId, c.orgId(), me.id(), 1, false);
            } else {
                putBack(runId, job, c, b.getMessage(), job.leaseOperation() != null, settings, progress, t0);
            }
            return;
        } catch (RuntimeException | OutOfMemoryError e) { // out of memory: this org failed, its memory is free again once unwound
            java.util.Optional<RuntimeException> stop = stopsTheRun(e);
            if (stop.isPresent()) {
                throw stop.get();
            }
            done = failed(e);
            String stoppedBy = stoppedBy(cancel, e, done.error());
            if (stoppedBy != null) {
                done = new Job.Done(done.status(), done.attempts(), stoppedBy, done.detailJson());
                interrupted = true;
            }
        }
        if (interrupted) {
            // stopped by this worker's Ctrl-C and rolled back: not the org's failure (no --max-failures, no canary),
            // not done — back to the run for another worker, a --join or --resume, saying why it is not done; or cancelled, the
            // run cancelled meanwhile ('runs cancel' left the org in flight to this worker): the job told, under the org's lease
            if (runs.claimedItemInterrupted(runId, c.orgId(), me.id(), millis(t0), done.error(), done.detailJson())
                    .filter(s -> s == ItemStatus.CANCELLED).isPresent()) {
                job.leftUndone(c.orgId(), done.error());
            }
            return;
        }
        if (!runs.claimedItemFinished(runId, c.orgId(), me.id(), done.status().db(), done.attempts(), millis(t0), done.error(), done.detailJson(),
                done.workedOn())) {
            return; // this worker outlived its lease and another took the org over: its outcome, not this one, is the org's
        }
        recorded(runId, done.status());
        progress.advance(c.orgId(), done.status() != ItemStatus.FAILED);
    }

    /**
     * What, behind an org's failure, is not the org's and stops the run instead (left claimed, the worker stops and its
     * claims go, for --resume to redo the org from its recorded state once it is mended): the catalog broke under the
     * org's work (what it recorded is unknown); a key this JVM cannot name as a file (a C locale); this process out of
     * file descriptors; the store full, refusing every write (an S3 key that may read the bucket but not write it), or
     * not serving (no answer, or 5xx such as SlowDown, past the client's retries).
     * Every org after it would fail alike, so each says how to mend the environment.
     */
    private static java.util.Optional<RuntimeException> stopsTheRun(Throwable e) {
        return io.tenantctl.catalog.Catalog.Unreachable.in(e).<RuntimeException>map(x -> x)
                .or(() -> io.tenantctl.store.UnnameableKeyException.in(e))
                .or(() -> io.tenantctl.OutOfDescriptorsException.in(e))
                .or(() -> io.tenantctl.store.StoreFullException.in(e))
                .or(() -> io.tenantctl.store.StoreRefusesWritesException.in(e))
                .or(() -> io.tenantctl.store.StoreUnansweredException.in(e));
    }

    /**
     * Why work that threw {@code e} (said as {@code error}) is not done, when {@code cancel} (Ctrl-C) stopped it rather than
     * the org failing it: it was interrupted ({@link #interrupt}), or the Ctrl-C cut short the backoff of a call the pool
     * failed that was to be retried ({@link io.tenantctl.pool.Retry#cutShort}: nothing failed for good). Null otherwise.
     */
    private static String stoppedBy(CancelToken cancel, Throwable e, String error) {
        if (!cancel.isCancelled()) {
            return null;
        }
        return interrupt(e) ? error : io.tenantctl.pool.Retry.cutShort(e) ? io.tenantctl.ops.Errors.cutShort(e, error) : null;
    }

    /**
     * Whether {@code e} is, or was caused by, an interrupt (Ctrl-C/SIGTERM: {@link TenantctlException.Category#INTERRUPTED},
     * work stopped and rolled back to where it started), a verb's failure wrapping it (a backup abandoned mid-copy) too.
     */
    private static boolean interrupt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TenantctlException te && te.category() == TenantctlException.Category.INTERRUPTED) {
                return true;
            }
        }
        return false;
    }

    /**
     * How an org whose work threw {@code e} ended: failed, with the attempts and detail a {@link Job.Failure} carries, the
     * detail with the {@link RunReport.Mark}s of what is behind it (its pool did not answer…), as each verb's work throws it.
     */
    private static Job.Done failed(Throwable e) {
        return e instanceof Job.Failure f ? new Job.Done(ItemStatus.FAILED, f.attempts(), f.getMessage(), RunReport.Mark.onto(f.detailJson(), f))
                : e instanceof OutOfMemoryError oom ? new Job.Done(ItemStatus.FAILED, 1, TenantctlException.outOfMemory(oom).getMessage(), null)
                : new Job.Done(ItemStatus.FAILED, 1, io.tenantctl.ops.Errors.oneLine(e), RunReport.Mark.onto(null, e));
    }

    /**
     * A dry run of {@code items}, as {@link #start} would record them, reported in their order: {@code work} (org id, pool
     * id) on each org to do, fanned out under the drive's limits with the real run's pool check first (an org on a pool
     * that does not answer is failed as the run would fail it), recording nothing and taking no lease. Each org is
     * planned, unchanged (nothing to do), skipped or failed as its {@link Job.Done} says; after Ctrl-C, the orgs not
     * reached, and those it stopped as it would stop them in the run, are not_started. An item the run would end before
     * starting is reported with its status and why. Each org's line, as the verb shows it ({@code line}), is handed on as
     * each {@link ReportLines#PAGE} of the items is done, the page's in their order: the report keeps their counts, not the
     * lines (a fleet's are many), which are held in memory up to a page and spooled past it ({@link PlannedLines}).
     */
    public Planned plan(String verb, List<RunRepository.NewItem> items, Drive drive, java.util.function.BiFunction<String, String, Job.Done> work,
                        java.util.function.UnaryOperator<RunReport.Org> line) {
        return plan(verb, each -> {
            for (int from = 0; from < items.size(); from += ReportLines.PAGE) {
                each.accept(items.subList(from, Math.min(items.size(), from + ReportLines.PAGE)));
            }
        }, drive, work, line);
    }

    /**
     * As {@link #plan(String, List, Drive, java.util.function.BiFunction, java.util.function.UnaryOperator)}, of the items
     * {@code items} selects, read a page at a time as they are planned (on one catalog connection held meanwhile): a
     * fleet's selection is never held at once either.
     */
    public Planned plan(String verb, RunRepository.Items items, Drive drive, java.util.function.BiFunction<String, String, Job.Done> work,
                        java.util.function.UnaryOperator<RunReport.Org> line) {
        return plan(verb, each -> items.forEachPage(ctx.catalog(), ReportLines.PAGE, each), drive, work, line);
    }

    private Planned plan(String verb, java.util.function.Consumer<java.util.function.Consumer<List<RunRepository.NewItem>>> pages, Drive drive,
                         java.util.function.BiFunction<String, String, Job.Done> work, java.util.function.UnaryOperator<RunReport.Org> line) {
        Map<String, Pool> pools = ctx.catalog().pools().byId();
        Map<String, RuntimeException> dead = new HashMap<>(); // each pool's check made once, when its first org is planned
        java.util.Set<String> checked = new java.util.HashSet<>();
        PlannedLines planned = new PlannedLines();
        boolean[] interrupted = {drive.cancel().isCancelled()};
        pages.accept(page -> {
            List<Pool> unchecked = page.stream().filter(i -> i.status() == null).map(RunRepository.NewItem::poolId).distinct()
                    .filter(p -> p != null && checked.add(p)).map(pools::get).filter(java.util.Objects::nonNull).toList();
            dead.putAll(io.tenantctl.ops.PoolHealth.failures(ctx, unchecked));
            List<Fanout.Item> toDo = page.stream().filter(i -> i.status() == null).map(i -> new Fanout.Item(i.orgId(), i.poolId())).toList();
            Map<String, RunReport.Org> lines = new HashMap<>();
            if (drive.cancel().isCancelled()) { // a Ctrl-C before this page: none of its orgs reached
                toDo.forEach(i -> lines.put(i.id(), notReached(i)));
                interrupted[0] = true;
            } else {
                Fanout.Result<Job.Done> fan = Fanout.run(toDo, drive.settings().fanout(), item -> item.group() != null && dead.containsKey(item.group())
                        ? new Job.Done(ItemStatus.FAILED, 0, io.tenantctl.ops.Errors.oneLine(dead.get(item.group())), RunReport.Mark.onto(null,
                        dead.get(item.group()))) : work.apply(item.id(), item.group()), new Fanout.Listener<>() {
                        }, drive.cancel());
                fan.outcomes().forEach(o -> lines.put(o.item().id(), planned(o, drive.cancel())));
                fan.notStarted().forEach(i -> lines.put(i.id(), notReached(i)));
                interrupted[0] = fan.cancelled();
            }
            page.stream().filter(i -> i.status() != null)
                    .forEach(i -> lines.put(i.orgId(), new RunReport.Org(i.orgId(), i.poolId(), i.status().db(), 0, 0, i.error(), i.detail())));
            page.forEach(i -> planned.accept(line.apply(lines.get(i.orgId()))));
        });
        return planned.planned(verb, interrupted[0]);
    }

    /**
     * A dry run's line of an org it worked on: what the run would record, named as it would be; what the run would do is
     * "planned" (nothing attempted: no attempts, no time); one Ctrl-C stopped, not_started.
     */
    private static RunReport.Org planned(Fanout.Outcome<Job.Done> o, CancelToken cancel) {
        Job.Done d = o.ok() ? o.value() : failed(o.error());
        String stoppedBy = o.ok() ? null : stoppedBy(cancel, o.error(), d.error());
        boolean planned = stoppedBy == null && d.status() == ItemStatus.SUCCEEDED;
        return new RunReport.Org(o.item().id(), o.item().group(), stoppedBy != null ? "not_started" : planned ? "planned" : d.status().db(),
                planned ? 0 : d.attempts(), planned ? 0 : o.millis(), stoppedBy != null ? stoppedBy : d.error(), stoppedBy != null ? null : d.detailJson());
    }

    /** A dry run's line of an org a Ctrl-C came before. */
    private static RunReport.Org notReached(Fanout.Item i) {
        return new RunReport.Org(i.id(), i.group(), "not_started", 0, 0, "not started: dry run interrupted", null);
    }

    /** How the error of an item failed for waiting past --busy-timeout ends (its org, or a move's target slot, held). */
    private static final String WAITED_PAST_BUSY_TIMEOUT = "; pass --wait to wait for it)";

    /** Whether an item's error says it failed before its work, having waited past --busy-timeout for what held it. */
    public static boolean waitedPastBusyTimeout(String error) {
        return error != null && error.endsWith(WAITED_PAST_BUSY_TIMEOUT);
    }

    /**
     * The item's org (or something else it needs) is busy: back to the run, to be claimed again; failed once it waited too
     * long. An item ended by whoever holds its org (runs cancel, orgs forget), before the hand-back or between it and the
     * failing, is left so: neither it nor its org is failed. The job is told only while this worker holds the org's lease
     * ({@code leased}: something else it needs was busy), and first, as {@link #poolDoesNotAnswer} tells it; an org another
     * operation holds (a new provision of it at work) is that one's, the job not told: failed under it, a provision's org
     * read failed while the other provision was making it. One write, then: a worker killed there leaves nothing half-said.
     */
    private void putBack(String runId, Job job, RunRepository.Claimed c, String refusal, boolean leased, Settings settings,
                         Progress progress, long t0) {
        RunRepository runs = ctx.catalog().runs();
        java.util.OptionalLong waited = runs.putBack(runId, c.orgId(), me.id(), 1);
        if (waited.isEmpty()) {
            progress.advance(c.orgId(), true);
        } else if (!settings.waitForOrgs() && waited.getAsLong() >= settings.busyTimeoutSeconds()) {
            if (leased && runs.itemStatus(runId, c.orgId()).filter(s -> s == ItemStatus.PENDING).isPresent()) {
                job.leftUndone(c.orgId(), refusal); // still as handed back, and under the org's lease nobody else ends it
            }
            boolean failed = runs.busyItemFailed(runId, c.orgId(), millis(t0), refusal
                    + " (waited " + waited.getAsLong() + " s" + WAITED_PAST_BUSY_TIMEOUT);
            if (failed) {
                recorded(runId, ItemStatus.FAILED);
            }
            progress.advance(c.orgId(), !failed);
        }
    }

    /**
     * Nothing could be claimed: is the run done for this worker? Not while other workers hold items (one may fail and
     * release its org). A canary's held items are released once the canary passed, or the run aborted if it failed.
     */
    private boolean nothingLeft(String runId, Budget budget) {
        RunRepository runs = ctx.catalog().runs();
        Map<String, Integer> counts = runs.counts(runId);
        int running = counts.getOrDefault(ItemStatus.RUNNING.db(), 0);
        int pending = counts.getOrDefault(ItemStatus.PENDING.db(), 0);
        int held = counts.getOrDefault(ItemStatus.HELD.db(), 0);
        if (running > 0 || pending > 0) {
            return false; // others are working, or an item waits for its org or its pool's turn
        }
        if (held > 0) {
            int failed = counts.getOrDefault(ItemStatus.FAILED.db(), 0);
            if (failed > 0) {
                runs.abort(runId, "canary failed: " + (budget.canary() == 1 ? "the first org" : failed + " of the first " + budget.canary() + " orgs") + " failed; the rest were not touched");
                return true;
            }
            runs.releaseHeld(runId);
            return false;
        }
        return true;
    }

    /**
     * Ends the run if nothing is left in it: succeeded, or failed when an org failed, or interrupted when this worker
     * was stopped by Ctrl-C and no other worker is at work, or failed when its verb left work {@code undone}. A run another
     * worker is still on stays running. A Ctrl-C that came when every org had started, and after which none failed, left
     * nothing to resume: the run ends as if it had not come. Returns whether this worker's run stands interrupted.
     */
    private boolean finish(String runId, boolean interrupted, java.util.function.Supplier<String> undone) {
        RunRepository runs = ctx.catalog().runs();
        RunRepository.Run run = runs.get(runId);
        if (run.runStatus() != RunStatus.RUNNING) {
            return interrupted;
        }
        Map<String, Integer> counts = runs.counts(runId);
        int live = runs.activity(runId, LIVENESS).liveLeases();
        int open = counts.getOrDefault(ItemStatus.PENDING.db(), 0) + counts.getOrDefault(ItemStatus.HELD.db(), 0)
                + counts.getOrDefault(ItemStatus.RUNNING.db(), 0);
        boolean failed = counts.getOrDefault(ItemStatus.FAILED.db(), 0) > 0;
        interrupted = interrupted && (open > 0 || failed);
        if (interrupted && live == 0) {
            runs.finish(runId, RunStatus.INTERRUPTED.db());
        } else if (open == 0) {
            String why = undone.get();
            runs.finish(runId, failed || why != null ? RunStatus.FAILED.db() : RunStatus.SUCCEEDED.db(), why);
        }
        return interrupted;
    }

    /**
     * Makes a run workable again (--resume): failed, held and abandoned items back to pending. Items claimed by a worker
     * of this host whose process is gone are taken over at once rather than after their lease expires.
     */
    private void reopen(String runId) {
        RunRepository runs = ctx.catalog().runs();
        RunRepository.Run run = runs.get(runId);
        if (run.runStatus() == RunStatus.CANCELLED) {
            throw TenantctlException.usage("run " + runId + " was cancelled" + (run.reason() == null ? "" : " (" + run.reason() + ")")
                    + ": start a new " + run.verb() + " run instead");
        }
        List<String> dead = new ArrayList<>();
        runs.liveClaims(runId).forEach((org, holder) -> {
            if (Worker.parse(holder).knownDeadFrom(me)) {
                dead.add(org);
            }
        });
        runs.unclaim(runId, dead);
        runs.reopen(runId);
    }

    /** An outcome this worker recorded on an item of {@code runId}. */
    private void recorded(String runId, ItemStatus status) {
        recorded.computeIfAbsent(runId, k -> new ConcurrentHashMap<>()).merge(status, 1, Integer::sum);
    }

    /**
     * The run's {@link #report}, as this worker gives it: with the outcomes it recorded itself in this process (none for a
     * run it only created, --detach, or joined once it was over), named by {@code names}.
     */
    private RunReport workersReport(String runId, OutcomeNames names) {
        Map<String, Integer> mine = new java.util.TreeMap<>();
        recorded.getOrDefault(runId, Map.of()).forEach((status, n) -> mine.merge(names.of(status), n, Integer::sum));
        return report(runId, names).byThisWorker(mine);
    }

    /** The run as every verb reports it: status, counts, timings and each org's outcome, named by {@code names}. */
    public RunReport report(String runId, OutcomeNames names) {
        return report(ctx.catalog(), runId, names);
    }

    /** As {@link #report(String, OutcomeNames)}, read from {@code catalog} alone (runs show, which runs no engine). */
    public static RunReport report(io.tenantctl.catalog.Catalog catalog, String runId, OutcomeNames names) {
        RunRepository runs = catalog.runs();
        RunRepository.Run run = runs.get(runId);
        if (!names.keepsLines()) { // counts, timings (the orgs timed() takes) and the slowest, from the catalog: no lines held
            Map<String, Integer> counts = new LinkedHashMap<>();
            runs.counts(runId).forEach((status, n) -> counts.merge(names.of(ItemStatus.of(status)), n, Integer::sum));
            long[] t = runs.doneMillis(runId);
            List<RunReport.Org> slowest = runs.slowest(runId, RunReport.SLOWEST_KEPT).stream().map(i -> line(i, names)).toList();
            return RunReport.summary(runId, run.verb(), RunReport.displayStatus(run, runs.activity(runId, LIVENESS)), counts,
                    new Timings(t[0], t[1], t[2], (int) t[3], t[4]), slowest, run.reason(), runs.count(runId, ItemStatus.RUNNING.db()));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<RunReport.Org> orgs = new ArrayList<>();
        List<Long> millis = new ArrayList<>();
        Map<String, List<Long>> millisByPool = new java.util.TreeMap<>();
        int[] running = {0};
        runs.forEachItem(runId, names.usesDetail(), i -> { // streamed, detail only if used: a fleet's items are megabytes
            String outcome = names.of(i.itemStatus());
            running[0] += i.itemStatus() == ItemStatus.RUNNING ? 1 : 0; // claimed: a cancel leaves these to finish
            counts.merge(outcome, 1, Integer::sum);
            if (timed(i)) {
                millis.add(i.millis());
                millisByPool.computeIfAbsent(i.poolId() == null ? "" : i.poolId(), k -> new ArrayList<>()).add(i.millis());
            }
            orgs.add(line(i, names));
        });
        Map<String, Timings> byPool = new java.util.TreeMap<>();
        millisByPool.forEach((pool, ms) -> byPool.put(pool, Timings.of(ms)));
        return new RunReport(runId, run.verb(), RunReport.displayStatus(run, runs.activity(runId, LIVENESS)), counts, Timings.of(millis),
                byPool, orgs, run.reason(), running[0]);
    }

    /**
     * Run {@code runId}'s figures by pool, worked out by the catalog (no line held): its orgs by pool and outcome, named by
     * {@code names}; each pool's p50/p95/max, count and sum over the orgs {@link #timed} takes; its retries.
     */
    public static RunReport.ByPool byPool(io.tenantctl.catalog.Catalog catalog, String runId, OutcomeNames names) {
        RunRepository runs = catalog.runs();
        Map<String, Map<String, Integer>> orgs = new java.util.TreeMap<>();
        runs.countsByPool(runId).forEach((pool, counts) -> counts.forEach((status, n) -> orgs.computeIfAbsent(pool, k -> new java.util.TreeMap<>())
                .merge(names.of(ItemStatus.of(status)), n, Integer::sum)));
        Map<String, Timings> timings = new java.util.TreeMap<>();
        runs.doneMillisByPool(runId).forEach((pool, t) -> timings.put(pool, new Timings(t[0], t[1], t[2], (int) t[3], t[4])));
        return new RunReport.ByPool(orgs, timings, runs.retries(runId));
    }

    /** Whether an item's time counts in its run's timings: one with a time whose status is {@link ItemStatus#timed}. */
    static boolean timed(RunRepository.Item i) {
        return i.millis() != null && i.itemStatus().timed();
    }

    /** An item's line in its run's report, its outcome and detail as the verb names them. */
    static RunReport.Org line(RunRepository.Item i, OutcomeNames names) {
        return new RunReport.Org(i.orgId(), i.poolId(), names.of(i.itemStatus()), i.attempts(), i.millis() == null ? 0 : i.millis(), i.error(),
                names.detail(i.detail()));
    }

    private static boolean waitForRate(String poolId, Map<String, Long> nextStart, long intervalNanos, CancelToken stop) {
        if (intervalNanos == 0) {
            return true;
        }
        long due;
        synchronized (nextStart) {
            long now = System.nanoTime();
            due = Math.max(now, nextStart.getOrDefault(String.valueOf(poolId), now));
            nextStart.put(String.valueOf(poolId), io.tenantctl.fanout.Fanout.later(due, intervalNanos));
        }
        long wait = due - System.nanoTime();
        return wait <= 0 || stop.pause(wait);
    }

    private static long millis(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
