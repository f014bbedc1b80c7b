package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.FindingRepository;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.PoolStatus;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.PlannedLines;
import io.tenantctl.ops.run.ReportLines;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tenantctl rebalance}: plan moves that even out the pools (draining pools emptied first), apply them on the
 * run engine (one move per source and per target pool at a time by default), move one org, show, revert, resume and
 * clean up moves. Each move is a {@link Mover} state machine persisted in the moves table; {@code gc} is the one
 * place where databases an org no longer points at (a move's retained source, a restore's replaced database, an
 * aborted move's leftover target) are dropped.
 */
public final class Rebalance {

    public static final String VERB = "rebalance", DONE = "moved";

    /**
     * What a move's run item's detail holds when it was refused as its plan is out of date — its org moved since (stale),
     * or was deleted and purged (nothing to move; see {@link #refused}) — each a JSON object contained in that detail: its
     * run's --resume would be refused alike; the way on, as the apply says, is a new plan.
     */
    static final String NEEDS_A_NEW_PLAN = "[{\"refused\": \"stale\"}, {\"refused\": \"org\", \"org_status\": \"deleted\"}]";
    /** The org lease a move holds; a second operation on the org is refused naming it. */
    static final String LEASE = "move";

    /** What a plan is made of: by orgs or size, the threshold, at most how many moves, which pools, which orgs to leave. */
    public record PlanRequest(String by, double threshold, int maxMoves, List<String> pools, List<String> exclude) {
        public PlanRequest {
            pools = pools == null ? List.of() : List.copyOf(pools);
            exclude = exclude == null ? List.of() : List.copyOf(exclude);
            List<String> bad = io.tenantctl.catalog.OrgId.problems(exclude);
            if (!bad.isEmpty()) {
                throw TenantctlException.usage("--exclude: " + bad.get(0));
            }
        }
    }

    /** A move as a plan shows it, with its predicted freeze. */
    public record PlannedMove(String orgId, String fromPool, String toPool, long docs, long bytes, long predictedFreezeMs, String reason) {
    }

    public record PoolLine(String poolId, String status, int capacity, int orgsBefore, int orgsAfter, long bytesBefore, long bytesAfter,
                           double loadBefore, double loadAfter) {
    }

    /**
     * {@code rebalance plan}: the moves, each pool before and after, and notes (what could not be planned, and why).
     * {@code unplaced}: orgs of draining pools no active pool had room for (org → pool); their notes say so too.
     * {@code catalogId}: the catalog it was made against ({@code Catalog.id}), which {@code apply --plan} holds it to.
     */
    public record Plan(String catalogId, String by, double threshold, double bytesPerMs, List<PoolLine> pools, List<PlannedMove> moves, List<String> notes,
                       Map<String, String> unplaced) {
    }

    /** Per-move limits: --max-freeze, --freeze-grace, --force. */
    public record Limits(Duration maxFreeze, Duration freezeGrace, boolean force) {
        public Limits {
            if (maxFreeze.isNegative() || freezeGrace.isNegative()) {
                throw TenantctlException.usage("--max-freeze and --freeze-grace must not be negative");
            }
        }

        Mover.Limits mover() {
            return new Mover.Limits(maxFreeze.toMillis(), freezeGrace.toMillis(), force);
        }
    }

    /**
     * {@code rebalance apply} (and {@code move}, a plan of one): the plan's moves ({@code moves}; null = plan now with
     * {@code planRequest}), their limits, and how the run is driven.
     */
    public record ApplyRequest(List<PlannedMove> moves, PlanRequest planRequest, Limits limits, boolean dryRun, RunEngine.Drive drive,
                               SavedPlan saved) {
        /** Moves not read from a plan file ({@code saved}: the file {@code moves} were read from, held to this catalog). */
        public ApplyRequest(List<PlannedMove> moves, PlanRequest planRequest, Limits limits, boolean dryRun, RunEngine.Drive drive) {
            this(moves, planRequest, limits, dryRun, drive, null);
        }
    }

    /** A plan file read back: its name, the catalog it was made against (null: written before plans said) and its moves. */
    public record SavedPlan(String file, String catalogId, List<PlannedMove> moves) {
    }

    /**
     * What a rebalance run records: the moves (org → target) and their limits, for joiners and resumers; and, for a
     * run that planned itself, the orgs its plan could not place off their draining pools ({@code unplaced}: org → that
     * pool; null in runs recorded before it was), so that whichever worker ends the run judges the drain as its planner
     * would: orgs still there leave it undone; and its plan's {@code notes} (why they could not be placed: a pool with room
     * outside --pool, one that did not answer), which a worker that did not plan the run prints with that judgement.
     */
    record Args(List<Target> moves, long maxFreezeMs, long freezeGraceMs, boolean force, Map<String, String> unplaced, List<String> notes) {
        Args {
            unplaced = unplaced == null ? Map.of() : unplaced;
            notes = notes == null ? List.of() : notes;
        }
    }

    record Target(String org, String from, String to) {
    }

    /**
     * {@code rebalance apply/move}: the run as every verb reports it (outcomes moved, failed, not_started; a dry run's
     * planned) — a run's report its counts, timings and slowest, no org's line held — and each org's line ({@code lines},
     * a run's read from its items a page at a time, a dry run's as it planned them, spooled past a page), each move's figures
     * in its detail: move_id, to_pool, docs, bytes, freeze_ms, copy_ms, mb_per_s.
     */
    public record Result(RunReport report, boolean interrupted, List<String> notes, Map<String, List<String>> leftOnDraining, ReportLines lines) {
    }

    /** One move as {@code rebalance status} shows it. */
    public record MoveView(String moveId, String orgId, String state, String fromPool, String toPool, String toDatabase, Long docsTotal,
                           long docsCopied, Long bytesTotal, Long freezeMs, Long copyMs, long elapsedMs, Long etaMs, Instant startedAt,
                           Instant updatedAt, String runId, String error) {
    }

    /**
     * What gc did (or would do) to one database; {@code acked}: one kept for a person whose verify finding a person acked
     * ({@code verify ack}: looked at, kept on purpose until then), so it is no reason to exit 1. Null otherwise.
     */
    public record GcItem(String poolId, String databaseName, String orgId, String kind, String action, String detail, GcAck acked) {
        public GcItem(String poolId, String databaseName, String orgId, String kind, String action, String detail) {
            this(poolId, databaseName, orgId, kind, action, detail, null);
        }

        /** Kept for a person to look at (see {@link GcResult#failed}), acked or not. */
        boolean forAPerson() {
            return action.equals("kept") && !DatabaseGc.inUse(detail) && !Errors.NOT_REACHED.equals(detail);
        }
    }

    /** The ack of the verify finding naming a database gc keeps: its id, until when (the catalog's clock) and why. */
    public record GcAck(String findingId, Instant until, String reason) {
    }

    /** The verify findings that name a database gc may keep for a person: an ack of one says a person looked at it. */
    static final List<String> COPY_FINDINGS = List.of("retained_copy", "retained_copy_overdue", "move_leftover");

    /**
     * {@code interrupted}: Ctrl-C/SIGTERM stopped it; the databases not reached are kept, saying so. {@code withinGrace}:
     * the retired databases not yet older than --older-than, not listed (nothing to do yet: a later gc drops them).
     */
    public record GcResult(boolean dryRun, List<GcItem> items, List<String> unfinishedMoves, boolean interrupted, String next,
                           long withinGrace) {

        /**
         * Whether gc left something for a person, as {@code orgs purge} counts it (exit 1): a database it could not drop
         * ({@code failed}), one it did not decide on ({@code skipped}: busy, a pool down — run it again), or one it kept
         * for a reason a person must look at (written since, no ledger to compare, holding more than its move could
         * write) — unless its verify finding is acked: a person looked and keeps it. Not one kept because an org's pointer
         * names it (in use: not garbage), nor one an interrupt did not reach (that is exit 130's), nor a database still within
         * --older-than, which gc does not list at all.
         */
        public boolean failed() {
            return keptForAPerson() > 0 || skippedOrFailed() > 0;
        }

        /** The databases gc did not decide on or could not drop ({@code skipped}, {@code failed}): see their detail, run gc again. */
        public long skippedOrFailed() {
            return items.stream().filter(i -> i.action().equals("failed") || i.action().equals("skipped")).count();
        }

        /** The databases kept for a person to look at (see {@link #failed}). */
        public long keptForAPerson() {
            return items.stream().filter(i -> i.forAPerson() && i.acked() == null).count();
        }

        /** The databases kept that a person looked at: their verify finding acked. */
        public long keptAcked() {
            return items.stream().filter(i -> i.forAPerson() && i.acked() != null).count();
        }
    }

    private final OpsContext ctx;
    private final Mover.Hooks hooks;

    public Rebalance(OpsContext ctx) {
        this(ctx, Mover.Hooks.NONE);
    }

    /** With a test seam told after every step of every move. */
    Rebalance(OpsContext ctx, Mover.Hooks hooks) {
        this.ctx = ctx;
        this.hooks = hooks;
    }

    // ---------------------------------------------------------------- plan

    /**
     * The moves {@code rebalance apply} (no --plan) would make now: planned after its sweep, so the places of dead restores
     * that sweep gives back ({@link LeaseRecovery#placesGivenBack}) are counted as free.
     */
    public Plan plan(PlanRequest req) {
        return plan(req, LeaseRecovery.placesGivenBack(ctx));
    }

    /** As {@link #plan(PlanRequest)}, counting {@code givenBack} (pool → places) as free. */
    private Plan plan(PlanRequest req, Map<String, Integer> givenBack) {
        MovePlanner.By by = switch (req.by() == null ? "orgs" : req.by()) {
            case "orgs" -> MovePlanner.By.ORGS;
            case "size" -> MovePlanner.By.SIZE;
            default -> throw TenantctlException.usage("--by must be orgs or size, not '" + req.by() + "'");
        };
        if (!(req.threshold() >= 0) || Double.isInfinite(req.threshold())) { // NaN compares false with everything
            throw TenantctlException.usage("--threshold must be a fraction, 0 or more, not " + req.threshold());
        }
        if (req.maxMoves() < 0) {
            throw TenantctlException.usage("--max-moves must not be negative");
        }
        Orgs.named(ctx.catalog(), req.exclude()); // a mistyped --exclude would plan the very org it meant to protect
        List<Pool> all = ctx.catalog().pools().list().stream().map(p -> !givenBack.containsKey(p.poolId()) ? p : new Pool(p.poolId(),
                p.uri(), p.capacity(), p.status(), p.priority(), p.createdAt(), p.orgCount() - givenBack.get(p.poolId()))).toList();
        Set<String> known = new HashSet<>();
        all.forEach(p -> known.add(p.poolId()));
        for (String p : req.pools()) {
            if (!known.contains(p)) {
                ctx.catalog().pools().get(p); // the unknown pool's error, with the known ones
            }
        }
        List<Pool> inScope = all.stream().filter(p -> p.status() != PoolStatus.DISABLED)
                .filter(p -> req.pools().isEmpty() || req.pools().contains(p.poolId())).toList();
        // a pool that does not answer can be neither a source nor a target: left out, said, instead of failing the plan on
        // its first org's size
        Map<String, String> dead = PoolHealth.unreachable(ctx, inScope);
        List<Pool> scope = inScope.stream().filter(p -> !dead.containsKey(p.poolId())).toList();
        Set<String> moving = new HashSet<>();
        List<String> leavingFrom = new ArrayList<>(); // a move in flight: its org counted on its target, and still on its source
        ctx.catalog().moves().unfinished().forEach(m -> {
            moving.add(m.orgId());
            if (m.state().beforeFlip()) {
                leavingFrom.add(m.fromPool());
            }
        });
        // orgs another rebalance run has still to move: planned again here, that run's workers would find them moved
        Map<String, String> queued = ctx.catalog().runs().queued(VERB);
        queued.keySet().removeAll(moving);
        moving.addAll(queued.keySet());
        Mover mover = new Mover(ctx, hooks);
        List<MovePlanner.OrgFigures> figures = figures(scope, req.exclude(), moving, mover);
        Map<String, Integer> silentWithRoom = new java.util.HashMap<>();
        inScope.stream().filter(x -> dead.containsKey(x.poolId()) && x.status() == PoolStatus.ACTIVE && x.free() > 0)
                .forEach(x -> silentWithRoom.put(x.poolId(), x.free()));
        MovePlanner.Plan p = new MovePlanner(by, req.threshold(), req.maxMoves()).leavingOut(silentWithRoom).withMovesInFlight(leavingFrom).plan(withQueued(scope, queued), figures);
        double rate = mover.bytesPerMs();
        List<PlannedMove> moves = p.moves().stream().map(m -> new PlannedMove(m.orgId(), m.fromPool(), m.toPool(), m.docs(), m.bytes(),
                (long) Math.ceil(m.bytes() / rate), m.reason())).toList();
        List<PoolLine> pools = p.pools().stream().map(l -> new PoolLine(l.poolId(), l.status().db(), l.capacity(), l.orgsBefore(),
                l.orgsAfter(), l.bytesBefore(), l.bytesAfter(), l.loadBefore(), l.loadAfter())).toList();
        List<String> notes = new ArrayList<>();
        new java.util.TreeMap<>(dead).forEach((pool, why) -> notes.add(why + ": left out of the plan (nothing moves off it or onto it); "
                + "see 'tenantctl pools stats " + pool + "'" + all.stream().filter(x -> x.poolId().equals(pool) && x.orgCount() > 0).findFirst()
                .map(x -> "; a move reads its source, so should its server be gone for good, " + restoreOffALostPool(pool, x.orgCount(), "")).orElse("")));
        notes.addAll(p.notes());
        List<String> outsideWithRoom = all.stream().filter(x -> !req.pools().isEmpty() && !req.pools().contains(x.poolId())
                && x.status() == PoolStatus.ACTIVE && x.free() > 0).map(Pool::poolId).toList();
        if (!p.unplaced().isEmpty() && !outsideWithRoom.isEmpty()) { // room there: --pool, not capacity, is what keeps them
            boolean one = outsideWithRoom.size() == 1;
            notes.add((one ? "pool " : "pools ") + String.join(", ", outsideWithRoom) + (one ? " has room but is" : " have room but are")
                    + " not in --pool: name " + (one ? "it" : "them") + " there too ('--pool " + String.join(",", req.pools()) + ","
                    + String.join(",", outsideWithRoom) + "') to drain into " + (one ? "it" : "them"));
        }
        if (moving.size() > queued.size()) {
            notes.add(io.tenantctl.Counted.of(moving.size() - queued.size(), "org") + " with an unfinished move left out: see 'tenantctl rebalance status'");
        }
        new java.util.TreeSet<>(queued.values()).forEach(run -> {
            int n = java.util.Collections.frequency(queued.values(), run);
            notes.add(io.tenantctl.Counted.of(n, "org") + " still to be moved by run " + run + " left out: its workers move "
                    + io.tenantctl.Counted.them(n) + " ('tenantctl rebalance apply --join " + run + "'), or 'tenantctl runs cancel " + run
                    + "' lets " + io.tenantctl.Counted.them(n) + " be planned again");
        });
        return new Plan(ctx.catalog().id(), by.name().toLowerCase(java.util.Locale.ROOT), req.threshold(), Math.round(rate * 10) / 10.0, pools, moves, notes,
                p.unplaced());
    }

    /**
     * The pools in scope as they will be once the other rebalance runs' queued moves are done: each queued org counted
     * on its target and off its source. A queued move reserves no place until its worker starts it (moves in flight are
     * in the pools' counts already), so a plan that did not count them would fill the places that run was planned into.
     * An org already on its target (its move flipped, its item not yet recorded) is counted where it is.
     */
    private List<Pool> withQueued(List<Pool> scope, Map<String, String> queued) {
        Map<String, Integer> delta = new java.util.HashMap<>();
        Map<String, Map<String, Target>> byRun = new java.util.HashMap<>();
        for (Map.Entry<String, String> q : queued.entrySet()) {
            Target t = byRun.computeIfAbsent(q.getValue(), run -> {
                Map<String, Target> targets = new java.util.HashMap<>();
                ctx.catalog().runs().find(run).ifPresent(r -> Json.read(run, r.args(), Args.class).moves().forEach(m -> targets.put(m.org(), m)));
                return targets;
            }).get(q.getKey());
            Optional<Org> org = ctx.catalog().orgs().find(q.getKey());
            if (t == null || org.isEmpty() || org.get().poolId().equals(t.to())) {
                continue;
            }
            delta.merge(t.to(), 1, Integer::sum);
            delta.merge(org.get().poolId(), -1, Integer::sum);
        }
        return scope.stream().map(p -> delta.getOrDefault(p.poolId(), 0) == 0 ? p : new Pool(p.poolId(), p.uri(), p.capacity(), p.status(),
                p.priority(), p.createdAt(), Math.max(0, p.orgCount() + delta.get(p.poolId())))).toList();
    }

    /** Docs and bytes (dbStats) of every movable org on the pools in scope, read 8 at a time. */
    private List<MovePlanner.OrgFigures> figures(List<Pool> scope, List<String> exclude, Set<String> moving, Mover mover) {
        List<Org> orgs = new ArrayList<>();
        Map<String, Pool> byId = new LinkedHashMap<>();
        for (Pool p : scope) {
            byId.put(p.poolId(), p);
            ctx.catalog().orgs().list(p.poolId(), null).stream()
                    .filter(o -> o.status().equals(Org.ACTIVE) || o.status().equals(Org.READ_ONLY))
                    .filter(o -> !exclude.contains(o.orgId()) && !moving.contains(o.orgId()))
                    .forEach(orgs::add);
        }
        return Parallel.map("plan-dbstats", 8, orgs, o -> {
            Errors.stopIfCancelled(ctx, "while sizing orgs for the plan: nothing planned");
            Mover.Size s;
            try {
                s = mover.size(byId.get(o.poolId()), o.databaseName());
            } catch (com.mongodb.MongoException e) { // answered the ping, then stopped: one line naming it, exit 3
                io.tenantctl.OutOfDescriptorsException.throwIfOurs(e); // unless this process could not open the socket
                // a server error is an answer: a refusal (code 13, a user without dbStats) is not told as a silence
                boolean refused = !io.tenantctl.pool.FerretErrors.notAnswering(e);
                throw TenantctlException.config("pool " + o.poolId() + (refused ? " refused reading org " + o.orgId() + "'s size"
                        : " stopped answering while the plan read org " + o.orgId() + "'s size") + ": " + Errors.oneLine(e)
                        + (io.tenantctl.pool.FerretErrors.unauthorized(e) ? " (" + io.tenantctl.pool.FerretErrors.UNAUTHORIZED_HINT + ")" : "")
                        + "; nothing planned; see 'tenantctl pools stats " + o.poolId() + "'");
            }
            return new MovePlanner.OrgFigures(o.orgId(), o.poolId(), s.docs(), s.bytes());
        }, "sizing orgs for the plan");
    }

    /** A plan of one move ({@code rebalance move ORG --to POOL}), with its size and predicted freeze. */
    public PlannedMove planOne(String orgId, String toPool) {
        String problem = io.tenantctl.catalog.OrgId.problem(orgId);
        if (problem != null) {
            throw TenantctlException.usage(problem);
        }
        Org org = ctx.catalog().orgs().get(orgId);
        Pool to = ctx.catalog().pools().get(toPool);
        if (org.poolId().equals(to.poolId())) {
            throw TenantctlException.usage("org " + orgId + " is already on pool " + toPool);
        }
        String queuedBy = ctx.catalog().runs().pendingIn(VERB, orgId).orElse(null);
        if (queuedBy != null) { // moved now, that run's worker would fail it as a stale plan
            throw TenantctlException.config("org " + orgId + " is still to be moved by rebalance run " + queuedBy + ": 'tenantctl rebalance "
                    + "apply --join " + queuedBy + "' moves it, or 'tenantctl runs cancel " + queuedBy + "' first");
        }
        Pool from = ctx.catalog().pools().get(org.poolId());
        PoolHealth.require(ctx, from, "org " + orgId + "'s pool, the move's source");
        if (ctx.catalog().moves().refusal(orgId, toPool, 0).filter(r -> r.target()).isEmpty()) { // else the move says why it is refused
            PoolHealth.require(ctx, to, "the move's target");
        }
        Mover mover = new Mover(ctx, hooks);
        Mover.Size size = mover.size(from, org.databaseName());
        return new PlannedMove(orgId, org.poolId(), to.poolId(), size.docs(), size.bytes(), mover.predictFreezeMs(size.bytes(), 0), "requested");
    }

    /**
     * A single-org move refuses an org another operation holds at once, like every single-org command: a CONFIG error
     * (exit 3) naming the holder, and no run recorded. (Under --wait the run's worker waits for it instead.)
     */
    public void refuseIfBusy(String orgId) {
        engine().orgLeases().liveHolder(orgId).ifPresent(h -> {
            throw TenantctlException.config(h + ": wait for it (or pass --wait)");
        });
    }

    /** A plan written by {@code rebalance plan -o json}, read back for {@code apply --plan FILE}. */
    public static SavedPlan readPlan(String json, String source) {
        com.fasterxml.jackson.databind.JsonNode plan = planTree(json, source);
        com.fasterxml.jackson.databind.JsonNode moves = plan.path("moves");
        if (!moves.isArray()) {
            throw TenantctlException.usage(source + " is not a plan: expected the JSON of 'tenantctl rebalance plan -o json' (a \"moves\" list)");
        }
        com.fasterxml.jackson.databind.JsonNode catalog = plan.path("catalog_id");
        if (!catalog.isTextual() && !catalog.isMissingNode() && !catalog.isNull()) {
            throw TenantctlException.usage(source + ": catalog_id is " + catalog + ", not an id in quotes; make a new plan with 'tenantctl rebalance plan -o json'");
        }
        List<PlannedMove> out = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode m : moves) {
            String org = m.path("org_id").asText(null);
            String to = m.path("to_pool").asText(null);
            if (org == null || to == null) {
                throw TenantctlException.usage(source + ": every move needs org_id and to_pool");
            }
            for (String field : List.of("org_id", "from_pool", "to_pool")) { // an object or a list read as '' named "no pool named ''"
                if (!m.path(field).isTextual() && !m.path(field).isMissingNode() && !m.path(field).isNull()) {
                    throw TenantctlException.usage(source + ": move " + (out.size() + 1) + (m.path("org_id").isTextual() ? " (org " + org + ")" : "")
                            + ": " + field + " is " + m.get(field) + ", not an id in quotes");
                }
            }
            String bad = io.tenantctl.catalog.OrgId.problem(org);
            if (bad != null) {
                throw TenantctlException.usage(source + ": " + bad);
            }
            out.add(new PlannedMove(org, m.path("from_pool").asText(null), to, m.path("docs").asLong(), m.path("bytes").asLong(),
                    m.path("predicted_freeze_ms").asLong(), m.path("reason").asText("plan")));
        }
        return new SavedPlan(source, catalog.asText(null), out);
    }

    /**
     * The plan file's one JSON document. A file cut short (a copy or a disk that stopped) said "is not a plan", and two
     * plans in one file (the second appended with '>>') applied the first, older one: both are refused, nothing moved.
     */
    private static com.fasterxml.jackson.databind.JsonNode planTree(String json, String source) {
        String remake = ": nothing moved; write it again with 'tenantctl rebalance plan -o json > " + io.tenantctl.NextStep.shellWord(source) + "'";
        try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.databind.ObjectMapper().createParser(json)) {
            com.fasterxml.jackson.databind.JsonNode tree = p.readValueAsTree();
            if (tree != null && p.nextToken() != null) {
                throw TenantctlException.usage("plan file " + source + " holds more than one JSON document (another starts at line "
                        + p.currentTokenLocation().getLineNr() + ", as a plan appended with '>>' does)" + remake);
            }
            return tree == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : tree;
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            throw TenantctlException.usage("plan file " + source + " ends before its JSON does (line " + e.getLocation().getLineNr()
                    + "): it was cut short" + remake);
        } catch (java.io.IOException e) { // a JsonProcessingException: not JSON at all (a file that is not UTF-8 never gets here)
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    // ---------------------------------------------------------------- apply / move

    public Result apply(ApplyRequest req) {
        RunEngine engine = engine();
        RunControl control = req.drive().control();
        // planned now (no --plan): its notes (what could not be placed) are the run's too
        List<String> notes = new ArrayList<>();
        Map<String, String> unplaced = new LinkedHashMap<>();
        if (!control.existing() && req.dryRun()) {
            Mover mover = new Mover(ctx, hooks);
            Mover.Limits limits = req.limits().mover();
            // this dry run's moves, counted as the run would see them: after its sweep, dead restores' places given back
            Map<String, Integer> givenBack = LeaseRecovery.placesGivenBack(ctx);
            Map<String, Integer> alsoIn = new java.util.HashMap<>();
            givenBack.forEach((pool, n) -> alsoIn.put(pool, -n));
            PlannedLines planned = new PlannedLines(); // each move's line as it is planned: held up to a page, spooled past it
            List<PlannedMove> selected = select(req, notes, unplaced, givenBack);
            // the run pings each move's source pool before it: one that does not answer fails its moves unstarted, so here too
            Map<String, Pool> byId = ctx.catalog().pools().byId();
            Map<String, String> silent = PoolHealth.unreachable(ctx, selected.stream().map(PlannedMove::fromPool).filter(java.util.Objects::nonNull)
                    .distinct().map(byId::get).filter(java.util.Objects::nonNull).toList());
            Map<String, Integer> toStart = new java.util.HashMap<>(); // as the run counts its moves not started yet
            selected.forEach(m -> toStart.merge(m.toPool(), 1, Integer::sum));
            RoomFor room = new RoomFor(named -> { // the pools its moves go to, and those its refused moves' next steps name
                Map<String, Integer> taken = new java.util.HashMap<>(alsoIn);
                toStart.forEach((pool, n) -> taken.merge(pool, n, Integer::sum));
                named.values().forEach(pool -> taken.merge(pool, 1, Integer::sum));
                return taken;
            }, null);
            for (PlannedMove m : selected) {
                toStart.merge(m.toPool(), -1, Integer::sum);
                if (m.fromPool() != null && silent.containsKey(m.fromPool())) { // as the run reports it: its pool's error, never started
                    planned.accept(new RunReport.Org(m.orgId(), m.fromPool(), "failed", 0, 0, silent.get(m.fromPool()), notStarted(m.toPool())));
                    continue;
                }
                if (onTargetAlready(m.orgId(), new Target(m.orgId(), m.fromPool(), m.toPool()))) {
                    planned.accept(new RunReport.Org(m.orgId(), m.fromPool(), "unchanged", 0, 0, null, Json.args("to_pool", m.toPool(),
                            "note", "already on pool " + m.toPool())));
                    continue;
                }
                try { // what the move meets before it writes anything: refused here, it would be refused there
                    Org org = mover.preflight(m.orgId(), m.fromPool(), m.toPool(), alsoIn.getOrDefault(m.toPool(), 0));
                    // the freeze the move would be held to: the copy's prediction plus --freeze-grace, by the size the move
                    // will measure (a plan made now has just measured it; a saved plan's figures are as old as the file)
                    Mover.Size size = req.moves() == null ? new Mover.Size(m.docs(), m.bytes())
                            : mover.size(ctx.catalog().pools().get(org.poolId()), org.databaseName());
                    long predicted = mover.refuseLongFreeze(m.orgId(), size, limits);
                    alsoIn.merge(m.toPool(), 1, Integer::sum); // its source's place stays taken until the move flips, as in the apply
                    planned.accept(new RunReport.Org(m.orgId(), m.fromPool(), "planned", 0, 0, null, Json.args("to_pool", m.toPool(), "docs",
                            size.docs(), "bytes", size.bytes(), "predicted_freeze_ms", predicted, "reason", m.reason())));
                } catch (Mover.Refused e) { // a stale plan's org is on the pool its detail names, as the run records it
                    String detail = refused(e, new Target(m.orgId(), m.fromPool(), m.toPool()), limits.freezeGraceMs(), room);
                    planned.accept(new RunReport.Org(m.orgId(), Json.tree(detail).path("pool_id").asText(m.fromPool()), "failed", 0, 0,
                            e.getMessage(), detail));
                }
            }
            // as the real apply: a drain that cannot empty its pools is said, and exits 1
            RunEngine.Planned plan = planned.planned(VERB, false);
            return new Result(plan.report(), plan.interrupted(), notes, req.moves() == null ? leftOnDraining(unplaced) : Map.of(), plan.lines());
        }
        // a drain planned by the run that could not empty its pools (no room elsewhere) is not done: said, exit 1, and
        // its run ends failed, as a run whose orgs were not all done does, saying why — by whichever worker ends it (the
        // planner, a --join'ed worker, a --resume), from the orgs the run recorded it could not place; orgs left by choice
        // (--exclude, --max-moves) or failed (counted as failures) are not "no room"
        RunEngine.Ran ran = engine.run(VERB, req.drive(), OutcomeNames.of(DONE).withoutLines(), () -> start(engine, req, notes, unplaced), run -> {
            Args args = Json.read(run.runId(), run.args(), Args.class);
            if (control.resumeRunId() != null) { // made before the run is reopened: refused, it is left as it is
                refuseAStaleResume(run.runId(), args);
            }
            return work(engine, run.runId(), args, req.drive().settings().forRun(run).perPool());
        });
        // a --detach'ed run's creator works on none of it: the workers that --join it say what its drain left, unless
        // it had nothing to do and the creator ended it
        boolean worked = !control.detach() || control.existing() || ran.report().status() != io.tenantctl.catalog.RunStatus.RUNNING;
        Args recorded = Json.read(ran.report().runId(), ctx.catalog().runs().get(ran.report().runId()).args(), Args.class);
        Map<String, List<String>> left = worked && !ran.interrupted() ? leftOnDraining(recorded.unplaced()) : Map.of();
        // one that did not plan it says what its planner said of the orgs left: the plan's notes (a pool with room not in --pool)
        return new Result(ran.report(), ran.interrupted(), control.existing() && !left.isEmpty() ? recorded.notes() : notes, left,
                ReportLines.read(ctx.catalog(), ran.report(), OutcomeNames.of(DONE), planned(recorded))); // no line held: a page at a time
    }

    /**
     * A --resume of run {@code runId} every move left of which (failed, or not started) is of an org that moved off its
     * planned source (not onto its target) or was deleted since the plan — what refuses a move as a stale plan's
     * ({@link Mover#preflight}, {@link #NEEDS_A_NEW_PLAN}) — would only refuse each again, one by one: refused whole,
     * exit 2, saying to plan again. One with a move left that can still be made, or at work (running), goes on.
     */
    private void refuseAStaleResume(String runId, Args args) {
        List<String> left = new ArrayList<>();
        boolean[] atWork = {false};
        ctx.catalog().runs().forEachItem(runId, false, i -> {
            ItemStatus s = i.itemStatus();
            if (s == ItemStatus.FAILED || s == ItemStatus.PENDING || s == ItemStatus.HELD) {
                left.add(i.orgId());
            }
            atWork[0] |= s == ItemStatus.RUNNING;
        });
        if (left.isEmpty() || atWork[0]) {
            return;
        }
        Map<String, Target> planned = new java.util.HashMap<>();
        args.moves().forEach(t -> planned.put(t.org(), t));
        Map<String, Org> orgs = ctx.catalog().orgs().findAll(left);
        List<String> stale = new ArrayList<>();
        for (String orgId : left) {
            Target t = planned.get(orgId);
            Org org = orgs.get(orgId);
            String why = t == null ? null : org == null ? orgId + " gone" : org.status().equals(Org.DELETED) ? orgId + " deleted"
                    : t.from() != null && !org.poolId().equals(t.from()) && !org.poolId().equals(t.to())
                    ? orgId + " on " + org.poolId() + " now, not " + t.from() : null;
            if (why == null) {
                return;
            }
            stale.add(why);
        }
        throw TenantctlException.usage("rebalance run " + runId + "'s plan is out of date: every move it has left is of an org moved or "
                + "deleted since (" + String.join("; ", stale.subList(0, Math.min(5, stale.size()))) + (stale.size() > 5 ? "; …" : "")
                + "), which its --resume would refuse again, one by one; nothing was done: make a new plan with 'tenantctl rebalance "
                + "plan', then apply it with 'tenantctl rebalance apply' ('tenantctl runs cancel " + runId + "' ends this run)");
    }

    /**
     * Each line of a run recording {@code args} with its move's target: one that never started (its pool did not answer
     * the run's check, its org held past --busy-timeout, the run stopped before it) recorded none, and showed TO '-'
     * though the plan names it; such a line says {@code started: false}.
     */
    private static java.util.function.UnaryOperator<RunReport.Org> planned(Args args) {
        Map<String, String> to = new java.util.HashMap<>();
        args.moves().forEach(t -> to.put(t.org(), t.to()));
        return o -> o.detail().hasNonNull("to_pool") || !to.containsKey(o.orgId()) ? o : o.with(o.error(),
                ((com.fasterxml.jackson.databind.node.ObjectNode) o.detail()).put("to_pool", to.get(o.orgId())).put("started", false).toString());
    }

    /** The detail of a move that never started (its pool did not answer): its planned target. */
    private static String notStarted(String toPool) {
        return Json.args("to_pool", toPool, "started", false);
    }

    /** Why a drain that leaves {@code left} on its pools is not done, or null when it left none. */
    private static String noRoom(Map<String, List<String>> left) {
        return left.isEmpty() ? null : io.tenantctl.Counted.of(left.size(), "draining pool") + (left.size() == 1 ? " still holds " : " still hold ")
                + io.tenantctl.Counted.of(left.values().stream().mapToInt(List::size).sum(), "org") + " no active pool had room for: "
                + String.join("; ", left.entrySet().stream().map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")").toList());
    }

    /**
     * Why rebalance run {@code runId} leaves its drain undone, from the orgs it recorded its plan could not place, as its
     * workers judge it when they end it; null when it leaves none (or is no rebalance run). For what else ends the run:
     * the recovery of a dead worker's move that records the run's last item.
     */
    static String undone(OpsContext ctx, String runId) {
        return ctx.catalog().runs().find(runId).filter(r -> r.verb().equals(VERB))
                .map(r -> noRoom(new Rebalance(ctx).leftOnDraining(Json.read(runId, r.args(), Args.class).unplaced()))).orElse(null);
    }

    /** The orgs the plan could not place ({@code unplaced}: org → its draining pool) still there and in use, by pool. */
    private Map<String, List<String>> leftOnDraining(Map<String, String> unplaced) {
        Map<String, List<String>> left = new LinkedHashMap<>();
        unplaced.forEach((org, pool) -> ctx.catalog().orgs().find(org).filter(o -> o.poolId().equals(pool)
                && (o.status().equals(Org.ACTIVE) || o.status().equals(Org.READ_ONLY)))
                .ifPresent(o -> left.computeIfAbsent(pool, k -> new ArrayList<>()).add(org)));
        return left;
    }

    /** The moves of a new run: the plan given, or one made now; each org once, each target pool known. */
    private List<PlannedMove> select(ApplyRequest req, List<String> notes, Map<String, String> unplaced, Map<String, Integer> givenBack) {
        // staging's plan applied to production moves by another fleet's sizes and places though every name matches
        String catalog = req.saved() == null ? null : req.saved().catalogId();
        if (catalog != null && !catalog.equals(ctx.catalog().id())) {
            throw TenantctlException.usage("plan file " + req.saved().file() + " was made against catalog " + catalog + ", and this is catalog "
                    + ctx.catalog().id() + ": nothing moved; make a new plan with 'tenantctl rebalance plan -o json'");
        }
        List<PlannedMove> moves;
        if (req.moves() != null) {
            moves = req.moves();
        } else {
            Plan p = plan(req.planRequest(), givenBack);
            notes.addAll(p.notes());
            unplaced.putAll(p.unplaced());
            moves = p.moves();
        }
        Set<String> seen = new HashSet<>();
        for (PlannedMove m : moves) {
            if (!seen.add(m.orgId())) {
                throw TenantctlException.usage("the plan moves org " + m.orgId() + " twice: one move per org");
            }
            ctx.catalog().pools().get(m.toPool());
        }
        // a saved plan naming orgs this catalog does not have (made against another catalog, or forgotten since) is no
        // plan of this fleet: refused whole, as its dry run refuses it, not run as moves whose next step cannot work
        Map<String, Org> found = req.moves() == null || seen.isEmpty() ? Map.of() : ctx.catalog().orgs().findAll(List.copyOf(seen));
        List<String> unknown = req.moves() == null ? List.of() : moves.stream().map(PlannedMove::orgId).filter(o -> !found.containsKey(o)).toList();
        if (!unknown.isEmpty()) {
            throw TenantctlException.usage("the plan names " + io.tenantctl.Counted.of(unknown.size(), "org") + " this catalog does not have: "
                    + io.tenantctl.Counted.firstOf(unknown, 10, ", ") + " (a plan made against another catalog, or orgs forgotten since?); nothing moved: "
                    + "make a new plan with 'tenantctl rebalance plan -o json'");
        }
        Set<String> pools = ctx.catalog().pools().byId().keySet();
        moves.stream().filter(m -> m.fromPool() != null && !pools.contains(m.fromPool())).findFirst().ifPresent(m -> {
            throw TenantctlException.usage("the plan moves org " + m.orgId() + " off pool " + m.fromPool() + ", which this catalog does not have "
                    + "(a plan made against another catalog?); nothing moved: make a new plan with 'tenantctl rebalance plan -o json'");
        });
        if (req.saved() != null && catalog == null) {
            ctx.notices().accept("warning: plan file " + req.saved().file() + " names no catalog (written by hand, or by a tenantctl before plans "
                    + "did): applied to catalog " + ctx.catalog().id() + " as its org and pool names match; 'tenantctl rebalance plan -o json' "
                    + "makes a plan that names it");
        }
        // a move written by hand without from_pool is off the org's pool now: so the run checks that pool, names it in the
        // move's failure and keeps to --per-pool moves leaving it, as for a move 'rebalance plan' wrote
        return moves.stream().map(m -> m.fromPool() != null ? m : new PlannedMove(m.orgId(), found.get(m.orgId()).poolId(), m.toPool(),
                m.docs(), m.bytes(), m.predictedFreezeMs(), m.reason())).toList();
    }

    private String start(RunEngine engine, ApplyRequest req, List<String> notes, Map<String, String> unplaced) {
        LeaseRecovery.sweep(ctx);
        List<PlannedMove> moves = select(req, notes, unplaced, Map.of());
        List<Target> targets = moves.stream().map(m -> new Target(m.orgId(), m.fromPool(), m.toPool())).toList();
        List<RunRepository.NewItem> items = targets.stream().map(t -> RunRepository.NewItem.toDo(t.org(), t.from())).toList();
        Args args = new Args(targets, req.limits().maxFreeze().toMillis(), req.limits().freezeGrace().toMillis(), req.limits().force(),
                req.moves() == null ? unplaced : Map.of(), req.moves() == null ? notes : List.of());
        return engine.start(VERB, Json.write(args), items, 0, null);
    }

    /** The per-move work of a run, from its recorded moves and limits: a target pool slot, then the move. */
    private RunEngine.Work work(RunEngine engine, String runId, Args args, int perTarget) {
        Map<String, Target> byOrg = new LinkedHashMap<>();
        args.moves().forEach(t -> byOrg.put(t.org(), t));
        Mover mover = new Mover(ctx, hooks);
        Mover.Limits limits = new Mover.Limits(args.maxFreezeMs(), args.freezeGraceMs(), args.force());
        OrgLeases slots = engine.orgLeases();
        Set<String> mine = java.util.concurrent.ConcurrentHashMap.newKeySet();
        RoomFor room = new RoomFor(named -> promised(runId, byOrg, named), runId);
        return new RunEngine.Work(Job.of(LEASE, (orgId, poolId) -> {
            Target t = byOrg.get(orgId);
            // under the org's lease: a move of it still unfinished is dead (a worker stopped by a lost catalog let its
            // lease go mid-rollback), rolled back or finished first, as LeaseRecovery does with an expired lease
            Optional.ofNullable(recover(ctx, orgId)).ifPresent(ctx.notices());
            Optional<MoveRepository.Move> done = movedByThisRun(orgId, t, runId);
            if (done.isPresent()) { // a worker of this run died after the flip; recovering its lease finished the move
                MoveRepository.Move m = done.get();
                return new Job.Done(ItemStatus.SUCCEEDED, 1, null, Json.args("move_id", m.moveId(), "to_pool", m.toPool(),
                        "to_database", m.toDatabase(), "docs", m.docsCopied(), "bytes", m.bytesTotal(), "freeze_ms", m.freezeMs(),
                        "copy_ms", m.copyMs(), "finished_by", "lease recovery"));
            }
            if (onTargetAlready(orgId, t)) { // a plan applied again, or another run moved it: nothing to do
                return new Job.Done(ItemStatus.UNCHANGED, 0, null, Json.args("to_pool", t.to(), "note", "already on pool " + t.to()));
            }
            String slot = takeSlot(slots, mine, t.to(), perTarget, runId);
            try {
                Mover.Report r = mover.move(orgId, t.from(), t.to(), runId, limits);
                return new Job.Done(ItemStatus.SUCCEEDED, 1, null, Json.args("move_id", r.moveId(), "to_pool", r.toPool(),
                        "to_database", r.toDatabase(), "docs", r.docs(), "bytes", r.bytes(), "freeze_ms", r.freezeMs(),
                        "copy_ms", r.copyMs(), "mb_per_s", r.mbPerSecond(), "predicted_freeze_ms", r.predictedFreezeMs()));
            } catch (Mover.Refused e) {
                throw new Job.Failure(e.getMessage(), 1, refused(e, t, args.freezeGraceMs(), room), e);
            } catch (RuntimeException e) {
                // a driver's error too (a target that stopped answering since its ping): the failure still names the target;
                // aborted past --max-freeze: the way on is the move with a longer one, not the same move again
                // drained or disabled while it copied (the flip refuses it): the same move again is refused, another pool is not
                String why = Errors.oneLine(e);
                List<String> silentWithRoom = new ArrayList<>();
                String targetNow = ctx.catalog().pools().find(t.to()).map(Pool::status).filter(s -> !Pool.ACTIVE.equals(s))
                        .map(s -> s.db()).orElse(null);
                throw new Job.Failure(why, 1, Json.args("to_pool", t.to(), "overran_max_freeze_ms",
                        why.contains(Mover.RAN_PAST) ? args.maxFreezeMs() : null, "freeze_grace_ms", args.freezeGraceMs(),
                        "target_now", targetNow, "room_on", targetNow == null ? null : room.of(t, silentWithRoom),
                        "room_silent", silentWithRoom.isEmpty() ? null : silentWithRoom, "silent_pool", e instanceof Mover.PoolSilent silent ? silent.poolId : null), e);
            } finally {
                slots.release(slot);
                mine.remove(slot);
            }
        }), Budget.NONE, () -> noRoom(leftOnDraining(args.unplaced())));
    }

    /** A refused move's detail: what refused it, for the way on (a new plan, another pool, a longer --max-freeze). */
    private String refused(Mover.Refused e, Target t, long freezeGraceMs, RoomFor room) {
        List<String> silentWithRoom = new ArrayList<>();
        // a stale plan's org is named on the pool it is on now (the run records it as the item's pool), not the plan's source
        String on = e.kind() == Mover.Refused.Kind.STALE ? ctx.catalog().orgs().find(t.org()).map(Org::poolId).orElse(null) : null;
        // an org deleted (its database purged) since the plan: nothing to move, not orgs show's restore under a new id
        String deleted = e.kind() == Mover.Refused.Kind.ORG && ctx.catalog().orgs().find(t.org()).filter(o -> o.status().equals(Org.DELETED))
                .isPresent() ? Org.DELETED.db() : null;
        return Json.args("pool_id", on, "to_pool", t.to(), "refused", e.kind().name().toLowerCase(java.util.Locale.ROOT), "org_status", deleted,
                "predicted_freeze_ms", e.kind() == Mover.Refused.Kind.FREEZE ? e.predictedFreezeMs() : null,
                "freeze_grace_ms", freezeGraceMs, "room_on", e.kind() == Mover.Refused.Kind.TARGET ? room.of(t, silentWithRoom) : null,
                "room_silent", silentWithRoom.isEmpty() ? null : silentWithRoom);
    }

    /**
     * Where one apply's failed moves are sent (their next step's {@code room_on}): never more of them at a pool than it has
     * places, so each next step, run as printed, finds its place. The pools' counts hold the moves in flight; {@code taken}
     * (given the orgs whose next step this apply named a pool so far: org → pool) says how many more places of each pool
     * the apply has promised — to its moves not started yet, and to its failed moves' next steps.
     */
    private final class RoomFor {
        private final java.util.function.Function<Map<String, String>, Map<String, Integer>> taken;
        private final Map<String, String> named = new java.util.HashMap<>();
        private final String runId;

        /** {@code runId}: the run whose workers choose one at a time, each recording its choice before the next reads; or null. */
        RoomFor(java.util.function.Function<Map<String, String>, Map<String, Integer>> taken, String runId) {
            this.taken = taken;
            this.runId = runId;
        }

        /** As {@link #roomFor}, the places this apply promised counted as taken; the pool named is promised in turn. */
        synchronized String of(Target t, List<String> silent) {
            return runId == null ? choose(t, silent) : ctx.catalog().runs().oneAtATime(runId, () -> {
                String pool = choose(t, silent);
                if (pool != null) { // read by the other workers' choices before this item's outcome is
                    ctx.catalog().runs().noteDetail(runId, t.org(), Json.args("room_on", pool));
                }
                return pool;
            });
        }

        private String choose(Target t, List<String> silent) {
            String pool = roomFor(t, silent, taken.apply(named));
            if (pool != null) {
                named.put(t.org(), pool);
            }
            return pool;
        }
    }

    /**
     * The places of each pool run {@code runId} has promised beyond the pools' counts: its orgs still to be moved there
     * whose move has not reserved its place yet, and the pools its failed moves' next steps name ({@code room_on}, recorded
     * by any worker, or {@code named} by this one) until that org is there or moving.
     */
    private Map<String, Integer> promised(String runId, Map<String, Target> byOrg, Map<String, String> named) {
        Map<String, String> goingTo = new java.util.HashMap<>();
        for (RunRepository.Item i : ctx.catalog().runs().items(runId)) {
            ItemStatus s = i.itemStatus();
            if (s == ItemStatus.RUNNING && i.detail() != null && Json.tree(i.detail()).hasNonNull("room_on")) { // failing: its worker named it
                goingTo.put(i.orgId(), Json.tree(i.detail()).get("room_on").asText());
            } else if ((s == ItemStatus.PENDING || s == ItemStatus.RUNNING || s == ItemStatus.HELD) && byOrg.containsKey(i.orgId())) {
                goingTo.put(i.orgId(), byOrg.get(i.orgId()).to());
            } else if (s == ItemStatus.FAILED && i.detail() != null && Json.tree(i.detail()).hasNonNull("room_on")) {
                goingTo.put(i.orgId(), Json.tree(i.detail()).get("room_on").asText());
            }
        }
        goingTo.putAll(named);
        Set<String> counted = new HashSet<>(); // in the pools' counts already: moving (its place reserved), or there
        ctx.catalog().moves().unfinished().forEach(m -> counted.add(m.orgId()));
        new HashSet<>(goingTo.values()).forEach(pool -> ctx.catalog().orgs().list(pool, null).forEach(o -> {
            if (pool.equals(goingTo.get(o.orgId()))) {
                counted.add(o.orgId());
            }
        }));
        Map<String, Integer> out = new java.util.HashMap<>();
        goingTo.forEach((org, pool) -> {
            if (!counted.contains(org)) {
                out.merge(pool, 1, Integer::sum);
            }
        });
        return out;
    }

    /**
     * The pool a move refused by its target could go to now: the one placement would choose (active, with room; not
     * the org's pool nor the refused target) among those that answer a ping, as provision places past a silent pool;
     * or null when none that answers has room. The pools with room passed over for silence are added to {@code silent}.
     * {@code taken}: places of a pool promised beyond its count (pool → places), counted as not free.
     */
    private String roomFor(Target t, List<String> silent, Map<String, Integer> taken) {
        String on = ctx.catalog().orgs().find(t.org()).map(Org::poolId).orElse(t.from());
        List<Pool> left = new ArrayList<>(ctx.catalog().pools().list().stream()
                .filter(p -> !p.poolId().equals(on) && !p.poolId().equals(t.to()))
                .map(p -> taken.getOrDefault(p.poolId(), 0) == 0 ? p : new Pool(p.poolId(), p.uri(), p.capacity(), p.status(), p.priority(),
                        p.createdAt(), Math.max(0, p.orgCount() + taken.get(p.poolId())))).toList());
        for (Optional<Pool> p = io.tenantctl.catalog.Placement.choose(left); p.isPresent(); p = io.tenantctl.catalog.Placement.choose(left)) {
            if (PoolHealth.check(ctx, p.get()).isEmpty()) {
                return p.get().poolId();
            }
            silent.add(p.get().poolId());
            left.remove(p.get());
        }
        return null;
    }

    /**
     * The org is on its planned target already (a plan applied a second time, or moved there since it was planned), no
     * move of it under way: the plan's end state holds, so the item is unchanged rather than a stale plan's failure.
     */
    private boolean onTargetAlready(String orgId, Target t) {
        return ctx.catalog().orgs().find(orgId).filter(o -> o.poolId().equals(t.to())
                && (o.status().equals(Org.ACTIVE) || o.status().equals(Org.READ_ONLY))).isPresent()
                && ctx.catalog().moves().list(orgId, 1).stream().noneMatch(m -> m.state().unfinished());
    }

    /** This run's move of the org to its planned target, already flipped (and the org on that target): nothing left to do. */
    private Optional<MoveRepository.Move> movedByThisRun(String orgId, Target t, String runId) {
        Org org = ctx.catalog().orgs().find(orgId).orElse(null);
        if (org == null || !org.poolId().equals(t.to())) {
            return Optional.empty();
        }
        return ctx.catalog().moves().list(orgId, 20).stream().filter(m -> runId.equals(m.runId()) && m.toPool().equals(t.to())
                && m.toDatabase().equals(org.databaseName()) && !m.state().beforeFlip() && m.state() != MoveState.ABORTED
                && m.state() != MoveState.REVERTED).findFirst();
    }

    /**
     * One of the target pool's {@code perTarget} move slots, held as a lease in the catalog (so it holds across the
     * workers of a run, and across runs), or {@link Job.Busy} when all are taken. A worker's claim loops share one lease
     * holder, and a lease is its holder's to take again: {@code mine}, the slots this worker's moves hold now, keeps
     * two of them from sharing one slot.
     */
    private static String takeSlot(OrgLeases slots, Set<String> mine, String pool, int perTarget, String runId) {
        boolean ownRun = true; // every slot taken by this run's own moves: its throttle, waited for without --busy-timeout
        for (int k = 1; k <= perTarget; k++) {
            String key = "pool:" + pool + "#" + k;
            if (!mine.add(key)) {
                continue;
            }
            OrgLeases.Taken taken = slots.take(key, "move-target", runId);
            if (taken.ok()) {
                return key;
            }
            mine.remove(key);
            ownRun &= runId.equals(taken.holderRun());
        }
        throw new Job.Busy("pool " + pool + " already receives " + io.tenantctl.Counted.of(perTarget, "move") + " at a time (--per-pool)", ownRun);
    }

    // ---------------------------------------------------------------- status, revert, resume

    public List<MoveView> status(String moveId, int limit) {
        MoveRepository moves = ctx.catalog().moves();
        List<MoveRepository.Move> rows;
        if (moveId != null) {
            rows = List.of(moves.find(moveId).orElseThrow(() -> TenantctlException.usage("no move " + moveId
                    + ": see 'tenantctl rebalance status'")));
        } else {
            rows = moves.list(null, limit);
        }
        Instant now = ctx.catalog().now(); // the clock that stamped started_at and copying_at, not this host's
        return rows.stream().map(m -> view(m, now)).toList();
    }

    private static MoveView view(MoveRepository.Move m, Instant now) {
        Instant end = m.state().unfinished() ? now : m.updatedAt();
        long elapsed = Duration.between(m.startedAt(), end).toMillis();
        Long eta = null;
        if (m.state() == MoveState.COPYING && m.copyingAt() != null && m.docsCopied() > 0 && m.docsTotal() != null) {
            long copyElapsed = Duration.between(m.copyingAt(), now).toMillis();
            eta = Math.max(0, copyElapsed * (m.docsTotal() - m.docsCopied()) / m.docsCopied());
        }
        return new MoveView(m.moveId(), m.orgId(), m.state().db(), m.fromPool(), m.toPool(), m.toDatabase(), m.docsTotal(), m.docsCopied(),
                m.bytesTotal(), m.freezeMs(), m.copyMs(), elapsed, eta, m.startedAt(), m.updatedAt(), m.runId(), m.error());
    }

    /** Flips a retained move's org back to its source, only if nothing was written to its target since (the ledger). */
    public String revert(String moveId, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        MoveRepository.Move m = ctx.catalog().moves().find(moveId)
                .orElseThrow(() -> TenantctlException.usage("no move " + moveId + ": see 'tenantctl rebalance status'"));
        if (dryRun) {
            return new Mover(ctx, hooks).revert(m, true); // every check on the data as it is, nothing frozen or flipped
        }
        LeaseRecovery.sweep(ctx);
        try (OrgLeases.Held held = engine().orgLeases().hold(m.orgId(), "revert", waitForOrg, cancel)) {
            return new Mover(ctx, hooks).revert(ctx.catalog().moves().find(moveId).orElseThrow());
        }
    }

    /**
     * Rolls back (before the flip) or finishes (after it) every move whose process is gone: the moves that still owe
     * a step and whose org nobody holds. A move still held by a live worker is left to it. Returns what was done.
     */
    public List<String> resume(boolean dryRun) {
        return resumeMoves(dryRun).lines();
    }

    /**
     * What {@link #resumeMoves} did, a line each, and the orgs a drain left on its draining pools (by pool) in the runs
     * it ended failed (recording a dead worker's last item): judged as the run's workers judge it, apply's exit 1; and
     * those runs ({@code endedFailed}: each one's report, without lines, and its orgs' lines read from its items a page at
     * a time: its failed orgs, a rolled-back move's among them); and the notes of the plans of the runs whose drain it says
     * is undone, as their planners said them.
     */
    public record Resumed(List<String> lines, Map<String, List<String>> leftOnDraining, List<Ended> endedFailed, List<String> notes) {
    }

    /** A run {@link #resumeMoves} ended failed: its report (no org's line held) and its orgs' lines, read when handed over. */
    public record Ended(RunReport report, ReportLines lines) {
    }

    /** {@link #resume}, saying too what the drains of the runs it ended left undone. */
    public Resumed resumeMoves(boolean dryRun) {
        List<String> out = new ArrayList<>();
        Set<String> running = new java.util.LinkedHashSet<>(); // the runs of the moves recovered still running: one may end here
        OrgLeases leases = engine().orgLeases();
        Mover preview = new Mover(ctx, hooks); // the dry run's: each target pinged once, as the rollback would
        for (MoveRepository.Move m : deadOrUnfinished(ctx, null)) {
            if (dryRun) { // a live holder is left to it, as the real run does (one of this host that is gone is not live)
                out.add("move " + m.moveId() + " of org " + m.orgId() + " (" + m.state() + ") " + leases.liveHolder(m.orgId())
                        .map(h -> "is in progress (" + h + "): would be left to it")
                        .orElseGet(() -> "would be " + (m.state().beforeFlip() ? "rolled back" + preview.rollBackWouldLeave(m) : m.state() == MoveState.RETAINED
                                ? "recorded done in its run " + m.runId() : "finished")));
                continue;
            }
            if (m.runId() != null && ctx.catalog().runs().status(m.runId()).equals("running")) {
                running.add(m.runId());
            }
            // an expired move lease (or one of a process of this host that is gone) is recovered by LeaseRecovery
            OrgLeases.Taken taken = leases.take(m.orgId(), "recover", null);
            if (!taken.ok()) {
                out.add("move " + m.moveId() + " of org " + m.orgId() + " is in progress (" + taken.refusal() + "): left to it");
                continue;
            }
            try {
                if (taken.recovered() != null) {
                    out.add(taken.recovered());
                }
                ctx.catalog().moves().find(m.moveId()).filter(now -> now.state().unfinished() || now.state() == MoveState.RETAINED)
                        .map(now -> new Mover(ctx, hooks).recover(now)).ifPresent(out::add);
            } finally {
                leases.release(m.orgId());
            }
        }
        Set<String> moved = new HashSet<>();
        ctx.catalog().moves().unfinished().forEach(m -> moved.add(m.orgId()));
        for (Org o : ctx.catalog().orgs().list(null, Org.MOVING.db())) {
            if (!moved.contains(o.orgId())) {
                out.add(putBack(o, leases, dryRun));
            }
        }
        Map<String, List<String>> left = new LinkedHashMap<>();
        List<Ended> endedFailed = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        running.stream().map(runId -> ctx.catalog().runs().get(runId)).filter(r -> r.verb().equals(VERB) && r.status().equals("failed"))
                .forEach(r -> {
                    Args args = Json.read(r.runId(), r.args(), Args.class);
                    Map<String, List<String>> leftByRun = leftOnDraining(args.unplaced());
                    leftByRun.forEach((pool, orgs) -> left.computeIfAbsent(pool, k -> new ArrayList<>()).addAll(orgs));
                    notes.addAll(leftByRun.isEmpty() ? List.of() : args.notes());
                    RunReport report = RunEngine.report(ctx.catalog(), r.runId(), OutcomeNames.of(DONE).withoutLines());
                    endedFailed.add(new Ended(report, ReportLines.read(ctx.catalog(), report, OutcomeNames.of(DONE), planned(args))));
                });
        return new Resumed(out, left, endedFailed, notes);
    }

    /**
     * An org left moving with no unfinished move (an older tenantctl's, or a hand edit): nothing was copied or flipped
     * that a move records, so its database is where its pointer says — made active there once that pool is seen to hold
     * it; left moving, saying what to check, when it does not.
     */
    private String putBack(Org o, OrgLeases leases, boolean dryRun) {
        String what = "org " + o.orgId() + " is moving with no unfinished move: ";
        if (dryRun) {
            return what + leases.liveHolder(o.orgId()).map(h -> "held (" + h + "): would be left to it")
                    .orElse("would be made active on its pool " + o.poolId() + " if its database " + o.databaseName() + " is there");
        }
        OrgLeases.Taken taken = leases.take(o.orgId(), "recover", null);
        if (!taken.ok()) {
            return what + "held (" + taken.refusal() + "): left to it";
        }
        try {
            Org now = ctx.catalog().orgs().get(o.orgId());
            if (!now.status().equals(Org.MOVING)) {
                return "org " + o.orgId() + " is " + now.status() + " now: left as it is";
            }
            Pool pool = ctx.catalog().pools().get(now.poolId());
            boolean there;
            try {
                there = ctx.databaseNames(pool).contains(now.databaseName());
            } catch (RuntimeException e) {
                return what + "its pool " + pool.poolId() + " does not answer (" + PoolHealth.why(e) + "): left moving; "
                        + "'tenantctl pools stats " + pool.poolId() + "', then 'tenantctl rebalance resume' again";
            }
            if (!there) {
                return what + "its database " + now.databaseName() + " is not on its pool " + pool.poolId() + ": left moving for a "
                        + "person to find its data (the pools' databases, its backups: 'tenantctl backups list --org " + o.orgId() + "')";
            }
            return ctx.catalog().orgs().compareAndSetStatus(now.orgId(), now.version(), Org.ACTIVE)
                    ? what + "active again on its pool " + pool.poolId() + ", where its database " + now.databaseName() + " is"
                    : "org " + o.orgId() + " changed meanwhile: left as it is";
        } finally {
            leases.release(o.orgId());
        }
    }

    /**
     * What LeaseRecovery does with an expired move lease: the org's unfinished move finished or rolled back, or the run
     * item of one that had finished recorded.
     */
    static String recover(OpsContext ctx, String orgId) {
        List<String> done = new ArrayList<>();
        for (MoveRepository.Move m : deadOrUnfinished(ctx, orgId)) {
            String did = new Mover(ctx, Mover.Hooks.NONE).recover(m);
            if (did != null) {
                done.add(did);
            }
        }
        return done.isEmpty() ? null : String.join("; ", done);
    }

    /**
     * The moves a dead process may have left (of {@code orgId}, or of every org with null): those that still owe a step,
     * and finished ones whose run item is still running (the process died before it recorded the outcome).
     */
    private static List<MoveRepository.Move> deadOrUnfinished(OpsContext ctx, String orgId) {
        List<MoveRepository.Move> out = new ArrayList<>(ctx.catalog().moves().unfinished().stream()
                .filter(m -> orgId == null || m.orgId().equals(orgId)).toList());
        out.addAll(ctx.catalog().moves().retainedWithItemRunning(orgId));
        return out;
    }

    // ---------------------------------------------------------------- gc

    /**
     * Drops the databases no org points at any more: a move's retained source and a restore's replaced database once
     * retired longer than {@code olderThan}, and an aborted move's leftover target at once. Never a database an org's
     * pointer names (checked under that org's lease, just before the drop).
     */
    public GcResult gc(Duration olderThan, boolean dryRun) {
        return gc(olderThan, dryRun, Set.of(), new CancelToken());
    }

    /**
     * As {@link #gc(Duration, boolean)}; a retained move source is first read and compared with its move's ledger: one
     * written since the move (a client with stale routing) holds writes no other database has, and is kept — named, for
     * a person to merge — unless it is one of {@code dropChanged} ("pool/database": a person merged those writes).
     */
    public GcResult gc(Duration olderThan, boolean dryRun, Set<String> dropChanged, CancelToken cancel) {
        if (olderThan.isNegative()) {
            throw TenantctlException.usage("--older-than must not be negative");
        }
        if (!dryRun) {
            LeaseRecovery.sweep(ctx);
        }
        RestoreRepository databases = ctx.catalog().restores();
        MoveRepository moves = ctx.catalog().moves();
        List<GcItem> items = new ArrayList<>();
        DatabaseGc gc = new DatabaseGc(ctx, engine().orgLeases());
        Instant due = ctx.catalog().now().minus(olderThan); // retired_at is the catalog's clock
        List<RestoreRepository.Retired> retired = databases.retiredBefore(due);
        List<MoveRepository.Move> dropped = moves.droppedTargets();
        Set<String> unknown = new java.util.TreeSet<>(dropChanged);
        retired.forEach(r -> unknown.remove(r.poolId() + "/" + r.databaseName()));
        List<MoveRepository.Move> leftovers = moves.leftoverTargets();
        java.util.stream.Stream.concat(dropped.stream(), leftovers.stream()).forEach(m -> unknown.remove(m.toPool() + "/" + m.toDatabase()));
        if (!unknown.isEmpty()) { // a typo must not pass for "dropped what I merged"
            throw TenantctlException.usage("--drop-changed " + String.join(",", unknown) + ": no retired database of that name (POOL/DATABASE) "
                    + "is older than --older-than, nor an aborted move's target; see 'tenantctl rebalance gc --dry-run'");
        }
        // a pool that does not answer decides nothing (one ping per pool, as purge does): its databases stay recorded,
        // skipped in the dry run as in the real one, not said would_drop and then failed with the driver's error
        Map<String, Optional<String>> pinged = new java.util.HashMap<>();
        java.util.function.Function<String, Optional<String>> poolDown = poolId -> pinged.computeIfAbsent(poolId,
                p -> ctx.catalog().pools().find(p).flatMap(pool -> PoolHealth.silence(ctx, pool))
                        .map(silent -> silent + "; nothing compared or dropped; run " + (dryRun ? "this dry run" : "gc")
                                + " again once it answers")); // a dry run's way on is itself again, never the gc it previews
        for (RestoreRepository.Retired r : retired) {
            String reason = String.valueOf(r.reason());
            String kind = reason.startsWith("source of move") ? "retained_source"
                    : reason.startsWith("target of reverted move") ? "reverted_target"
                    : reason.startsWith(RestoreRepository.DELETED_ORG_REASON) ? "deleted_org" : "replaced_by_restore";
            if (!dryRun && cancel.isCancelled()) {
                items.add(new GcItem(r.poolId(), r.databaseName(), r.orgId(), kind, "kept", Errors.NOT_REACHED));
                continue;
            }
            Optional<String> down = poolDown.apply(r.poolId());
            if (down.isPresent()) {
                items.add(new GcItem(r.poolId(), r.databaseName(), r.orgId(), kind, "skipped", down.get()));
                continue;
            }
            Optional<String> written = dropChanged.contains(r.poolId() + "/" + r.databaseName()) ? Optional.empty()
                    : writtenSinceMove(kind, r.poolId(), r.databaseName(), r.orgId(), gcCommand(olderThan, List.of(r.poolId() + "/" + r.databaseName())));
            if (written.isPresent()) {
                items.add(new GcItem(r.poolId(), r.databaseName(), r.orgId(), kind, "kept", written.get()));
                continue;
            }
            items.add(drop(r.poolId(), r.databaseName(), r.orgId(), kind, dryRun, gc, () -> {
                databases.forgetRetired(r.poolId(), r.databaseName());
                moves.cleaned(r.poolId(), r.databaseName());
            }));
        }
        for (MoveRepository.Move m : leftovers) {
            if (!dryRun && cancel.isCancelled()) {
                items.add(new GcItem(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", "kept", Errors.NOT_REACHED));
                continue;
            }
            Optional<String> down = poolDown.apply(m.toPool());
            if (down.isPresent()) {
                items.add(new GcItem(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", "skipped", down.get()));
                continue;
            }
            Optional<String> kept = keptAsNotTheMoves(m, dropChanged);
            if (kept.isPresent()) {
                items.add(new GcItem(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", "kept", kept.get()));
                continue;
            }
            items.add(drop(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", dryRun, gc,
                    () -> moves.targetDropped(m.moveId())));
        }
        for (MoveRepository.Move m : writtenAgain(dropped)) {
            if (!dryRun && cancel.isCancelled()) {
                items.add(new GcItem(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", "kept", Errors.NOT_REACHED));
                continue;
            }
            Optional<String> kept = keptAsNotTheMoves(m, dropChanged);
            if (kept.isPresent()) {
                items.add(new GcItem(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", "kept", kept.get()));
                continue;
            }
            GcItem i = drop(m.toPool(), m.toDatabase(), m.orgId(), "aborted_target", dryRun, gc, () -> { });
            items.add(i.detail() != null ? i : new GcItem(i.poolId(), i.databaseName(), i.orgId(), i.kind(), i.action(),
                    writtenAgain(m)));
        }
        if (items.stream().anyMatch(GcItem::forAPerson)) { // a person looked at one and acked its finding: kept, no exit 1
            Map<String, FindingRepository.Finding> acked = ctx.catalog().findings().ackedBySubject(COPY_FINDINGS);
            items.replaceAll(i -> !i.forAPerson() || !acked.containsKey(i.poolId() + "/" + i.databaseName()) ? i : new GcItem(i.poolId(),
                    i.databaseName(), i.orgId(), i.kind(), i.action(), i.detail(), ack(acked.get(i.poolId() + "/" + i.databaseName()))));
        }
        List<String> unfinished = moves.unfinished().stream().map(m -> m.moveId() + " (" + m.orgId() + ", " + m.state() + ")").toList();
        boolean interrupted = !dryRun && cancel.isCancelled();
        // going on: the same age, and --drop-changed for the named databases it had not reached yet (a name already
        // dropped would be refused as unknown)
        List<String> stillNamed = items.stream().filter(i -> Errors.NOT_REACHED.equals(i.detail()) && dropChanged.contains(i.poolId() + "/" + i.databaseName()))
                .map(i -> i.poolId() + "/" + i.databaseName()).toList();
        return new GcResult(dryRun, items, unfinished, interrupted, interrupted ? gcCommand(olderThan, stillNamed) : null,
                databases.countRetiredSince(due));
    }

    /** The gc of {@code olderThan} and {@code dropChanged} as a command to run: what an interrupted gc goes on with, and the gc a dry run of them previews. */
    public static String gcCommand(Duration olderThan, java.util.Collection<String> dropChanged) {
        return "tenantctl rebalance gc --older-than " + Verify.gcAge(olderThan) + (dropChanged.isEmpty() ? ""
                : " --drop-changed " + io.tenantctl.NextStep.shellWord(String.join(",", new java.util.LinkedHashSet<>(dropChanged))));
    }

    /**
     * Why a move's leftover must not be dropped yet — a retained source, or a reverted move's target, written since (a
     * client whose routing still pointed at it: neither the move nor the revert waits for caches), or a deleted org's
     * database written since its delete — or empty.
     */
    private Optional<String> writtenSinceMove(String kind, String poolId, String database, String orgId, String dropChanged) {
        if (kind.equals("deleted_org")) { // what its delete recorded it held, as purge compares it
            // and, as purge keeps it, the only whole copy of the org once its newest backup was found damaged (by a restore
            // or verify --deep: gc has no store to look in itself)
            Optional<String> damaged = ctx.catalog().backups().newestComplete(orgId)
                    .flatMap(b -> io.tenantctl.catalog.BackupRepository.damage(b.error()).map(why -> "its newest backup "
                            + b.backupId() + " was found damaged: " + why + ": database " + database + " is the only whole copy of org "
                            + orgId + "; kept. Save what you need from it on pool " + poolId + ", then '" + dropChanged + "'"));
            return damaged.isPresent() ? damaged
                    : Optional.ofNullable(OrgLifecycle.writtenSinceDelete(ctx, orgId, poolId, database, "'" + dropChanged + "'"));
        }
        Optional<MoveRepository.Move> move = kind.equals("retained_source") ? ctx.catalog().moves().retainedFrom(poolId, database)
                : kind.equals("reverted_target") ? ctx.catalog().moves().revertedTo(poolId, database) : Optional.empty();
        Optional<io.tenantctl.catalog.Pool> pool = ctx.catalog().pools().find(poolId);
        if (pool.isEmpty() || !kind.equals("retained_source") && !kind.equals("reverted_target")) {
            return Optional.empty();
        }
        if (move.isEmpty() || move.get().fingerprint() == null) { // nothing says what it held: it may hold writes made since
            return Optional.of("no move ledger to compare it with, so writes made to it since cannot be ruled out: kept; once "
                    + "checked, '" + dropChanged + "'");
        }
        try {
            // taken as the ledger was: of the documents that last (what the pool's TTL job deletes is no write), or of all
            // for a move recorded before the ledger was
            List<String> changed = LastingFingerprint.likeRecorded(ctx.pools().database(poolId, pool.get().uri(), database),
                    move.get().fingerprint(), ctx.retry(), new io.tenantctl.pool.Retry.Attempts()) // goes on after a dropped connection
                    .differences(Fingerprint.fromJson(move.get().fingerprint()));
            return changed.isEmpty() ? Optional.empty() : Optional.of("written since move " + move.get().moveId()
                    + (kind.equals("reverted_target") ? " was reverted" : "") + " (collections "
                    + String.join(", ", changed) + "): those writes are in no other database; merge them into org " + move.get().orgId()
                    + ", then '" + dropChanged + "'");
        } catch (RuntimeException e) {
            return Optional.of("could not be compared with move " + move.get().moveId() + "'s ledger (" + Errors.oneLine(e) + "): kept");
        }
    }

    /**
     * Of the aborted moves whose target was dropped ({@link MoveRepository#droppedTargets}), those whose target is on its
     * pool again: written after the rollback by a batch the move's paused process had in flight. One listing per pool;
     * a pool that does not answer is passed over (the next gc looks again).
     */
    private List<MoveRepository.Move> writtenAgain(List<MoveRepository.Move> dropped) {
        Map<String, Set<String>> listed = new java.util.HashMap<>();
        List<MoveRepository.Move> out = new ArrayList<>();
        for (MoveRepository.Move m : dropped) {
            Set<String> names = listed.computeIfAbsent(m.toPool(), poolId -> ctx.catalog().pools().find(poolId).map(p -> {
                try {
                    return ctx.databaseNames(p);
                } catch (RuntimeException e) {
                    return Set.<String>of();
                }
            }).orElse(Set.of()));
            if (names.contains(m.toDatabase())) {
                out.add(m);
            }
        }
        return out;
    }

    /** Why an aborted move's target, dropped by its rollback, is there again. */
    static String writtenAgain(MoveRepository.Move m) {
        return "the target of aborted move " + m.moveId() + ", dropped when it was rolled back and written again after (a batch "
                + "the move's process had in flight)";
    }

    /**
     * Why gc keeps the database bearing the name of aborted move {@code m}'s target — it holds more than the move could
     * write (another catalog's database on this server, writes made to it since) — or empty; never for one of {@code dropChanged}.
     */
    private Optional<String> keptAsNotTheMoves(MoveRepository.Move m, Set<String> dropChanged) {
        Optional<String> more = dropChanged.contains(m.toPool() + "/" + m.toDatabase()) ? Optional.empty() : InFlightBatch.beyond(ctx, m);
        return more.map(x -> notTheBatch(m, x) + ": kept; make sure it is nobody's (another catalog on this server, writes made to "
                + "it since), then 'tenantctl rebalance gc --drop-changed " + m.toPool() + "/" + m.toDatabase() + "'");
    }

    /** The way a lost pool's orgs come back (verify's pool_unreachable, the plan's note): each restored onto another pool. */
    static String restoreOffALostPool(String poolId, long orgs, String storeOnLine) {
        return "bring its " + io.tenantctl.Counted.of(orgs, "org") + (orgs == 1 ? " back on another pool from its newest backup"
                : " back on other pools from their newest backups") + ": 'tenantctl restore --org ORG --target-pool POOL" + storeOnLine + "' "
                + (orgs == 1 ? "for the org" : "for each org") + " 'tenantctl orgs list --pool " + poolId + "' lists (a suspended org stays read_only)";
    }

    /** Why a database bearing the name of {@code m}'s target is not what the move wrote (dropped by its rollback, or not). */
    static String notTheBatch(MoveRepository.Move m, String more) {
        return m.targetDropped() ? "bears the name of aborted move " + m.moveId() + "'s target, dropped when it was rolled back, but holds "
                + "more than the move's process could write after that: " + more
                : "bears the name of aborted move " + m.moveId() + "'s target, which its rollback could not drop, but holds more than the "
                + "move's copy could: " + more;
    }

    /** {@code f}'s ack as gc and purge show it; null for none. */
    static GcAck ack(FindingRepository.Finding f) {
        return f == null ? null : new GcAck(f.findingId(), f.ackedUntil(), f.ackReason());
    }

    private GcItem drop(String poolId, String database, String orgId, String kind, boolean dryRun, DatabaseGc gc, Runnable forget) {
        DatabaseGc.Outcome o = gc.drop(poolId, database, orgId, dryRun, forget);
        return new GcItem(poolId, database, orgId, kind, o.action(), o.detail());
    }


    private RunEngine engine() {
        return new RunEngine(ctx, new LeaseRecovery(ctx));
    }
}
