package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgLeaseRepository;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.RunRepository;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The orgs a migrate-all selects, as its run's items in org order: the selected ones to do and the skipped ones saying
 * why; the orgs named with --org, else the fleet's, read a page at a time as the run is recorded (a fleet's are never all
 * held). Counts how many it selected and how many it found up to date, once its items are handed over; an org named and
 * left out, or still to be provisioned by a running provision, is said as it is reached, and a --tier no org has at the end.
 */
final class RolloutSelection {

    static final Set<OrgStatus> FROZEN = Set.of(Org.READ_ONLY, Org.MOVING, Org.RESTORING);

    private final OpsContext ctx;
    private final MigrateAll.Selector selector;
    private final String hash;
    private final Set<String> pools;
    private final Map<String, Org> named;
    private int selected;
    private int unchanged;
    /** The tiers of the orgs read (a few), and whether --tier's was among them. */
    private final java.util.SortedSet<String> tiers = new java.util.TreeSet<>();
    private boolean tierSeen;

    /** Refuses (exit 2) an invalid --tier, an unknown --pool or --org. */
    RolloutSelection(OpsContext ctx, MigrateAll.Request req) {
        this.ctx = ctx;
        this.selector = req.selector();
        this.hash = req.manifest().hash();
        if (selector.tier() != null) {
            OrgId.requireTier(selector.tier());
        }
        this.pools = Set.copyOf(selector.pools());
        pools.forEach(p -> ctx.catalog().pools().get(p));
        this.named = Orgs.named(ctx.catalog(), selector.orgs());
    }

    /** The items, to be handed over once: read as the run is recorded (or, for a dry run, as it is planned, a page at a time); then {@link #finish}. */
    RunRepository.Items items() {
        return named.isEmpty() ? RunRepository.Items.ofListings(List.of(OrgRepository.onPool(null)), this::page)
                : RunRepository.Items.of(page(List.copyOf(named.values())));
    }

    /** Once the items are handed over: says so when no org is of --tier (a mistyped tier in a pipeline migrated nothing, in silence). */
    void finish() {
        if (selector.tier() != null && named.isEmpty() && !tierSeen) {
            ctx.notices().accept("no org is of tier " + selector.tier() + " (the orgs' tiers: " + String.join(", ", tiers) + "): nothing selected");
        }
    }

    /** How many orgs were selected to do. */
    int selected() {
        return selected;
    }

    /** How many orgs were up to date, and not selected. */
    int unchanged() {
        return unchanged;
    }

    /** A page of orgs as items, in org order: those selected to do, those skipped saying why. */
    private List<RunRepository.NewItem> page(List<Org> page) {
        List<RunRepository.NewItem> items = new ArrayList<>();
        for (Org o : page) {
            if (selector.tier() != null && named.isEmpty()) {
                tiers.add(o.tier());
                tierSeen |= selector.tier().equals(o.tier());
            }
            String skipped = skipped(o);
            if (skipped == null) {
                selected++;
                items.add(RunRepository.NewItem.toDo(o.orgId(), o.poolId()));
            } else if (!skipped.isEmpty()) {
                items.add(RunRepository.NewItem.ended(o.orgId(), o.poolId(), ItemStatus.SKIPPED, skipped));
            }
        }
        items.sort(Comparator.comparing(RunRepository.NewItem::orgId));
        return items;
    }

    /** Null when {@code o} is selected, why when it is skipped, "" when it is not in the run (up to date ones counted). */
    private String skipped(Org o) {
        boolean otherPool = !pools.isEmpty() && !pools.contains(o.poolId());
        if (otherPool || (selector.tier() != null && !selector.tier().equals(o.tier()))) {
            if (named.containsKey(o.orgId())) { // named and left out: said, not a silent "nothing to do"
                ctx.notices().accept("org " + o.orgId() + " is " + (otherPool ? "on pool " + o.poolId() + ", not on --pool "
                        + String.join(",", selector.pools()) : "of tier " + o.tier() + ", not --tier " + selector.tier()) + ": not selected");
            }
            return "";
        }
        boolean due = selector.force() || !hash.equals(o.schemaHash());
        if (o.status().equals(Org.FAILED) && (selector.includeFailed() || named.containsKey(o.orgId()))) {
            return null; // a provision that failed: applying the manifest finishes it
        } else if (o.status().equals(Org.ACTIVE) || !due && FROZEN.contains(o.status()) && !o.status().equals(Org.RESTORING)) {
            // up to date, active or frozen (a move, a freeze keeps its indexes; not a restore, which brings its backup's back)
            unchanged += due ? 0 : 1;
            return due ? null : "";
        } else if (FROZEN.contains(o.status()) && due && frozenByItsHolder(ctx.catalog(), o)) {
            // frozen for a moment by an operation that holds it (a backup --freeze, a move, a restore; or one that died,
            // which taking its lease recovers): waited for like any busy org, not skipped as if suspended
            return null;
        } else if (o.status().equals(Org.PROVISIONING)) {
            Optional<String> queuedIn = queuedInARunningProvision(o.orgId());
            if (Orgs.heldInPassing(ctx.catalog(), o)) {
                // a signup in flight (or just ended), perhaps with the old manifest: waited for like any busy org, then migrated once active
                return null;
            } else if (queuedIn.isPresent()) {
                // a detached provision run's org no worker has reached yet: that run provisions it, with its own manifest
                ctx.notices().accept("org " + o.orgId() + " is still to be provisioned by run " + queuedIn.get()
                        + " (with that run's manifest): not selected; migrate it once it is active");
                return "";
            }
            return "org is provisioning and nothing works on it: finish it with '" + Verify.finishProvision(ctx.catalog(), o) + "', then migrate it";
        } else if (FROZEN.contains(o.status()) || named.containsKey(o.orgId())) {
            return "org is " + o.status() + (FROZEN.contains(o.status()) ? ": migrate it once it is active again" : "");
        }
        return "";
    }

    /** The provision run, still running (detached, or its workers at work), that has {@code orgId} still to do, if any. */
    private Optional<String> queuedInARunningProvision(String orgId) {
        return Optional.ofNullable(ctx.catalog().runs().queued("provision").get(orgId))
                .filter(runId -> ctx.catalog().runs().get(runId).runStatus() == io.tenantctl.catalog.RunStatus.RUNNING);
    }

    /**
     * Whether a frozen org is so only for the operation holding it — moving or restoring, a backup --freeze or a move that
     * froze an active org, or a holder that died (taking its lease recovers the org) — and will be active again; not an
     * org suspended on purpose that something (a plain backup) happens to hold. One whose holder let go since it was
     * listed ({@code o}) and is active by now is as good as waited for: a holder lets go once the org's status is final.
     */
    static boolean frozenByItsHolder(Catalog catalog, Org o) {
        Optional<OrgLeaseRepository.Lease> held = catalog.leases().find(o.orgId());
        if (held.isEmpty()) {
            return catalog.orgs().find(o.orgId()).filter(now -> now.status().equals(Org.ACTIVE)).isPresent();
        }
        OrgLeaseRepository.Lease lease = held.get();
        if (lease.expired() || o.status().equals(Org.MOVING)) {
            return true;
        }
        if (o.status().equals(Org.RESTORING)) { // waited for only if the restore ends it active: it was active, or failed
            return new io.tenantctl.catalog.RestoreRepository(catalog).statusBeforeRestore(o.orgId())
                    .map(s -> s.equals(Org.ACTIVE.db()) || s.equals(Org.FAILED.db())).orElse(true);
        }
        if (lease.state() != null && Org.ACTIVE.db().equals(Json.tree(lease.state()).path("frozen_from").asText(null))) {
            return true; // backup --freeze
        }
        return catalog.moves().unfinished().stream().anyMatch(m -> m.orgId().equals(o.orgId()) && m.priorStatus().equals(Org.ACTIVE));
    }
}
