package io.tenantctl.ops;

import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgLeaseRepository;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.RunEngine;
import org.bson.Document;

/**
 * What the next operation on an org does when it finds the org's lease expired (its holder died): finish or undo what
 * the holder left, by the state it recorded. A restore is rolled back ({@link Restore#recover}); a frozen backup's org
 * is put back to the status it had; a move is rolled back before its flip and finished after it ({@link Mover#recover});
 * provision and migrate need nothing (running them again is their recovery).
 */
public final class LeaseRecovery implements OrgLeases.Recoverer {

    private final OpsContext ctx;

    public LeaseRecovery(OpsContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String recover(OrgLeaseRepository.Lease expired) {
        Document state = expired.state() == null ? null : Document.parse(expired.state());
        return switch (expired.operation()) {
            case "restore" -> Restore.recover(ctx, state, expired.orgId());
            case "backup" -> thaw(expired.orgId(), state);
            case Rebalance.LEASE -> Rebalance.recover(ctx, expired.orgId());
            default -> null;
        };
    }

    /** A backup with --freeze that died left its org read_only: put back the status it had. */
    private String thaw(String orgId, Document state) {
        if (state == null || state.getString("frozen_from") == null) {
            return null;
        }
        Org org = ctx.catalog().orgs().get(orgId);
        if (org.status().equals(Org.READ_ONLY) && ctx.catalog().orgs().compareAndSetStatus(orgId, org.version(),
                io.tenantctl.catalog.OrgStatus.of(state.getString("frozen_from")))) {
            return "org " + orgId + " was left read_only by a backup --freeze that died: set back to " + state.getString("frozen_from");
        }
        return null;
    }

    /**
     * Recovers every expired lease in the catalog, and every live one a process of this host that is gone holds (a kill -9
     * a moment ago): run by each mutating command before it selects orgs, so that what a dead holder left (a restoring
     * org, a frozen one) is put right by the next command, whichever it is, and said (a notice each). Returns what each
     * recovery did.
     */
    public static java.util.List<String> sweep(OpsContext ctx) {
        java.util.List<String> recovered = recover(ctx);
        recovered.forEach(ctx.notices());
        return recovered;
    }

    /** As {@link #sweep}, saying nothing (verify --fix lists what it did among its fixes). */
    public static java.util.List<String> recover(OpsContext ctx) {
        OrgLeases leases = new RunEngine(ctx, new LeaseRecovery(ctx)).orgLeases();
        java.util.List<String> recovered = new java.util.ArrayList<>();
        for (OrgLeaseRepository.Lease l : dead(ctx)) {
            OrgLeases.Taken taken = leases.take(l.orgId(), "recover", null);
            if (taken.ok()) {
                leases.release(l.orgId());
                if (taken.recovered() != null) {
                    recovered.add(taken.recovered());
                }
            }
        }
        return recovered;
    }

    /**
     * What {@link #sweep} would put right, one line an org, without taking anything (verify --fix --dry-run): the dead
     * restores, moves and frozen backups whose leases it would take.
     */
    public static java.util.List<String> pending(OpsContext ctx) {
        return pendingByOrg(ctx).entrySet().stream().map(e -> "org " + e.getKey() + ": " + e.getValue()).toList();
    }

    /** The orgs {@link #pending} names: those whose dead restore or move {@link #sweep} would put right. */
    static java.util.Set<String> pendingOrgs(OpsContext ctx) {
        return pendingByOrg(ctx).keySet();
    }

    private static java.util.Map<String, String> pendingByOrg(OpsContext ctx) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (OrgLeaseRepository.Lease l : dead(ctx)) {
            Document state = l.state() == null ? null : Document.parse(l.state());
            String what = switch (l.operation()) {
                case "restore" -> Restore.wouldRecover(ctx, state, l.orgId()); // by the rule its recovery goes by
                case "backup" -> state == null || state.getString("frozen_from") == null ? null
                        : "a backup --freeze that died left it read_only: it would be set back to " + state.getString("frozen_from");
                case Rebalance.LEASE -> "the move that held it died: it would be rolled back before its flip, finished after it";
                default -> null;
            };
            if (what != null) {
                out.put(l.orgId(), what);
            }
        }
        return out;
    }

    /** The runs of dead restores {@link #sweep} would close as failed: what verify --fix --dry-run does not also cancel. */
    static java.util.Set<String> runsClosedBySweep(OpsContext ctx) {
        java.util.Set<String> out = new java.util.HashSet<>();
        dead(ctx).stream().filter(l -> l.operation().equals("restore")).forEach(l -> out.addAll(Restore.runsRecoveryCloses(ctx,
                l.state() == null ? null : Document.parse(l.state()), l.orgId())));
        return out;
    }

    /**
     * The places on pools (pool → count) that {@link #sweep} gives back, closing the runs of dead restores onto another pool
     * that took them: what a dry run counts as free, as the real command finds them after its sweep.
     */
    static java.util.Map<String, Integer> placesGivenBack(OpsContext ctx) {
        return ctx.catalog().restores().placesHeld(runsClosedBySweep(ctx));
    }

    /**
     * The status {@link #sweep} would leave {@code orgId} in when a dead move or a dead {@code backup --freeze} holds it
     * (what a dry run plans from, as the real command finds it after the sweep): a move's status from before it (rolled
     * back before its flip, finished after it, it is that status again), a freeze's {@code frozen_from}; else empty.
     */
    static java.util.Optional<io.tenantctl.catalog.OrgStatus> statusAfterSweep(OpsContext ctx, String orgId) {
        for (OrgLeaseRepository.Lease l : dead(ctx)) {
            if (!l.orgId().equals(orgId)) {
                continue;
            }
            if (l.operation().equals(Rebalance.LEASE)) {
                return ctx.catalog().moves().list(orgId, 1).stream().filter(m -> m.state().unfinished()).findFirst()
                        .map(io.tenantctl.catalog.MoveRepository.Move::priorStatus);
            }
            Document state = l.state() == null ? null : Document.parse(l.state());
            if (l.operation().equals("backup") && state != null && state.getString("frozen_from") != null) {
                return java.util.Optional.of(io.tenantctl.catalog.OrgStatus.of(state.getString("frozen_from")));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Whether {@code orgId} is a half-made org a --to-org restore created and died on (its lease one {@link #sweep}
     * recovers): the next command removes it again, the org not created.
     */
    static boolean deadRestoreCreated(OpsContext ctx, String orgId) {
        return dead(ctx).stream().anyMatch(l -> l.orgId().equals(orgId) && l.operation().equals("restore") && l.state() != null
                && Boolean.TRUE.equals(Document.parse(l.state()).getBoolean("create_org")));
    }

    /** The leases whose holders are gone: expired, or live but held by a process of this host that is not running. */
    private static java.util.List<OrgLeaseRepository.Lease> dead(OpsContext ctx) {
        io.tenantctl.ops.run.Worker me = io.tenantctl.ops.run.Worker.current(ctx.actor());
        java.util.List<OrgLeaseRepository.Lease> dead = new java.util.ArrayList<>(ctx.catalog().leases().expired());
        ctx.catalog().leases().liveOn(me.host()).stream().filter(l -> io.tenantctl.ops.run.Worker.parse(l.holder()).knownDeadFrom(me))
                .forEach(dead::add);
        return dead;
    }
}
