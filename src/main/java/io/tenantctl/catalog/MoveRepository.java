package io.tenantctl.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The moves table: one row per move of an org between pools, written before the target database exists, stepped
 * through {@link MoveState} with a timestamp per step, and the one-transaction pointer flip (and flip back).
 */
public final class MoveRepository {

    private final Catalog catalog;

    MoveRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A move as stored. {@code fingerprint} is the ledger (JSON) taken from the frozen source while it was copied. */
    public record Move(String moveId, String orgId, String runId, String fromPool, String fromDatabase, String toPool, String toDatabase,
                       MoveState state, OrgStatus priorStatus, Long docsTotal, Long bytesTotal, long docsCopied, String fingerprint,
                       boolean targetDropped, Long freezeMs, Long copyMs, Instant startedAt, Instant frozenAt, Instant copyingAt,
                       Instant flippedAt, Instant retainedAt, Instant cleanedAt, Instant updatedAt, String error) {
    }

    /** Why a move cannot be recorded: for its {@code target} (not active, or full), or for its org (moving already). */
    public record Refusal(boolean target, String message) {
    }

    /** A recorded move, or why it could not be recorded (null when it was). */
    public record Planned(Move move, Refusal refusal) {
    }

    /**
     * Records a planned move (before anything is frozen or created), reserving its place on the target under the
     * placement lock provision takes: refused when the org already has an unfinished move (never two at a time), or
     * when the target is not active or is full counting its orgs and the moves into it.
     */
    public Planned plan(String moveId, String orgId, String runId, String fromPool, String fromDatabase, String toPool,
                        String toDatabase, OrgStatus priorStatus, long docsTotal, long bytesTotal) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, OrgRepository.PLACEMENT_LOCK);
            Optional<Refusal> refused = refusal(c, orgId, toPool, 0);
            if (refused.isPresent()) {
                return new Planned(null, refused.get());
            }
            int n = Sql.update(c, "insert into moves (move_id, org_id, run_id, from_pool, from_database, to_pool, to_database, state, "
                    + "prior_status, docs_total, bytes_total) values (?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?) "
                    + "on conflict do nothing", moveId, orgId, runId, fromPool, fromDatabase, toPool, toDatabase, priorStatus.db(),
                    docsTotal, bytesTotal);
            return n == 1 ? new Planned(find(c, moveId).orElseThrow(), null) : new Planned(null, new Refusal(false, "org " + orgId
                    + " is already being moved"));
        });
    }

    /**
     * Why a move of {@code orgId} to {@code toPool} would be refused if it were recorded now, read only: the checks
     * {@link #plan} makes under the placement lock, so that a dry run meets what the move would. {@code alsoIn}: places
     * on the target the caller counts besides the recorded ones (a dry run's earlier moves into it, less those out of it).
     */
    public Optional<Refusal> refusal(String orgId, String toPool, int alsoIn) {
        return catalog.inConnection(c -> refusal(c, orgId, toPool, alsoIn));
    }

    private static Optional<Refusal> refusal(Connection c, String orgId, String toPool, int alsoIn) throws SQLException {
        Pool target = PoolRepository.find(c, toPool).orElseThrow(() -> PoolRepository.unknown(toPool));
        if (target.status() != PoolStatus.ACTIVE) {
            return Optional.of(new Refusal(true, "pool " + toPool + " is " + target.status() + ": moves only go to active pools"));
        }
        int orgs = target.orgCount() + alsoIn;
        if (orgs >= target.capacity()) {
            return Optional.of(new Refusal(true, "pool " + toPool + " is full (" + orgs + "/" + target.capacity() + ", counting orgs moving in)"));
        }
        Optional<Move> open = Sql.one(c, "select * from moves where org_id = ? and state in ('planned', 'frozen', 'copying', "
                + "'verifying', 'flipped')", MoveRepository::map, orgId);
        return open.map(m -> new Refusal(false, "org " + orgId + " is already being moved (move " + m.moveId() + ", " + m.state()
                + "): see 'tenantctl rebalance status " + m.moveId() + "'"));
    }

    /** Steps a move from {@code from} to {@code to}, stamping the step's time; false if it was not in {@code from}. */
    public boolean step(String moveId, MoveState from, MoveState to) {
        return catalog.inConnection(c -> step(c, moveId, from, to, null));
    }

    private static boolean step(Connection c, String moveId, MoveState from, MoveState to, String error) throws SQLException {
        String stamp = switch (to) {
            case FROZEN -> ", frozen_at = now()";
            case COPYING -> ", copying_at = now()";
            case VERIFYING -> ", verifying_at = now()";
            case FLIPPED -> ", flipped_at = now()";
            case RETAINED -> ", retained_at = now()";
            case CLEANED -> ", cleaned_at = now()";
            case ABORTED -> ", aborted_at = now()";
            case REVERTED -> ", reverted_at = now()";
            case PLANNED -> "";
        };
        return Sql.update(c, "update moves set state = ?, updated_at = now(), error = coalesce(?, error)" + stamp
                + " where move_id = ? and state = ?", to.db(), error, moveId, from.db()) == 1;
    }

    /** What {@link #freeze} found: the move frozen (and its org read_only), the org changed, or the move not planned. */
    public enum Frozen { FROZEN, ORG_CHANGED, NOT_PLANNED }

    /**
     * The freeze, in one transaction: the move steps planned → frozen and its org (still at {@code expectedVersion}) is
     * set read_only unless it is already ({@code alreadyReadOnly}). Nothing is written when either fails: a mover that
     * outlived its lease, its move rolled back meanwhile, never leaves the org read_only behind the rollback.
     */
    public Frozen freeze(Move m, long expectedVersion, boolean alreadyReadOnly) {
        return catalog.inTransaction(c -> {
            if (!step(c, m.moveId(), MoveState.PLANNED, MoveState.FROZEN, null)) {
                return Frozen.NOT_PLANNED;
            }
            if (!alreadyReadOnly && Sql.update(c, "update orgs set status = 'read_only', status_before_delete = null, "
                    + "version = version + 1, updated_at = now() where org_id = ? and version = ?", m.orgId(), expectedVersion) != 1) {
                c.rollback();
                return Frozen.ORG_CHANGED;
            }
            return Frozen.FROZEN;
        });
    }

    /**
     * Ends a move that did not flip, in one transaction: aborted, with why and whether its target database is known to be
     * gone, and its org — if still on the move's source — set back from read_only to the status it had before the move.
     * The move's row is written first: a freeze committing meanwhile ({@link #freeze}) is waited for and then put back,
     * and one coming after finds the move aborted and writes nothing. True when the org is on the move's source.
     */
    public boolean abort(Move m, String error, boolean targetDropped) {
        return catalog.inTransaction(c -> {
            Sql.update(c, "update moves set state = 'aborted', aborted_at = now(), updated_at = now(), error = ?, target_dropped = ? "
                    + "where move_id = ? and state in ('planned', 'frozen', 'copying', 'verifying', 'aborted')", error, targetDropped,
                    m.moveId());
            Optional<String> status = Sql.one(c, "select status from orgs where org_id = ? and pool_id = ? and database_name = ? for update",
                    rs -> rs.getString(1), m.orgId(), m.fromPool(), m.fromDatabase());
            if (status.isPresent() && status.get().equals(OrgStatus.READ_ONLY.db()) && m.priorStatus() != OrgStatus.READ_ONLY) {
                Sql.update(c, "update orgs set status = ?, status_before_delete = null, version = version + 1, updated_at = now() "
                        + "where org_id = ?", m.priorStatus().db(), m.orgId());
            }
            return status.isPresent();
        });
    }

    /** An aborted move's leftover target was dropped (by gc). */
    public void targetDropped(String moveId) {
        catalog.inConnection(c -> Sql.update(c, "update moves set target_dropped = true, updated_at = now() where move_id = ?", moveId));
    }

    public void progress(String moveId, long docsCopied) {
        catalog.inConnection(c -> Sql.update(c, "update moves set docs_copied = ?, updated_at = now() where move_id = ?", docsCopied, moveId));
    }

    /** The ledger and the copy's figures, recorded when the copy is done. */
    public void copied(String moveId, String fingerprintJson, long docs, long bytes, long copyMs) {
        catalog.inConnection(c -> Sql.update(c, "update moves set fingerprint = cast(? as jsonb), docs_copied = ?, docs_total = ?, "
                + "bytes_total = ?, copy_ms = ?, updated_at = now() where move_id = ?", fingerprintJson, docs, docs, bytes, copyMs, moveId));
    }

    public void freezeEnded(String moveId, long freezeMs) {
        catalog.inConnection(c -> Sql.update(c, "update moves set freeze_ms = ?, updated_at = now() where move_id = ?", freezeMs, moveId));
    }

    /**
     * The cutover, in one transaction: the org (still at {@code expectedVersion}) points at the move's target with
     * {@code status}, the source is recorded as retired (kept until gc), and the move is flipped. False, with nothing
     * written, when the org or the move changed meanwhile.
     */
    public boolean flip(Move m, String toUri, long expectedVersion, OrgStatus status) {
        return catalog.inTransaction(c -> {
            RestoreRepository.requireTarget(c, m.toPool(), false); // its place was reserved when the move was planned
            RestoreRepository.requireUri(c, m.toPool(), toUri);
            if (!RestoreRepository.flipPointer(c, m.orgId(), expectedVersion, m.toPool(), m.toDatabase(), false, null, status,
                    "source of move " + m.moveId() + " to " + m.toPool() + ": kept until 'rebalance gc'")) {
                return false;
            }
            if (!step(c, m.moveId(), MoveState.VERIFYING, MoveState.FLIPPED, null)) {
                c.rollback();
                return false;
            }
            return true;
        });
    }

    /**
     * Revert, in one transaction: the org (still at {@code expectedVersion}) points back at the move's retained source,
     * the target is retired, and the move is reverted. Refused, nothing written, when the source pool is no longer
     * active, has no room left (placement filled the place the move freed), or has another URI than {@code fromUri}.
     */
    public boolean flipBack(Move m, String fromUri, long expectedVersion, OrgStatus status) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, OrgRepository.PLACEMENT_LOCK);
            RestoreRepository.requireUri(c, m.fromPool(), fromUri);
            Optional<String> refused = revertRefusal(c, m);
            if (refused.isPresent()) {
                throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, refused.get());
            }
            if (!RestoreRepository.flipPointer(c, m.orgId(), expectedVersion, m.fromPool(), m.fromDatabase(), false, null, status,
                    "target of reverted move " + m.moveId() + ": kept until 'rebalance gc'")) {
                return false;
            }
            if (!step(c, m.moveId(), MoveState.RETAINED, MoveState.REVERTED, null)) {
                c.rollback();
                return false;
            }
            return true;
        });
    }

    /**
     * Why a revert of {@code m} would be refused at its flip, read only: its source pool is no longer active, or has no
     * room left (placement filled the place the move freed) — the check {@link #flipBack} makes under the placement lock,
     * so that a dry run, and the revert before it freezes the org, meet it too. Empty when there is room.
     */
    public Optional<String> revertRefusal(Move m) {
        return catalog.inConnection(c -> revertRefusal(c, m));
    }

    private static Optional<String> revertRefusal(Connection c, Move m) throws SQLException {
        Pool from = PoolRepository.find(c, m.fromPool()).orElseThrow(() -> PoolRepository.unknown(m.fromPool()));
        boolean full = from.orgCount() >= from.capacity();
        if (from.status() == PoolStatus.ACTIVE && !full) {
            return Optional.empty();
        }
        String why = from.status() != PoolStatus.ACTIVE ? "is " + from.status() + " (a revert goes back only to an active pool)"
                : "is full (" + from.orgCount() + "/" + from.capacity() + " orgs): placement has used the room the move freed";
        Optional<Pool> elsewhere = Placement.choose(PoolRepository.list(c).stream()
                .filter(p -> !p.poolId().equals(m.fromPool()) && !p.poolId().equals(m.toPool())).toList());
        return Optional.of("pool " + m.fromPool() + " " + why + ": nothing was reverted, org " + m.orgId() + " stays on " + m.toPool()
                + (from.status() == PoolStatus.ACTIVE ? "; to revert, make room ('tenantctl pools set-capacity " + m.fromPool()
                        + " --capacity " + (from.orgCount() + 1) + "') and revert again" : "")
                + elsewhere.map(p -> "; to move it off " + m.toPool() + " instead, 'tenantctl rebalance move " + m.orgId() + " --to "
                        + p.poolId() + "'").orElse(""));
    }

    /** Retained moves whose source is {@code (poolId, database)}: cleaned once gc dropped it. */
    public int cleaned(String poolId, String database) {
        return catalog.inConnection(c -> Sql.update(c, "update moves set state = 'cleaned', cleaned_at = now(), updated_at = now() "
                + "where from_pool = ? and from_database = ? and state = 'retained'", poolId, database));
    }

    public Optional<Move> find(String moveId) {
        return catalog.inConnection(c -> find(c, moveId));
    }

    /** The newest retained move whose source is {@code (poolId, database)}: its ledger says what the source held. */
    public Optional<Move> retainedFrom(String poolId, String database) {
        // flipped too: a move whose bookkeeping after the flip failed retains its source just the same (resume finishes it)
        return catalog.inConnection(c -> Sql.one(c, "select * from moves where from_pool = ? and from_database = ? "
                + "and state in ('flipped', 'retained') order by started_at desc limit 1", MoveRepository::map, poolId, database));
    }

    /** The newest reverted move whose target is {@code (poolId, database)}: its ledger says what the target held when reverted. */
    public Optional<Move> revertedTo(String poolId, String database) {
        return catalog.inConnection(c -> Sql.one(c, "select * from moves where to_pool = ? and to_database = ? and state = 'reverted' "
                + "order by started_at desc limit 1", MoveRepository::map, poolId, database));
    }

    private static Optional<Move> find(Connection c, String moveId) throws SQLException {
        return Sql.one(c, "select * from moves where move_id = ?", MoveRepository::map, moveId);
    }

    /** Moves, newest first: all (limit), or one org's. */
    public List<Move> list(String orgId, int limit) {
        return catalog.inConnection(c -> Sql.query(c, "select * from moves where (cast(? as text) is null or org_id = ?) "
                + "order by started_at desc, move_id desc limit ?", MoveRepository::map, orgId, orgId, limit));
    }

    /** Moves that still owe a step (rolled back or finished by resume). */
    public List<Move> unfinished() {
        return catalog.inConnection(c -> Sql.query(c, "select * from moves where state in ('planned', 'frozen', 'copying', 'verifying', "
                + "'flipped') order by started_at", MoveRepository::map));
    }

    /**
     * Finished moves (retained) whose run item is still running: a worker that died after the move was done, before it
     * recorded the outcome (the org's only, with {@code orgId}; every org's with null).
     */
    public List<Move> retainedWithItemRunning(String orgId) {
        return catalog.inConnection(c -> Sql.query(c, "select m.* from moves m where m.state = ? and (cast(? as text) is null or m.org_id = ?) "
                + "and exists (select 1 from run_items i where i.run_id = m.run_id and i.org_id = m.org_id and i.status = ?) "
                + "order by m.started_at", MoveRepository::map, MoveState.RETAINED.db(), orgId, orgId, ItemStatus.RUNNING.db()));
    }

    /** Aborted moves whose target database may still exist. */
    public List<Move> leftoverTargets() {
        return catalog.inConnection(c -> Sql.query(c, "select * from moves where state = 'aborted' and not target_dropped "
                + "order by started_at", MoveRepository::map));
    }

    /**
     * Aborted moves whose target was dropped, and which may have been written again since: a batch a paused mover had in
     * flight lands after the rollback dropped its target (so gc and verify look for it on the pool). Only a move that is
     * the newest into its target database, when no org's row names that database on that pool, it is not a retired
     * database, and no running restore writes a database of that name there.
     */
    public List<Move> droppedTargets() {
        return catalog.inConnection(c -> Sql.query(c, """
                select m.* from moves m where m.state = 'aborted' and m.target_dropped
                and not exists (select 1 from moves n where n.to_pool = m.to_pool and n.to_database = m.to_database
                                and n.move_id <> m.move_id and n.started_at >= m.started_at)
                and not exists (select 1 from orgs o where o.pool_id = m.to_pool and o.database_name = m.to_database)
                and not exists (select 1 from retired_databases r where r.pool_id = m.to_pool and r.database_name = m.to_database)
                and not exists (select 1 from runs r where r.verb = 'restore' and r.status = 'running' and r.args ->> 'pool' = m.to_pool
                                and m.to_database in (r.args ->> 'database', r.args ->> 'scratch'))
                order by m.started_at""", MoveRepository::map));
    }

    /**
     * Copy throughput of the latest finished moves of at least {@code minBytes} (bytes per ms), for predicting freezes;
     * empty when none. A small move's copy_ms is mostly fixed cost (listing, fingerprinting, verifying), not bytes: counted,
     * two one-document orgs made the speed a few bytes per ms and every later org "predicted" over --max-freeze.
     */
    public Optional<Double> throughputBytesPerMs(int latest, long minBytes) {
        return catalog.inConnection(c -> Sql.one(c, "select coalesce(sum(bytes_total)::float8 / nullif(sum(copy_ms), 0), 0) from ("
                + "select bytes_total, copy_ms from moves where copy_ms > 0 and bytes_total >= greatest(?, 1) "
                + "and state in ('retained', 'cleaned', 'reverted') order by flipped_at desc limit ?) m", rs -> rs.getDouble(1),
                minBytes, latest)).filter(v -> v > 0);
    }

    private static Move map(ResultSet rs) throws SQLException {
        return new Move(rs.getString("move_id"), rs.getString("org_id"), rs.getString("run_id"), rs.getString("from_pool"),
                rs.getString("from_database"), rs.getString("to_pool"), rs.getString("to_database"), MoveState.of(rs.getString("state")),
                OrgStatus.of(rs.getString("prior_status")), (Long) rs.getObject("docs_total"), (Long) rs.getObject("bytes_total"),
                rs.getLong("docs_copied"), rs.getString("fingerprint"), rs.getBoolean("target_dropped"), (Long) rs.getObject("freeze_ms"),
                (Long) rs.getObject("copy_ms"), Sql.instant(rs, "started_at"), Sql.instant(rs, "frozen_at"), Sql.instant(rs, "copying_at"),
                Sql.instant(rs, "flipped_at"), Sql.instant(rs, "retained_at"), Sql.instant(rs, "cleaned_at"), Sql.instant(rs, "updated_at"),
                rs.getString("error"));
    }
}
