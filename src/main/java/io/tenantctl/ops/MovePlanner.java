package io.tenantctl.ops;

import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.PoolStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arithmetic of {@code rebalance plan}, on figures only (no I/O, so it is deterministic for the same catalog):
 * first every org on a draining pool goes to the active pool that stays least loaded, then, while the fullest and the
 * emptiest active pool differ by more than the threshold, one org moves from the first to the second if that narrows
 * their gap. Load is orgs ÷ capacity ({@code ORGS}), or data bytes per capacity slot ÷ the pools' average ({@code SIZE}:
 * 1.0 is average); a pool never receives
 * more orgs than its capacity. Ties go to the lower priority number, then the pool id; orgs are taken smallest first.
 */
final class MovePlanner {

    enum By { ORGS, SIZE }

    /** One org as the planner sees it. */
    record OrgFigures(String orgId, String poolId, long docs, long bytes) {
    }

    /** A planned move and why it is in the plan (drain or balance). */
    record Move(String orgId, String fromPool, String toPool, long docs, long bytes, String reason) {
    }

    /** A pool before and after the plan. */
    record PoolLine(String poolId, PoolStatus status, int capacity, int orgsBefore, int orgsAfter, long bytesBefore, long bytesAfter,
                    double loadBefore, double loadAfter) {
    }

    /** {@code unplaced}: orgs of draining pools that no active pool had room for, org → its pool. */
    record Plan(List<PoolLine> pools, List<Move> moves, List<String> notes, Map<String, String> unplaced) {
    }

    private final By by;
    /** Active pools with room left out of the plan because they do not answer: named where an org finds no room. */
    private String silentWithRoom = "";
    private final double threshold;
    private final int maxMoves;
    /** Pool → orgs moving off it, not yet flipped: counted off it for the balance, their places still held. */
    private Map<String, Integer> inFlight = Map.of();
    /** With {@code SIZE}: the fleet's bytes per capacity slot, so that a load of 1.0 is the average. */
    private double bytesPerSlot = 1;

    MovePlanner(By by, double threshold, int maxMoves) {
        this.by = by;
        this.threshold = threshold;
        this.maxMoves = maxMoves;
    }

    /** {@code unreachable}: the active pools with room left out of the plan because they do not answer (pool → places free). */
    MovePlanner leavingOut(Map<String, Integer> unreachable) {
        silentWithRoom = unreachable.isEmpty() ? "" : new java.util.TreeMap<>(unreachable).entrySet().stream()
                .map(e -> e.getKey() + ", room for " + e.getValue()).collect(java.util.stream.Collectors.joining("; ", " that answers (", ", does not answer)"));
        return this;
    }

    /** {@code fromPools}: the source pool of each move in flight (before its flip), one entry per move. */
    MovePlanner withMovesInFlight(List<String> fromPools) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        fromPools.forEach(p -> counts.merge(p, 1, Integer::sum));
        inFlight = counts;
        return this;
    }

    private static final class Load {
        final Pool pool;
        int orgs;
        /** Orgs the plan moves off this pool: still here, holding their places, until each move flips. */
        int leaving;
        long bytes;
        final List<OrgFigures> movable = new ArrayList<>();
        /** Orgs the plan drains into this pool: re-aimed rather than adding a move, when balancing wants one out of it. */
        final List<OrgFigures> incoming = new ArrayList<>();

        Load(Pool pool, int leavingInFlight) {
            this.pool = pool;
            this.orgs = pool.orgCount() - leavingInFlight;
            this.leaving = leavingInFlight;
        }

        /** Room for one more: the apply runs a plan's moves at once, so a place an org leaving by it holds is not free. */
        boolean hasRoom() {
            return pool.status() == PoolStatus.ACTIVE && orgs + leaving < pool.capacity();
        }
    }

    /** {@code pools}: the pools in scope (active and draining); {@code orgs}: the movable orgs on them. */
    Plan plan(List<Pool> pools, List<OrgFigures> orgs) {
        Map<String, Load> loads = new LinkedHashMap<>();
        pools.stream().sorted(Comparator.comparing(Pool::poolId)).forEach(p -> loads.put(p.poolId(), new Load(p, inFlight.getOrDefault(p.poolId(), 0))));
        for (OrgFigures o : orgs) {
            Load l = loads.get(o.poolId());
            if (l != null) {
                l.bytes += o.bytes();
                l.movable.add(o);
            }
        }
        long totalBytes = loads.values().stream().mapToLong(l -> l.bytes).sum();
        long totalCapacity = loads.values().stream().mapToLong(l -> l.pool.capacity()).sum();
        bytesPerSlot = totalBytes == 0 || totalCapacity == 0 ? 1 : (double) totalBytes / totalCapacity;
        Comparator<OrgFigures> smallestFirst = Comparator.comparingLong(OrgFigures::bytes).thenComparing(OrgFigures::orgId);
        loads.values().forEach(l -> l.movable.sort(smallestFirst));
        Map<String, int[]> before = new LinkedHashMap<>();
        Map<String, long[]> bytesBefore = new LinkedHashMap<>();
        loads.values().forEach(l -> {
            before.put(l.pool.poolId(), new int[]{l.orgs});
            bytesBefore.put(l.pool.poolId(), new long[]{l.bytes});
        });
        Map<String, Double> loadBefore = new LinkedHashMap<>();
        loads.values().forEach(l -> loadBefore.put(l.pool.poolId(), load(l)));

        List<Move> moves = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, String> unplaced = new java.util.TreeMap<>();
        Set<String> moved = new HashSet<>();
        // 1. empty draining pools
        for (Load d : loads.values()) {
            if (d.pool.status() != PoolStatus.DRAINING) {
                continue;
            }
            for (OrgFigures o : new ArrayList<>(d.movable)) {
                if (moves.size() >= maxMoves) {
                    notes.add("--max-moves " + maxMoves + " reached: pool " + d.pool.poolId() + " still has orgs to drain");
                    break;
                }
                Load t = loads.values().stream().filter(Load::hasRoom)
                        .min(Comparator.comparingDouble((Load l) -> loadWith(l, o, +1)).thenComparingInt(l -> l.pool.priority())
                                .thenComparing(l -> l.pool.poolId())).orElse(null);
                if (t == null) {
                    unplaced.put(o.orgId(), d.pool.poolId());
                    notes.add("no active pool" + silentWithRoom + " has room for org " + o.orgId() + " from draining pool " + d.pool.poolId()
                            + ": " + (silentWithRoom.isEmpty() ? "" : "find out why that pool does not answer ('tenantctl pools stats POOL'), or ")
                            + "add a pool ('tenantctl pools add') or raise a capacity ('tenantctl pools set-capacity POOL --capacity N')");
                    continue;
                }
                moves.add(transfer(o, d, t, "drain"));
                t.incoming.add(o);
                moved.add(o.orgId());
            }
        }
        // 2. balance the active pools
        int guard = 4 * (orgs.size() + 1);
        while (moves.size() < maxMoves && guard-- > 0) {
            List<Load> active = loads.values().stream().filter(l -> l.pool.status() == PoolStatus.ACTIVE).toList();
            Load s = active.stream().filter(l -> !l.movable.isEmpty() || !l.incoming.isEmpty())
                    .max(Comparator.comparingDouble(this::load).thenComparing(l -> l.pool.poolId(), Comparator.reverseOrder())).orElse(null);
            Load t = active.stream().filter(Load::hasRoom)
                    .min(Comparator.comparingDouble(this::load).thenComparingInt(l -> l.pool.priority()).thenComparing(l -> l.pool.poolId()))
                    .orElse(null);
            if (s == null || t == null || s == t || load(s) - load(t) <= threshold) {
                break;
            }
            double gap = load(s) - load(t);
            OrgFigures best = null;
            boolean reaim = false;
            double bestGap = gap;
            // an org already drained into s is sent on to t instead: no extra move
            for (OrgFigures o : s.incoming) {
                double after = Math.abs(loadWith(s, o, -1) - loadWith(t, o, +1));
                if (after < bestGap - 1e-12) {
                    best = o;
                    reaim = true;
                    bestGap = after;
                }
            }
            for (OrgFigures o : s.movable) {
                if (moved.contains(o.orgId()) || (by == By.ORGS && best != null)) {
                    continue; // by count every org narrows the gap alike: the smallest (or a re-aimed one) will do
                }
                double after = Math.abs(loadWith(s, o, -1) - loadWith(t, o, +1));
                if (after < bestGap - 1e-12) {
                    best = o;
                    reaim = false;
                    bestGap = after;
                }
            }
            if (best == null) {
                break; // no single move narrows the gap between the fullest and the emptiest pool
            }
            if (reaim) {
                OrgFigures o = best;
                s.incoming.remove(o);
                s.orgs--;
                s.bytes -= o.bytes();
                t.orgs++;
                t.bytes += o.bytes();
                t.incoming.add(o);
                for (int i = 0; i < moves.size(); i++) {
                    Move m = moves.get(i);
                    if (m.orgId().equals(o.orgId())) {
                        moves.set(i, new Move(m.orgId(), m.fromPool(), t.pool.poolId(), m.docs(), m.bytes(), m.reason()));
                    }
                }
            } else {
                moves.add(transfer(best, s, t, "balance"));
                moved.add(best.orgId());
            }
        }
        if (moves.size() >= maxMoves && notes.stream().noneMatch(n -> n.startsWith("--max-moves"))) {
            notes.add("--max-moves " + maxMoves + " reached: run plan again after " + (maxMoves == 1 ? "this move" : "these moves") + " for more");
        }
        List<PoolLine> lines = new ArrayList<>();
        for (Load l : loads.values()) {
            String id = l.pool.poolId();
            lines.add(new PoolLine(id, l.pool.status(), l.pool.capacity(), before.get(id)[0], l.orgs, bytesBefore.get(id)[0], l.bytes,
                    round(loadBefore.get(id)), round(load(l))));
        }
        return new Plan(lines, moves, notes, unplaced);
    }

    private Move transfer(OrgFigures o, Load from, Load to, String reason) {
        from.movable.remove(o);
        from.orgs--;
        from.leaving++;
        from.bytes -= o.bytes();
        to.orgs++;
        to.bytes += o.bytes();
        return new Move(o.orgId(), from.pool.poolId(), to.pool.poolId(), o.docs(), o.bytes(), reason);
    }

    private double load(Load l) {
        if (l.pool.capacity() == 0) {
            return l.orgs == 0 ? 0 : Double.MAX_VALUE;
        }
        return by == By.ORGS ? (double) l.orgs / l.pool.capacity() : l.bytes / bytesPerSlot / l.pool.capacity();
    }

    /** The pool's load with {@code o} added (+1) or taken away (-1). */
    private double loadWith(Load l, OrgFigures o, int sign) {
        if (l.pool.capacity() == 0) {
            return Double.MAX_VALUE;
        }
        return by == By.ORGS ? (double) (l.orgs + sign) / l.pool.capacity() : (l.bytes + sign * o.bytes()) / bytesPerSlot / l.pool.capacity();
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
