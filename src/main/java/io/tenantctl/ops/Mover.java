package io.tenantctl.ops;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.IndexSpec;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One org moved between pools, step by step through the moves table: planned (the target's place reserved, the row
 * written before the target database exists; then a first copy while the org is still live) → frozen (org read_only:
 * the routing view says not writable; then --freeze-grace for application caches) → copying (the frozen source read
 * once more, its fingerprint taken as it goes: the ledger; only what changed since the first copy is written) → verifying (counts, digests and indexes of both sides against the ledger) → flipped (pointer and status in
 * one catalog transaction; the source recorded as retired) → retained (kept until gc). A failure before the flip drops
 * the target and puts the org back on its source as it was; {@link #recover} does the same for a move whose process
 * died, and finishes one that died after its flip.
 */
final class Mover {

    static final int BATCH = 1000;
    private static final com.mongodb.client.model.InsertManyOptions UNORDERED = new com.mongodb.client.model.InsertManyOptions().ordered(false);
    /** Bytes per millisecond assumed for a freeze prediction until moves have been measured (5 MB/s: conservative). */
    static final double DEFAULT_BYTES_PER_MS = 5_000;
    /** Moves smaller than this (1 MB) are left out of the measured copy speed: their copy time is mostly fixed cost. */
    static final long MEASURED_MIN_BYTES = 1_000_000;
    private static final int SAMPLES = 10;

    /** A test seam: told after each state is recorded (a test crashes the move here, or writes to a pool behind its back). */
    interface Hooks {
        void reached(MoveState state, MoveRepository.Move move);

        Hooks NONE = (state, move) -> {
        };
    }

    /** --max-freeze (a move predicted or running past it is refused or aborted), --freeze-grace, --force. */
    record Limits(long maxFreezeMs, long freezeGraceMs, boolean force) {
    }

    /** What one move did: its figures as the run records them. */
    record Report(String moveId, String toPool, String toDatabase, long docs, long bytes, long freezeMs, long copyMs,
                  double mbPerSecond, long predictedFreezeMs) {
    }

    /**
     * A move refused before anything was written, and for what: its {@code TARGET} (not active, or full), a {@code STALE}
     * plan (the org is on another pool than planned), its predicted {@code FREEZE} (over --max-freeze), or its {@code ORG}
     * (not movable as it is: not active/read_only, moving already, on the target already), or a target that is
     * {@code UNREACHABLE} (does not answer a ping). The way on depends on which.
     */
    static final class Refused extends TenantctlException {
        enum Kind { TARGET, STALE, FREEZE, ORG, UNREACHABLE }

        private final Kind kind;
        private final long predictedFreezeMs;

        Refused(Kind kind, String message, long predictedFreezeMs) {
            super(Category.FAILED, message);
            this.kind = kind;
            this.predictedFreezeMs = predictedFreezeMs;
        }

        Kind kind() {
            return kind;
        }

        /** The predicted freeze a {@code FREEZE} refusal was over --max-freeze with (0 for the other kinds). */
        long predictedFreezeMs() {
            return predictedFreezeMs;
        }
    }

    /** Size of an org's database, for plans and predictions. */
    record Size(long docs, long bytes) {
    }

    private final OpsContext ctx;
    private final MoveRepository moves;
    private final RestoreRepository databases;
    private final Hooks hooks;
    /** Each target pool's ping, once per mover (a run's, a dry run's): a dead target costs one connect timeout, not one per move. */
    private final Map<String, Optional<String>> targetSilence = new java.util.concurrent.ConcurrentHashMap<>();

    Mover(OpsContext ctx, Hooks hooks) {
        this.ctx = ctx;
        this.moves = ctx.catalog().moves();
        this.databases = ctx.catalog().restores();
        this.hooks = hooks;
    }

    /** Documents and data bytes of a database (dbStats). */
    Size size(Pool pool, String database) {
        Document s = ctx.retry().call(new Retry.Attempts(), () -> db(pool, database).runCommand(new Document("dbStats", 1)));
        return new Size(number(s.get("objects")), number(s.get("dataSize")));
    }

    /**
     * The copy speed freezes are predicted with: measured over the latest 20 moves of 1 MB or more, and never below the
     * conservative default (a slow measurement must not refuse every sizeable org by --max-freeze; a copy that does run
     * past it is still aborted).
     */
    double bytesPerMs() {
        return Math.max(DEFAULT_BYTES_PER_MS, moves.throughputBytesPerMs(20, MEASURED_MIN_BYTES).orElse(DEFAULT_BYTES_PER_MS));
    }

    /** The freeze a move of {@code bytes} is predicted to take: grace plus bytes at {@link #bytesPerMs}. */
    long predictFreezeMs(long bytes, long graceMs) {
        return graceMs + (long) Math.ceil(bytes / bytesPerMs());
    }

    /** Moves {@code orgId} to {@code toPool} (the caller holds the org's lease); throws with the reason when it does not flip. */
    Report move(String orgId, String expectedFromPool, String toPool, String runId, Limits limits) {
        Org org = preflight(orgId, expectedFromPool, toPool, 0);
        Pool from = ctx.catalog().pools().get(org.poolId());
        Pool to = ctx.catalog().pools().get(toPool);
        Size size = size(from, org.databaseName());
        long predicted = refuseLongFreeze(orgId, size, limits);
        String toDatabase = targetName(org, to);
        String moveId = "m-" + Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
        MoveRepository.Planned planned = moves.plan(moveId, orgId, runId, from.poolId(), org.databaseName(), to.poolId(), toDatabase,
                org.status(), size.docs(), size.bytes());
        if (planned.move() == null) {
            throw new Refused(planned.refusal().target() ? Refused.Kind.TARGET : Refused.Kind.ORG, planned.refusal().message(), 0);
        }
        MoveRepository.Move m = planned.move();
        hooks.reached(MoveState.PLANNED, m);
        long frozenAt = 0;
        try {
            PreCopied pre = preCopy(m, from, to); // while the org is live: the freeze then only catches up
            frozenAt = System.nanoTime();
            freeze(m, ctx.catalog().orgs().get(orgId));
            hooks.reached(MoveState.FROZEN, m);
            long deadline = freezeDeadline(frozenAt, limits.maxFreezeMs());
            // the grace is part of the freeze: it ends at --max-freeze (a --force'd grace longer than it kept the org
            // frozen the whole grace), and the move is then aborted as a copy past it is
            sleepUntil(Math.min(later(System.nanoTime(), limits.freezeGraceMs()), deadline));
            pastDeadline(deadline, "waiting out --freeze-grace " + limits.freezeGraceMs() + " ms");
            long copyStart = System.nanoTime();
            step(m, MoveState.FROZEN, MoveState.COPYING);
            hooks.reached(MoveState.COPYING, m);
            Copied copied = catchUp(m, from, to, deadline, pre);
            // the ledger as the catalog keeps it: of the documents that last (marked), so that gc and revert, comparing a
            // database with it days later, do not take what a pool's TTL job expired since for a write
            moves.copied(m.moveId(), LastingFingerprint.toJson(copied.lasting()), copied.ledger().docs(), copied.bytes(), millis(copyStart));
            step(m, MoveState.COPYING, MoveState.VERIFYING);
            hooks.reached(MoveState.VERIFYING, m);
            verify(m, from, to, copied.lasting());
            pastDeadline(deadline, "verifying");
            long copyMs = millis(copyStart);
            moves.copied(m.moveId(), LastingFingerprint.toJson(copied.lasting()), copied.ledger().docs(), copied.bytes(), copyMs);
            Org now = ctx.catalog().orgs().get(orgId);
            if (!moves.flip(m, to.uri(), now.version(), m.priorStatus())) {
                throw failure("org " + orgId + " was changed by someone else during the move; its pointer was left as it was");
            }
            long freezeMs = millis(frozenAt);
            moves.freezeEnded(m.moveId(), freezeMs);
            MoveRepository.Move flipped = moves.find(m.moveId()).orElseThrow();
            hooks.reached(MoveState.FLIPPED, flipped);
            step(flipped, MoveState.FLIPPED, MoveState.RETAINED);
            hooks.reached(MoveState.RETAINED, flipped);
            double mbps = copyMs == 0 ? 0 : copied.bytes() / 1000.0 / copyMs;
            return new Report(m.moveId(), to.poolId(), toDatabase, copied.ledger().docs(), copied.bytes(), freezeMs, copyMs,
                    Math.round(mbps * 10) / 10.0, predicted);
        } catch (RuntimeException | OutOfMemoryError thrown) {
            // out of memory (a 16 MB document, a small heap) is rolled back like any failure: the org back on its source
            RuntimeException e = thrown instanceof OutOfMemoryError oom ? TenantctlException.outOfMemory(oom) : (RuntimeException) thrown;
            MoveRepository.Move now = moves.find(m.moveId()).orElseThrow();
            if (now.state() == MoveState.ABORTED || now.state() == MoveState.REVERTED) {
                // ended by another process (a worker that took over this one's expired lease rolled it back): nothing to undo
                throw failure("move " + m.moveId() + " of org " + orgId + " was ended by another process (now " + now.state()
                        + ") while this one worked on it (" + Errors.oneLine(e) + "); nothing more was written");
            }
            if (!now.state().beforeFlip()) { // flipped: the org is on its target; only the bookkeeping after the flip failed
                throw failure("org " + orgId + " was moved: its pointer flipped to " + toPool + ", but recording the move's end failed ("
                        + Errors.oneLine(e) + "); 'tenantctl rebalance resume' finishes it (its source is kept until gc)");
            }
            // a Ctrl-C that cut a retried call's backoff short is an interrupt, not the pool's failure (one failed for good is)
            boolean interrupted = Retry.cutShort(e);
            // a pool that stopped answering (the target mid-copy, the source during the freeze) is named, not the driver
            String silent = !interrupted && io.tenantctl.pool.FerretErrors.notAnswering(e) ? java.util.stream.Stream.of(to, from)
                    .filter(p -> PoolHealth.check(ctx, p).isPresent()).map(Pool::poolId).findFirst().orElse(null) : null;
            String why = silent == null ? Errors.cutShort(e, Errors.oneLine(e)) : "pool " + silent + " stopped answering (" + Errors.oneLine(e) + ")";
            String undone = rollBack(now, why, p -> p.poolId().equals(silent));
            String message = "move " + m.moveId() + " of org " + orgId + " to " + toPool + " aborted: " + why + "; " + undone;
            if (io.tenantctl.catalog.Catalog.Unreachable.in(e).isPresent()) {
                // rolled back, but what else the lost statement recorded is unknown: the run stops (exit 3, its --resume)
                throw new TenantctlException(TenantctlException.Category.FAILED, message, e);
            }
            throw interrupted ? new TenantctlException(TenantctlException.Category.INTERRUPTED, message, e)
                    : silent == null ? failure(message) : new PoolSilent(silent, message);
        }
    }

    /**
     * The checks a move meets before anything is written, read only — a move and a dry run of it ask the same: the org
     * still on the planned pool, not on the target already, active or read_only, not moving already; the target active
     * and with room counting the moves into it ({@code alsoIn}: a dry run's earlier moves into it, less those out of it),
     * and answering a ping (as {@code rebalance move} requires it). Returns the org; throws {@link Refused} saying why
     * not. (Recording the move checks the target again, under the placement lock.)
     */
    Org preflight(String orgId, String expectedFromPool, String toPool, int alsoIn) {
        Org org = ctx.catalog().orgs().get(orgId);
        if (expectedFromPool != null && !org.poolId().equals(expectedFromPool)) {
            throw new Refused(Refused.Kind.STALE, "org " + orgId + " is on " + org.poolId() + " now, not " + expectedFromPool
                    + " as planned: make a new plan", 0);
        }
        if (org.poolId().equals(toPool)) {
            throw new Refused(Refused.Kind.ORG, "org " + orgId + " is already on pool " + toPool, 0);
        }
        if (!org.status().equals(Org.ACTIVE) && !org.status().equals(Org.READ_ONLY)) {
            throw new Refused(Refused.Kind.ORG, "org " + orgId + " is " + org.status() + ": only active or read_only orgs are moved", 0);
        }
        moves.refusal(orgId, toPool, alsoIn).ifPresent(r -> {
            throw new Refused(r.target() ? Refused.Kind.TARGET : Refused.Kind.ORG, r.message(), 0);
        });
        Pool to = ctx.catalog().pools().get(toPool);
        targetSilence.computeIfAbsent(toPool, id -> PoolHealth.check(ctx, to)).ifPresent(why -> {
            throw new Refused(Refused.Kind.UNREACHABLE, PoolHealth.doesNotAnswer(to, "the move's target", why), 0);
        });
        return org;
    }

    /** The move's predicted freeze for an org of {@code size}; a {@link Refused} when it is over --max-freeze without --force. */
    long refuseLongFreeze(String orgId, Size size, Limits limits) {
        long predicted = predictFreezeMs(size.bytes(), limits.freezeGraceMs());
        if (predicted > limits.maxFreezeMs() && !limits.force()) {
            throw new Refused(Refused.Kind.FREEZE, "org " + orgId + " (" + io.tenantctl.Counted.of(size.docs(), "document") + ", " + size.bytes() + " bytes) is predicted to be frozen "
                    + predicted + " ms, over --max-freeze " + limits.maxFreezeMs() + " ms: raise --max-freeze, or pass --force to try "
                    + "(the copy is still aborted if it runs past --max-freeze)", predicted);
        }
        return predicted;
    }

    /**
     * Finishes (flipped → retained) or rolls back (before the flip) a move whose process died; says what it did. A move
     * that was finished (retained) when its process died has only its run item to record.
     */
    String recover(MoveRepository.Move m) {
        if (m.state() == MoveState.RETAINED) {
            String ended = endDeadItem(m, ItemStatus.SUCCEEDED, null);
            return ended.isEmpty() ? null : "move " + m.moveId() + " of org " + m.orgId() + " had finished (flipped to " + m.toPool()
                    + ", source retained until gc) when its process died" + ended;
        }
        if (m.state() == MoveState.FLIPPED) {
            moves.step(m.moveId(), MoveState.FLIPPED, MoveState.RETAINED);
            return "move " + m.moveId() + " of org " + m.orgId() + " had flipped to " + m.toPool() + ": finished (source "
                    + m.fromDatabase() + " on " + m.fromPool() + " retained until gc)" + endDeadItem(m, ItemStatus.SUCCEEDED, null);
        }
        if (!m.state().beforeFlip()) {
            return null;
        }
        String why = "the move's process died while " + m.state() + "; rolled back by resume";
        // a target that does not answer a ping gets the one try, not six with backoff: gc drops what it leaves there
        return "move " + m.moveId() + " of org " + m.orgId() + " died while " + m.state() + ", rolled back: "
                + rollBack(m, why, to -> PoolHealth.check(ctx, to).isPresent())
                + endDeadItem(m, ItemStatus.FAILED, "move " + m.moveId() + ": " + why);
    }

    /**
     * Records a dead move's item in its run as {@code status} (nobody else will), and ends the run once nothing else is
     * left in it: no longer abandoned, nor holding the org as still to be moved (a plan takes it again). Not when a live
     * worker has claimed the item since (one that joined or resumed the run recovers the move, then moves the org itself).
     * Its detail names the move, and that another process than the move's ended it (rolled back or finished): so does the
     * move's own process if it was only paused, and reports this outcome. What it did, to be said after the recovery, or "".
     */
    private String endDeadItem(MoveRepository.Move m, ItemStatus status, String error) {
        java.util.Optional<io.tenantctl.catalog.RunRepository.RunningClaim> claim = m.runId() == null ? java.util.Optional.empty()
                : ctx.catalog().runs().runningClaim(m.runId(), m.orgId());
        if (claim.isEmpty() || !claim.get().expired() && !io.tenantctl.ops.run.RunEngine.LIVENESS.knownDead().test(claim.get().claimedBy())
                || !ctx.catalog().runs().deadWorkersItemEnded(m.runId(), m.orgId(), claim.get().claimedBy(), status.db(), error,
                Json.args("move_id", m.moveId(), "to_pool", m.toPool(), "to_database", m.toDatabase(),
                        status == ItemStatus.FAILED ? "rolled_back_by" : "finished_by", "lease recovery"))) {
            return "";
        }
        return ctx.catalog().runs().finishIfNothingLeft(m.runId(), Rebalance.undone(ctx, m.runId())) ? "; its run " + m.runId() + " is finished ("
                + ctx.catalog().runs().status(m.runId()) + ")" : "; recorded " + status.db() + " in its run " + m.runId();
    }

    /**
     * Flips an org back to the source its move retained, only if its target still equals the ledger (nothing was written
     * since the move) and the source does too. The org is frozen while both are checked.
     */
    String revert(MoveRepository.Move m) {
        return revert(m, false);
    }

    /**
     * Flips a retained move's org back to its source when neither side changed since the move (the ledger). With
     * {@code dryRun}, every check on the data as it is now, and nothing frozen or flipped.
     */
    String revert(MoveRepository.Move m, boolean dryRun) {
        if (m.state() != MoveState.RETAINED) {
            throw failure(notRetained(m));
        }
        Org org = ctx.catalog().orgs().get(m.orgId());
        if (!org.poolId().equals(m.toPool()) || !org.databaseName().equals(m.toDatabase())) {
            throw failure("org " + m.orgId() + " is no longer on the move's target (" + m.toPool() + "/" + m.toDatabase() + ", now "
                    + org.poolId() + "/" + org.databaseName() + "): nothing to revert");
        }
        if (!org.status().equals(Org.ACTIVE) && !org.status().equals(Org.READ_ONLY)) {
            throw failure("org " + m.orgId() + " is " + org.status() + ": revert needs it active or read_only");
        }
        Fingerprint ledger = Fingerprint.fromJson(m.fingerprint());
        Pool from = ctx.catalog().pools().get(m.fromPool());
        Pool to = ctx.catalog().pools().get(m.toPool());
        OrgStatus status = org.status();
        // the source pool's room, checked again at the flip under the placement lock: refused here, nothing is frozen
        moves.revertRefusal(m).ifPresent(why -> {
            throw failure(why);
        });
        // both sides are read: a pool that does not answer is named (exit 3) before the org is frozen, as a move names it
        PoolHealth.require(ctx, to, "org " + m.orgId() + "'s pool, the move's target");
        PoolHealth.require(ctx, from, "the move's retained source");
        if (dryRun) {
            try {
                requireLedger(m, ledger, from, to);
            } catch (RuntimeException e) {
                throw stoppedAnswering(m, e, from, to);
            }
            return "dry run: org " + m.orgId() + " would be back on " + m.fromPool() + "/" + m.fromDatabase() + " (" + status + "); both "
                    + "sides still equal the ledger (the real revert checks again with the org frozen)";
        }
        if (!org.status().equals(Org.READ_ONLY) && !ctx.catalog().orgs().compareAndSetStatus(org.orgId(), org.version(), Org.READ_ONLY)) {
            throw failure("org " + m.orgId() + " changed while the revert started: retry");
        }
        try {
            requireLedger(m, ledger, from, to);
            Org now = ctx.catalog().orgs().get(m.orgId());
            if (!moves.flipBack(m, from.uri(), now.version(), status)) {
                throw failure("org " + m.orgId() + " was changed by someone else during the revert; its pointer was left as it was");
            }
            return "org " + m.orgId() + " is back on " + m.fromPool() + "/" + m.fromDatabase() + " (" + status + "); " + m.toDatabase()
                    + " on " + m.toPool() + " is retired until gc";
        } catch (RuntimeException e) {
            Org now = ctx.catalog().orgs().get(m.orgId());
            if (now.poolId().equals(m.toPool()) && now.status().equals(Org.READ_ONLY) && !status.equals(Org.READ_ONLY)) {
                ctx.catalog().orgs().compareAndSetStatus(now.orgId(), now.version(), status);
            }
            throw stoppedAnswering(m, e, from, to);
        }
    }

    /**
     * Why move {@code m}, not retained, cannot be reverted, where its org is now and the way on: it said only "move M is
     * aborted: only a retained move (flipped, source kept) can be reverted", whatever the move's state.
     */
    private String notRetained(MoveRepository.Move m) {
        Optional<Org> org = ctx.catalog().orgs().find(m.orgId());
        String where = org.map(o -> "org " + m.orgId() + " is on " + o.poolId() + "/" + o.databaseName() + " (" + o.status() + ")")
                .orElse("org " + m.orgId() + " is no longer in the catalog");
        String head = "move " + m.moveId() + " of org " + m.orgId() + " cannot be reverted: ";
        boolean onSource = org.filter(o -> o.poolId().equals(m.fromPool())).isPresent();
        return switch (m.state()) {
            case ABORTED -> head + "it was aborted and rolled back before its flip, so the org never left " + m.fromPool() + "; " + where
                    + ": nothing to revert";
            case REVERTED -> head + "it was reverted already; " + where + ": nothing to revert";
            case CLEANED -> head + "its source " + m.fromPool() + "/" + m.fromDatabase() + " was dropped by 'rebalance gc'; " + where
                    + (onSource || org.isEmpty() ? "" : ctx.catalog().pools().find(m.fromPool()).filter(p -> !p.status().equals(Pool.ACTIVE))
                    .map(p -> "; pool " + m.fromPool() + " is " + p.status() + ", so it takes no org back")
                    .orElse("; to put it back on " + m.fromPool() + ", copy it there: 'tenantctl rebalance move " + m.orgId() + " --to " + m.fromPool() + "'"));
            default -> head + "it is still " + m.state() + " (only a retained move, flipped and its source kept, can be): see "
                    + "'tenantctl rebalance status " + m.moveId() + "'; one whose process died is finished or rolled back by 'tenantctl rebalance resume'";
        };
    }

    /** A revert's read that failed because one of its pools stopped answering: that pool named (exit 3); else {@code e}. */
    private RuntimeException stoppedAnswering(MoveRepository.Move m, RuntimeException e, Pool from, Pool to) {
        String silent = Retry.cutShort(e) || !io.tenantctl.pool.FerretErrors.notAnswering(e) ? null : java.util.stream.Stream.of(to, from)
                .filter(p -> PoolHealth.check(ctx, p).isPresent()).map(Pool::poolId).findFirst().orElse(null);
        return silent == null ? e : TenantctlException.config("revert of move " + m.moveId() + " stopped: pool " + silent + " stopped answering ("
                + Errors.oneLine(e) + "); org " + m.orgId() + " is on " + m.toPool() + "/" + m.toDatabase() + " as it was — see 'tenantctl "
                + "pools stats " + silent + "', then the revert again", e);
    }

    /**
     * Refuses the revert unless the target (nothing written since the move) and the retained source both equal the ledger,
     * each taken as the ledger was ({@link LastingFingerprint#likeRecorded}: of the documents that last, or of all for a
     * move recorded before), and both sides hold the same dated documents that have not expired (a session made on the
     * target since would be lost): what the pools' TTL jobs expired since is no write.
     */
    private void requireLedger(MoveRepository.Move m, Fingerprint ledger, Pool from, Pool to) {
        Retry.Attempts attempts = new Retry.Attempts();
        Fingerprint targetNow = LastingFingerprint.likeRecorded(db(to, m.toDatabase()), m.fingerprint(), ctx.retry(), attempts);
        List<String> targetChanged = targetNow.differences(ledger);
        if (!targetChanged.isEmpty()) {
            throw failure("revert of move " + m.moveId() + " refused: org " + m.orgId() + " was written to on " + m.toPool()
                    + " since the move (" + describe(targetChanged, ledger, targetNow) + "); flipping back would "
                    + "lose those writes: " + moveBackInstead(m, from));
        }
        List<String> sourceChanged = LastingFingerprint.likeRecorded(db(from, m.fromDatabase()), m.fingerprint(), ctx.retry(), attempts)
                .differences(ledger);
        if (!sourceChanged.isEmpty()) {
            throw failure("revert of move " + m.moveId() + " refused: the retained source " + m.fromDatabase() + " on " + m.fromPool()
                    + " no longer equals the ledger (collections " + String.join(", ", sourceChanged) + ")");
        }
        java.util.Date cutoff = new java.util.Date(System.currentTimeMillis() + EXPIRY_MARGIN_MS);
        List<String> datedChanged = held(db(to, m.toDatabase()), cutoff).kept().differences(held(db(from, m.fromDatabase()), cutoff).kept());
        if (!datedChanged.isEmpty()) {
            throw failure("revert of move " + m.moveId() + " refused: org " + m.orgId() + " was written to on " + m.toPool()
                    + " since the move (documents that have not expired yet differ from the retained source's in collections "
                    + String.join(", ", datedChanged) + "); flipping back would lose those writes: " + moveBackInstead(m, from));
        }
        List<String> indexesChanged = indexDifferences(db(to, m.toDatabase()), db(from, m.fromDatabase()));
        if (!indexesChanged.isEmpty()) {
            throw failure("revert of move " + m.moveId() + " refused: org " + m.orgId() + "'s indexes on " + m.toPool() + " are not the "
                    + "retained source's (" + io.tenantctl.Counted.firstOf(indexesChanged, 5, ", ") + ": a migrate-all since the move?); "
                    + "flipping back would leave it without what its recorded manifest promises: " + moveBackInstead(m, from));
        }
    }

    /** The way back when a revert is refused: a new move, which only goes to an active pool. */
    private static String moveBackInstead(MoveRepository.Move m, Pool from) {
        String move = "'tenantctl rebalance move " + m.orgId() + " --to " + m.fromPool() + "'";
        return Pool.ACTIVE.equals(from.status()) ? "move it with " + move + " instead"
                : "pool " + m.fromPool() + " is " + from.status().db() + " (moves go only to active pools): 'tenantctl pools enable "
                        + m.fromPool() + "' first, then " + move + " instead (or move it to another pool with --to)";
    }

    /** Indexes (collection.name) one database has and the other lacks or defines otherwise, either way, sorted. */
    private List<String> indexDifferences(MongoDatabase a, MongoDatabase b) {
        Retry.Attempts attempts = new Retry.Attempts();
        Map<String, IndexSpec> left = indexSpecs(a, attempts);
        Map<String, IndexSpec> right = indexSpecs(b, attempts);
        TreeSet<String> out = new TreeSet<>();
        left.forEach((k, spec) -> {
            if (!right.containsKey(k) || !spec.sameSpecAs(right.get(k))) {
                out.add(k);
            }
        });
        right.keySet().stream().filter(k -> !left.containsKey(k)).forEach(out::add);
        return out.stream().map(k -> k.replace('\0', '.')).toList();
    }

    private Map<String, IndexSpec> indexSpecs(MongoDatabase db, Retry.Attempts attempts) {
        java.util.Set<String> names = SchemaApply.collections(db, ctx.retry(), attempts);
        Map<String, IndexSpec> out = new HashMap<>();
        SchemaApply.indexes(db, names, new ArrayList<>(names), ctx.retry(), attempts).forEach((c, list) -> list.forEach(d -> {
            IndexSpec spec = IndexSpec.fromListIndexes(d);
            out.put(SchemaApply.key(c, spec.name()), spec); // not "c.name": users + profile.email_1 is not users.profile + email_1
        }));
        return out;
    }

    /**
     * The target database's name: the org's own, unless the target pool has a database of that name or another org of
     * any pool, in any status, has it (names are unique across the catalog: org a_b adopted from another name and org a-b
     * both spell org_a_b) — then a suffix.
     */
    private String targetName(Org org, Pool to) {
        String base = io.tenantctl.catalog.OrgId.databaseName(org.orgId());
        for (int n = 1; ; n++) {
            String name = n == 1 ? base : base + "__m" + n;
            if (!databases.isRetired(to.poolId(), name) && !databases.pointedAtBy(to.poolId(), name).isPresent()
                    && databases.owner(name).filter(owner -> !owner.equals(org.orgId())).isEmpty()
                    && ctx.retry().call(new Retry.Attempts(), () -> db(to, name).listCollectionNames().first()) == null // a read: asked again
                    && leftoverTarget(to.poolId(), name)) {
                return name;
            }
        }
    }

    /** Whether no aborted move still owns {@code name} on the pool as an undropped target. */
    private boolean leftoverTarget(String poolId, String name) {
        return moves.leftoverTargets().stream().noneMatch(l -> l.toPool().equals(poolId) && l.toDatabase().equals(name));
    }

    /** The org read_only and the move frozen, in one catalog transaction: neither without the other. */
    private void freeze(MoveRepository.Move m, Org org) {
        switch (moves.freeze(m, org.version(), org.status().equals(Org.READ_ONLY))) {
            case ORG_CHANGED -> throw failure("org " + org.orgId() + " changed while the move started: retry");
            case NOT_PLANNED -> throw failure("move " + m.moveId() + " was not " + MoveState.PLANNED + " when it was to become "
                    + MoveState.FROZEN + " (another process took it over?)");
            case FROZEN -> { }
        }
    }

    private void step(MoveRepository.Move m, MoveState from, MoveState to) {
        if (!moves.step(m.moveId(), from, to)) {
            throw failure("move " + m.moveId() + " was not " + from + " when it was to become " + to + " (another process took it over?)");
        }
    }

    /** {@code ledger}: the frozen source as the catch-up read it; {@code lasting}: the same, of its documents that last (LastingFingerprint). */
    private record Copied(Fingerprint ledger, Fingerprint lasting, long bytes, long written) {
    }

    /**
     * While the org is still live: every collection created on the target with the source's indexes, and its documents
     * copied in batches. What changes meanwhile is caught up after the freeze ({@link #catchUp}); nothing here is trusted.
     */
    private PreCopied preCopy(MoveRepository.Move m, Pool from, Pool to) {
        MongoDatabase source = db(from, m.fromDatabase());
        MongoDatabase target = db(to, m.toDatabase());
        Retry.Attempts attempts = new Retry.Attempts();
        Fingerprint.Builder sent = new Fingerprint.Builder();
        java.util.Set<String> dirty = new java.util.HashSet<>();
        long docs = 0;
        long reported = System.nanoTime();
        for (String name : collections(source, attempts)) {
            stillOurs(m, MoveState.PLANNED); // the longest phase: a mover that outlived its lease stops before each collection
            sent.collection(name);
            createLike(source, target, name, attempts);
            MongoCollection<RawBsonDocument> out = target.getCollection(name, RawBsonDocument.class);
            DocBatch batch = new DocBatch();
            // on after a dropped connection, after the last _id read (what the live source wrote behind it, the catch-up copies)
            try (ReadAhead<RawBsonDocument> in = ResumedRead.ahead(source.getCollection(name, RawBsonDocument.class), name, ctx.retry(), attempts)) {
                while (in.hasNext()) {
                    RawBsonDocument d = in.next();
                    sent.add(d);
                    if (batch.add(d) || !in.hasNext()) {
                        stillCopying(m, MoveState.PLANNED); // and before each batch: a paused mover lands at most the one in flight
                        try { // a dropped connection retried (a retry after a lost reply meets the batch's own documents: dirty)
                            ctx.retry().run(attempts, () -> out.insertMany(batch.docs(), UNORDERED), () -> {
                                stillCopying(m, MoveState.PLANNED); // a retry is a new write: not by a mover woken past its lease after a rollback
                                out.insertMany(batch.docs(), UNORDERED);
                            });
                        } catch (com.mongodb.MongoBulkWriteException e) {
                            dirty.add(name); // the live source changed under the read (a unique key moved): the catch-up settles it
                        }
                        docs += batch.size();
                        batch.clear();
                        if (System.nanoTime() - reported > TimeUnit.SECONDS.toNanos(1)) {
                            moves.progress(m.moveId(), docs);
                            reported = System.nanoTime();
                        }
                    }
                }
            }
        }
        moves.progress(m.moveId(), docs);
        return new PreCopied(sent.build(), dirty);
    }

    /** What the first copy wrote to the target, per collection, and the collections where some of it did not go in. */
    private record PreCopied(Fingerprint sent, java.util.Set<String> dirty) {
    }

    /**
     * Frozen: the source read once more, its fingerprint taken as read (the ledger), each batch looked up on the target
     * by _id and only what is missing or different written; then what the target has beyond the source removed.
     * A collection where that meets a unique index (keys that moved between documents) is copied again whole.
     */
    private Copied catchUp(MoveRepository.Move m, Pool from, Pool to, long deadline, PreCopied pre) {
        MongoDatabase source = db(from, m.fromDatabase());
        MongoDatabase target = db(to, m.toDatabase());
        Retry.Attempts attempts = new Retry.Attempts();
        Map<String, Fingerprint.Collection> ledger = new java.util.TreeMap<>();
        Map<String, Fingerprint.Collection> lasting = new java.util.TreeMap<>();
        long[] bytes = {0};
        long written = 0;
        java.util.Set<String> onTarget = new java.util.HashSet<>(collections(target, attempts));
        for (String name : collections(source, attempts)) {
            stillOurs(m, MoveState.COPYING); // before anything is written to the target, each collection's worth
            MongoCollection<RawBsonDocument> in = source.getCollection(name, RawBsonDocument.class);
            Fingerprint.Builder frozen = new Fingerprint.Builder().collection(name);
            Fingerprint.Builder lasts = new Fingerprint.Builder().collection(name);
            // read as two parts where a TTL index expires documents: those that last, then the dated ones (the digest is
            // a sum: the whole is the same either way), so that verify can hold the source to what lasts (FerretDB's TTL
            // job deletes expired documents on both pools during the freeze); each read goes on after a dropped connection
            List<LastingFingerprint.Ttl> ttls = LastingFingerprint.ttls(listIndexes(source, name, attempts));
            java.util.function.Consumer<RawBsonDocument> add = d -> {
                frozen.add(d);
                bytes[0] += d.getByteBuffer().remaining();
            };
            ResumedRead.read(in, LastingFingerprint.lasting(ttls), null, null, 0, ctx.retry(), attempts, add.andThen(lasts::add));
            if (!ttls.isEmpty()) {
                ResumedRead.read(in, LastingFingerprint.dated(ttls), null, null, 0, ctx.retry(), attempts, add);
            }
            pastDeadline(deadline, "reading " + name);
            Fingerprint.Collection now = frozen.build().collections().get(name);
            ledger.put(name, now);
            lasting.put(name, lasts.build().collections().get(name));
            boolean created = onTarget.remove(name);
            if (created) {
                syncIndexes(source, target, name, attempts); // built or dropped on the source since the first copy (an app's autoIndex)
            }
            if (created && !pre.dirty().contains(name) && now.equals(pre.sent().collections().get(name))) {
                continue; // unchanged since the first copy: the target got exactly these documents
            }
            if (!created) {
                createLike(source, target, name, attempts); // created on the source after the first copy
            }
            written += syncCollection(source, target, name, attempts, deadline, () -> stillCopying(m, MoveState.COPYING));
        }
        for (String gone : onTarget) {
            stillOurs(m, MoveState.COPYING);
            target.getCollection(gone).drop(); // dropped on the source after the first copy
        }
        return new Copied(new Fingerprint(ledger), new Fingerprint(lasting), bytes[0], written);
    }

    /**
     * Refuses to write on when this move is no longer the one copying into its target: a mover that outlived its lease
     * (a stopped process, a catalog out of reach) may find its move rolled back by 'rebalance resume' and its target's
     * name taken by another move that went live there — syncing that database from the old source would delete what
     * the application wrote since. {@code expected}: the state this step runs in (planned for the first copy, copying for
     * the catch-up).
     */
    private void stillOurs(MoveRepository.Move m, MoveState expected) {
        MoveState state = moves.find(m.moveId()).map(MoveRepository.Move::state).orElse(null);
        Optional<String> user = databases.pointedAtBy(m.toPool(), m.toDatabase());
        if (state != expected || user.isPresent()) {
            throw failure("move " + m.moveId() + " of org " + m.orgId() + " is no longer copying" + (state == null ? "" : " (it is " + state.db() + ")")
                    + (user.isPresent() ? " and " + m.toDatabase() + " on " + m.toPool() + " is org " + user.get() + "'s database now" : "")
                    + ": someone else ended it while this process was away; nothing more was written");
        }
    }

    /**
     * The check before each batch written to the target, one catalog round trip: the move is still in {@code expected}.
     * (Before each collection {@link #stillOurs} also asks whether an org points at the target.) A batch a paused mover
     * had in flight may still land after its rollback; gc finds that target again as the aborted move's leftover.
     */
    private void stillCopying(MoveRepository.Move m, MoveState expected) {
        MoveState state = moves.find(m.moveId()).map(MoveRepository.Move::state).orElse(null);
        if (state != expected) {
            throw failure("move " + m.moveId() + " of org " + m.orgId() + " is no longer copying" + (state == null ? "" : " (it is "
                    + state.db() + ")") + ": someone else ended it while this process was away; nothing more was written");
        }
    }

    /**
     * A collection that changed since the first copy: each batch of the frozen source looked up on the target by _id and
     * only what is missing or different written, then what the target has beyond the source removed. Where that meets a
     * unique index (a key moved between documents) the collection is copied again whole. Returns documents written.
     */
    private long syncCollection(MongoDatabase source, MongoDatabase target, String name, Retry.Attempts attempts, long deadline,
                                Runnable ours) {
        MongoCollection<RawBsonDocument> in = source.getCollection(name, RawBsonDocument.class);
        MongoCollection<RawBsonDocument> out = target.getCollection(name, RawBsonDocument.class);
        long found = 0;
        long written = 0;
        DocBatch batch = new DocBatch();
        try (ReadAhead<RawBsonDocument> docs = ResumedRead.ahead(in, name, ctx.retry(), attempts)) { // on after a dropped connection
            while (docs.hasNext()) {
                if (batch.add(docs.next()) || !docs.hasNext()) {
                    pastDeadline(deadline, "catching up " + name);
                    ours.run();
                    // looked up before it writes: run again after a dropped connection, it writes only what is still missing
                    // (a retry is a new write: only while the move is still this process's)
                    Sync sync = ctx.retry().call(attempts, () -> sync(out, batch.docs()), () -> {
                        ours.run();
                        return sync(out, batch.docs());
                    });
                    if (sync.conflicted()) {
                        return recopy(source, target, name, attempts, deadline, ours);
                    }
                    found += sync.found();
                    written += sync.written();
                    batch.clear();
                }
            }
        }
        if (ctx.retry().call(attempts, () -> out.countDocuments()) > found) { // a read: asked again after a dropped connection
            written += removeExtras(in, out, attempts, deadline, ours);
        }
        return written;
    }

    private record Sync(long found, long written, boolean conflicted) {
    }

    /** One batch of the frozen source against the target: what is missing inserted, what differs replaced. */
    private static Sync sync(MongoCollection<RawBsonDocument> out, List<RawBsonDocument> batch) {
        Map<Object, RawBsonDocument> there = lookUp(out, batch);
        List<RawBsonDocument> write = new ArrayList<>();
        BsonArray stale = new BsonArray();
        for (RawBsonDocument d : batch) {
            RawBsonDocument t = there.get(idKey(d.get("_id")));
            if (t == null) {
                write.add(d);
            } else if (!t.getByteBuffer().asNIO().equals(d.getByteBuffer().asNIO())) {
                stale.add(d.get("_id"));
                write.add(d);
            }
        }
        try {
            if (!stale.isEmpty()) {
                out.deleteMany(new BsonDocument("_id", new BsonDocument("$in", stale)));
            }
            if (!write.isEmpty()) {
                out.insertMany(write);
            }
        } catch (com.mongodb.MongoBulkWriteException | com.mongodb.MongoWriteException e) {
            return new Sync(there.size(), write.size(), true);
        }
        return new Sync(there.size(), write.size(), false);
    }

    /**
     * Deletes the target's documents that the frozen source does not have; returns how many. The target's _ids are read a
     * batch at a time, on after a dropped connection; a batch's look-up and delete are made again after one (a delete made
     * twice is one; the retry only while the move is ours).
     */
    private long removeExtras(MongoCollection<RawBsonDocument> source, MongoCollection<RawBsonDocument> target, Retry.Attempts attempts,
                              long deadline, Runnable ours) {
        long removed = 0;
        BsonValue last = null;
        for (List<RawBsonDocument> batch = new ArrayList<>(BATCH); ; batch.clear()) {
            last = ResumedRead.read(target, null, new BsonDocument("_id", new BsonInt32(1)), last, BATCH, ctx.retry(), attempts, batch::add);
            removed += batch.isEmpty() ? 0 : removeAbsent(source, target, batch, attempts, ours);
            if (batch.size() < BATCH) {
                return removed;
            }
            pastDeadline(deadline, "removing documents deleted on the source");
        }
    }

    private long removeAbsent(MongoCollection<RawBsonDocument> source, MongoCollection<RawBsonDocument> target, List<RawBsonDocument> ids,
                              Retry.Attempts attempts, Runnable ours) {
        ours.run();
        return ctx.retry().call(attempts, () -> removeAbsent(source, target, ids), () -> {
            ours.run();
            return removeAbsent(source, target, ids);
        });
    }

    private static long removeAbsent(MongoCollection<RawBsonDocument> source, MongoCollection<RawBsonDocument> target, List<RawBsonDocument> ids) {
        Map<Object, RawBsonDocument> there = lookUp(source, ids);
        BsonArray absent = new BsonArray();
        ids.stream().map(d -> d.get("_id")).filter(id -> !there.containsKey(idKey(id))).forEach(absent::add);
        if (absent.isEmpty()) {
            return 0;
        }
        return target.deleteMany(new BsonDocument("_id", new BsonDocument("$in", absent))).getDeletedCount();
    }

    /** The target's copy of one collection replaced by a fresh one, from the frozen source; returns documents written. */
    private long recopy(MongoDatabase source, MongoDatabase target, String name, Retry.Attempts attempts, long deadline, Runnable ours) {
        ours.run();
        target.getCollection(name).drop();
        createLike(source, target, name, attempts);
        MongoCollection<RawBsonDocument> out = target.getCollection(name, RawBsonDocument.class);
        long written = 0;
        DocBatch batch = new DocBatch();
        try (ReadAhead<RawBsonDocument> docs = ResumedRead.ahead(source.getCollection(name, RawBsonDocument.class), name, ctx.retry(), attempts)) {
            while (docs.hasNext()) { // on after a dropped connection
                if (batch.add(docs.next()) || !docs.hasNext()) {
                    pastDeadline(deadline, "copying " + name + " again");
                    ours.run();
                    DocBatch.insert(out, batch.docs(), ctx.retry(), attempts, ours); // a collection created afresh: only this move writes it
                    written += batch.size();
                    batch.clear();
                }
            }
        }
        return written;
    }

    /** Creates {@code name} on the target with the source's indexes (before any document: cheaper than building after). */
    private void createLike(MongoDatabase source, MongoDatabase target, String name, Retry.Attempts attempts) {
        SchemaApply.createCollection(target, name, ctx.retry(), attempts);
        syncIndexes(source, target, name, attempts);
    }

    /**
     * Makes {@code name}'s indexes on the target the frozen source's: one defined otherwise or gone from the source is
     * dropped, one the target lacks is built (one createIndexes). Two listings when nothing changed.
     */
    private void syncIndexes(MongoDatabase source, MongoDatabase target, String name, Retry.Attempts attempts) {
        Map<String, BsonDocument> wanted = new HashMap<>();
        for (BsonDocument index : listIndexes(source, name, attempts)) {
            wanted.put(index.getString("name", new BsonString("")).getValue(), index);
        }
        Map<String, BsonDocument> have = new HashMap<>();
        for (BsonDocument index : listIndexes(target, name, attempts)) {
            have.put(index.getString("name", new BsonString("")).getValue(), index);
        }
        BsonArray build = new BsonArray();
        for (Map.Entry<String, BsonDocument> w : wanted.entrySet()) {
            BsonDocument h = have.remove(w.getKey());
            if (w.getKey().equals("_id_") || h != null && spec(h).sameSpecAs(spec(w.getValue()))) {
                continue;
            }
            if (h != null) {
                SchemaApply.dropIndex(target, name, w.getKey(), ctx.retry(), attempts);
            }
            build.add(normalized(w.getValue()));
        }
        have.remove("_id_");
        for (String extra : have.keySet()) {
            SchemaApply.dropIndex(target, name, extra, ctx.retry(), attempts);
        }
        if (!build.isEmpty()) {
            ctx.retry().run(attempts, () -> target.runCommand(new BsonDocument("createIndexes", new BsonString(name)).append("indexes", build)));
        }
    }

    private static IndexSpec spec(BsonDocument listed) {
        return IndexSpec.fromListIndexes(org.bson.Document.parse(listed.toJson()));
    }

    /** {@code db}'s collections but the system ones, sorted; listed again after a dropped connection (a read). */
    private List<String> collections(MongoDatabase db, Retry.Attempts attempts) {
        return new TreeSet<>(ctx.retry().call(attempts, () -> db.listCollectionNames().into(new ArrayList<>()))).stream()
                .filter(n -> !n.startsWith("system.")).toList();
    }

    /** The documents of {@code coll} whose _id is one of {@code batch}'s, by {@link #idKey}. */
    private static Map<Object, RawBsonDocument> lookUp(MongoCollection<RawBsonDocument> coll, List<RawBsonDocument> batch) {
        BsonArray ids = new BsonArray();
        batch.forEach(d -> ids.add(d.get("_id")));
        Map<Object, RawBsonDocument> found = new HashMap<>();
        for (RawBsonDocument d : coll.find(new BsonDocument("_id", new BsonDocument("$in", ids))).batchSize(BATCH)) {
            found.put(idKey(d.get("_id")), d);
        }
        return found;
    }

    /**
     * An _id as the server tells ids apart: a document id by its exact bytes, since the driver's BsonDocument.equals
     * ignores field order, and {user, day} and {day, user} are two documents' ids to MongoDB and FerretDB.
     */
    static Object idKey(BsonValue id) {
        if (!id.isDocument() && !id.isArray()) {
            return id;
        }
        return new RawBsonDocument(new BsonDocument("_id", id), new org.bson.codecs.BsonDocumentCodec()).getByteBuffer().asNIO();
    }

    /**
     * How far past now a document's expiry must be for verify to count on no pool's TTL job having deleted it yet: the
     * job deletes by the pool's clock, not this host's.
     */
    static final long EXPIRY_MARGIN_MS = 5 * 60_000;

    /**
     * Before the flip: the source now, the target, and the ledger must agree on every collection's count and digest,
     * and the target must have the source's indexes. Anything else aborts the move with what differs. FerretDB's TTL job
     * deletes expired documents on both pools during the freeze (each minute, on its own schedule), which is neither a
     * write nor a loss: the ledger and the source now are held to the documents that last ({@code lasting}:
     * LastingFingerprint's), and the target to the source on those and on every dated document whose expiry is still
     * {@link #EXPIRY_MARGIN_MS} or more away — a document that lasts, or a session still valid, written or changed during
     * the freeze aborts the move as before, and one the target lacks never flips; only a document whose time has come may
     * be on one side and not the other.
     */
    private void verify(MoveRepository.Move m, Pool from, Pool to, Fingerprint lasting) {
        MongoDatabase source = db(from, m.fromDatabase());
        MongoDatabase target = db(to, m.toDatabase());
        java.util.Date cutoff = new java.util.Date(System.currentTimeMillis() + EXPIRY_MARGIN_MS);
        // the source is read on a thread of its own while this one reads the target; not on the JVM's common pool, which
        // has one thread on two cores (Java 25 uses it even then; 17 starts a thread per task): moves verifying at once
        // would read their sources one after another there, each org frozen meanwhile
        CompletableFuture<Held> sourceNow = CompletableFuture.supplyAsync(() -> held(source, cutoff),
                task -> Parallel.daemon("move-verify-" + m.orgId()).newThread(task).start());
        Held targetNow = held(target, cutoff);
        Held src;
        try {
            src = sourceNow.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        List<String> problems = new ArrayList<>();
        java.util.Set<String> changed = new java.util.HashSet<>(lasting.differences(src.lasting()));
        TreeSet<String> differing = new TreeSet<>(src.kept().differences(targetNow.kept()));
        differing.addAll(changed);
        for (String name : differing) {
            problems.add(name + ": " + sample(source, target, name, src.kept(), targetNow.kept(), lasting, changed.contains(name), cutoff));
        }
        Retry.Attempts attempts = new Retry.Attempts();
        for (String name : src.kept().collections().keySet()) {
            String idx = indexDifference(source, target, name, attempts);
            if (idx != null) {
                problems.add(name + ": " + idx);
            }
        }
        if (!problems.isEmpty()) {
            throw failure("verification failed (" + String.join("; ", problems) + ")");
        }
    }

    /** A database as verify holds it: its documents that last, and those with every dated one not expired by then ({@code kept}). */
    private record Held(Fingerprint lasting, Fingerprint kept) {
    }

    /**
     * {@link Held} of {@code db}, with what may have expired by {@code cutoff} left out of {@code kept}; each read goes on
     * after a dropped connection.
     */
    private Held held(MongoDatabase db, java.util.Date cutoff) {
        Fingerprint.Builder lasting = new Fingerprint.Builder();
        Fingerprint.Builder kept = new Fingerprint.Builder();
        Retry.Attempts attempts = new Retry.Attempts();
        for (String name : collections(db, attempts)) {
            lasting.collection(name);
            kept.collection(name);
            MongoCollection<RawBsonDocument> coll = db.getCollection(name, RawBsonDocument.class);
            List<LastingFingerprint.Ttl> ttls = LastingFingerprint.ttls(listIndexes(db, name, attempts));
            ResumedRead.read(coll, LastingFingerprint.lasting(ttls), null, null, 0, ctx.retry(), attempts, d -> {
                lasting.add(d);
                kept.add(d);
            });
            if (!ttls.isEmpty()) {
                ResumedRead.read(coll, LastingFingerprint.datedUnexpired(ttls, cutoff), null, null, 0, ctx.retry(), attempts, kept::add);
            }
        }
        return new Held(lasting.build(), kept.build());
    }

    /** The documents of a collection verify holds both sides to ({@link Held#kept}): all but those that may have expired by {@code cutoff}. */
    private static Document kept(List<LastingFingerprint.Ttl> ttls, java.util.Date cutoff) {
        return ttls.isEmpty() ? new Document() : new Document("$or", List.of(LastingFingerprint.lasting(ttls),
                LastingFingerprint.datedUnexpired(ttls, cutoff)));
    }

    /**
     * Counts on each side and up to 10 _ids each of documents missing on the target, extra on it, or different — of those
     * verify holds them to (what may have expired by {@code cutoff} left out; the ledger's count is of what lasts).
     */
    private String sample(MongoDatabase source, MongoDatabase target, String name, Fingerprint src, Fingerprint tgt, Fingerprint ledger,
                          boolean sourceChanged, java.util.Date cutoff) {
        StringBuilder out = new StringBuilder();
        out.append("source ").append(count(src, name)).append(" documents, target ").append(count(tgt, name))
                .append(", ledger ").append(count(ledger, name));
        if (sourceChanged && src.collections().containsKey(name) && ledger.collections().containsKey(name)) {
            out.append(", the source changed during the freeze");
        }
        List<String> missing = new ArrayList<>();
        List<String> different = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        long[] counts = new long[3];
        Retry.Attempts attempts = new Retry.Attempts();
        compare(source, target, name, missing, different, counts, 0, cutoff, attempts);
        compare(target, source, name, extra, null, counts, 2, cutoff, attempts);
        out.append("; missing on target ").append(counts[0]).append(ids(missing))
                .append(", extra on target ").append(counts[2]).append(ids(extra))
                .append(", different ").append(counts[1]).append(ids(different));
        return out.toString();
    }

    /**
     * Streams {@code a} in batches and looks each batch up in {@code b} by _id: absent → {@code absent}, else bytes compared.
     * The read, the listing and each look-up go on after a dropped connection.
     */
    private void compare(MongoDatabase a, MongoDatabase b, String name, List<String> absent, List<String> different,
                         long[] counts, int absentSlot, java.util.Date cutoff, Retry.Attempts attempts) {
        MongoCollection<RawBsonDocument> right = b.getCollection(name, RawBsonDocument.class);
        DocBatch batch = new DocBatch();
        try (ResumedRead.Cursor docs = ResumedRead.cursor(a.getCollection(name, RawBsonDocument.class),
                kept(LastingFingerprint.ttls(listIndexes(a, name, attempts)), cutoff), ctx.retry(), attempts)) {
            for (RawBsonDocument d : docs) {
                if (batch.add(d) || !docs.hasNext()) {
                    tally(ctx.retry().call(attempts, () -> lookUp(right, batch.docs())), batch.docs(), absent, different, counts, absentSlot);
                    batch.clear();
                }
            }
        }
    }

    /** {@code found}: the documents of the other side whose _id is one of {@code batch}'s ({@link #lookUp}). */
    private static void tally(Map<Object, RawBsonDocument> found, List<RawBsonDocument> batch, List<String> absent,
                               List<String> different, long[] counts, int absentSlot) {
        for (RawBsonDocument d : batch) {
            RawBsonDocument o = found.get(idKey(d.get("_id")));
            if (o == null) {
                counts[absentSlot]++;
                if (absent.size() < SAMPLES) {
                    absent.add(idText(d.get("_id")));
                }
            } else if (different != null && !o.getByteBuffer().asNIO().equals(d.getByteBuffer().asNIO())) {
                counts[1]++;
                if (different.size() < SAMPLES) {
                    different.add(idText(d.get("_id")));
                }
            }
        }
    }

    private static String idText(BsonValue id) {
        if (id.isObjectId()) {
            return id.asObjectId().getValue().toHexString();
        }
        if (id.isString()) {
            return id.asString().getValue();
        }
        if (id.isInt32() || id.isInt64()) {
            return String.valueOf(id.asNumber().longValue());
        }
        return new BsonDocument("_id", id).toJson();
    }

    private static String ids(List<String> ids) {
        return ids.isEmpty() ? "" : " [" + String.join(", ", ids) + "]";
    }

    private static long count(Fingerprint f, String name) {
        Fingerprint.Collection c = f.collections().get(name);
        return c == null ? 0 : c.count();
    }

    private static String describe(List<String> changed, Fingerprint ledger, Fingerprint now) {
        List<String> parts = new ArrayList<>();
        for (String name : changed) {
            parts.add(name + ": " + io.tenantctl.Counted.of(count(ledger, name), "document") + " at the move, " + count(now, name) + " now"
                    + (count(ledger, name) == count(now, name) ? ", contents changed" : ""));
        }
        return String.join("; ", parts);
    }

    /** The first index the target lacks or has differently, or null when the target's indexes match the source's. */
    private String indexDifference(MongoDatabase source, MongoDatabase target, String name, Retry.Attempts attempts) {
        Map<String, BsonDocument> want = indexes(listIndexes(source, name, attempts));
        Map<String, BsonDocument> have = indexes(listIndexes(target, name, attempts));
        for (Map.Entry<String, BsonDocument> e : want.entrySet()) {
            BsonDocument h = have.get(e.getKey());
            if (h == null) {
                return "index " + e.getKey() + " is missing on the target";
            }
            if (!h.equals(e.getValue())) {
                return "index " + e.getKey() + " differs on the target (" + h.toJson() + " vs " + e.getValue().toJson() + ")";
            }
        }
        for (String extra : have.keySet()) {
            if (!want.containsKey(extra)) {
                return "index " + extra + " is on the target only";
            }
        }
        return null;
    }

    /** {@code name}'s indexes on {@code db}, listed again after a dropped connection (a read). */
    private List<BsonDocument> listIndexes(MongoDatabase db, String name, Retry.Attempts attempts) {
        return ctx.retry().call(attempts, () -> db.getCollection(name).listIndexes(BsonDocument.class).into(new ArrayList<>()));
    }

    private static Map<String, BsonDocument> indexes(List<BsonDocument> listed) {
        Map<String, BsonDocument> out = new LinkedHashMap<>();
        for (BsonDocument index : listed) {
            out.put(index.getString("name").getValue(), normalized(index));
        }
        return out;
    }

    private static BsonDocument normalized(BsonDocument index) {
        BsonDocument spec = index.clone();
        spec.remove("ns");
        spec.remove("v");
        return spec;
    }

    /**
     * Undoes a move that did not flip: the target dropped (never one an org points at), the org back to its status
     * before the freeze, the move aborted with {@code why}. Returns what was done. A target {@code targetSilent} says is
     * dead (the copy's calls retried to the end, then a ping, failed on it just now; or, in a recovery, it does not answer
     * a ping) is dropped with one try, not a full retry budget on a dead pool: what it leaves there is the aborted move's
     * undropped target, which gc drops once it answers. Asked only when there is a target to drop.
     */
    String rollBack(MoveRepository.Move m, String why, java.util.function.Predicate<Pool> targetSilent) {
        List<String> notes = new ArrayList<>();
        boolean dropped = false;
        boolean silent = false;
        try {
            Optional<String> user = databases.pointedAtBy(m.toPool(), m.toDatabase());
            if (user.isPresent()) {
                notes.add(orgsDatabase(m, user.get()) + ": left alone");
            } else {
                Pool to = ctx.catalog().pools().get(m.toPool());
                silent = targetSilent.test(to);
                (silent ? ctx.retry().withMaxAttempts(1) : ctx.retry()) // the same when made again
                        .run(new Retry.Attempts(), () -> db(to, m.toDatabase()).drop());
                dropped = true;
                notes.add("target " + m.toDatabase() + " on " + m.toPool() + " dropped");
            }
        } catch (RuntimeException e) {
            notes.add(silent ? "its partial copy " + m.toDatabase() + " is left on " + m.toPool() + " (" + (io.tenantctl.pool.FerretErrors
                    .notAnswering(e) ? "not answering" : Errors.oneLine(e)) + " at the one try to drop it): 'tenantctl rebalance gc' drops it once "
                    + m.toPool() + " answers"
                    : "dropping the target failed (" + Errors.oneLine(e) + "): 'tenantctl rebalance gc' drops it later");
        }
        if (moves.abort(m, why, dropped)) { // the org put back in the same transaction: a late freeze cannot slip between
            notes.add("org " + m.orgId() + " is " + m.priorStatus() + " on its source " + m.fromPool());
        }
        return String.join("; ", notes);
    }

    /**
     * What {@link #recover}'s rollback of {@code m} would leave of its target, read only (resume's dry run): "" when it
     * would drop it as usual; when the target is an org's database, that it would be left alone (not pinged, as it is
     * not dropped); when the target does not answer a ping (once per pool), that its partial copy would be left there
     * after the one try to drop it, for gc, as the rollback then says.
     */
    String rollBackWouldLeave(MoveRepository.Move m) {
        Optional<String> user = databases.pointedAtBy(m.toPool(), m.toDatabase());
        if (user.isPresent()) {
            return ": its " + orgsDatabase(m, user.get()) + ", so it would be left alone"; // as the rollback will say
        }
        Pool to = ctx.catalog().pools().get(m.toPool());
        return targetSilence.computeIfAbsent(to.poolId(), id -> PoolHealth.check(ctx, to)).map(why -> ": its target " + to.poolId()
                + " does not answer (" + why + "), so its partial copy " + m.toDatabase() + " would be left on " + to.poolId()
                + " after one try to drop it: 'tenantctl rebalance gc' drops it once " + to.poolId() + " answers").orElse("");
    }

    /** A rolled-back move's target that org {@code user} points at, named as its rollback and that rollback's dry run say it. */
    private static String orgsDatabase(MoveRepository.Move m, String user) {
        return "target " + m.toDatabase() + " on pool " + m.toPool() + " is org " + user + "'s database";
    }

    private MongoDatabase db(Pool pool, String database) {
        return ctx.pools().database(pool.poolId(), pool.uri(), database);
    }

    /** How a move aborted for running past --max-freeze says so (its next step is the move with a longer one). */
    static final String RAN_PAST = "the freeze ran past --max-freeze";

    /**
     * When a freeze begun at {@code frozenAt} (System.nanoTime) runs past {@code maxFreezeMs}. 0 is a limit like any
     * other, as the prediction holds it (it once meant none here: '--max-freeze 0 --force' moved the org); a limit too
     * long to add saturates rather than wrapping into the past.
     */
    static long freezeDeadline(long frozenAt, long maxFreezeMs) {
        return later(frozenAt, maxFreezeMs);
    }

    private static void pastDeadline(long deadline, String doing) {
        if (System.nanoTime() > deadline) {
            throw failure(RAN_PAST + " while " + doing);
        }
    }

    /** {@code t} (System.nanoTime) plus {@code ms}, saturating rather than wrapping into the past. */
    private static long later(long t, long ms) {
        long sum = t + TimeUnit.MILLISECONDS.toNanos(Math.max(0, ms));
        return sum < t ? Long.MAX_VALUE : sum;
    }

    private static void sleepUntil(long until) {
        while (System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    private static long millis(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    /** A move aborted because one of its pools stopped answering: which, for the way on (look at it, then move again). */
    static final class PoolSilent extends TenantctlException {
        final String poolId;

        PoolSilent(String poolId, String message) {
            super(Category.FAILED, message);
            this.poolId = poolId;
        }
    }

    static TenantctlException failure(String message) {
        return new TenantctlException(TenantctlException.Category.FAILED, message);
    }
}
