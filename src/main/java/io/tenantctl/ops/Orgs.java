package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code orgs} noun: read-only views of the catalog's orgs. */
public final class Orgs {

    /**
     * An org as shown to people (orgs list/show): the catalog row's fields, plus who holds the org right now when an
     * operation does (a restore, a migration…), so on-call sees why it is not writable; and in {@code orgs show}, for an
     * active org the last rollout passed over (verify's schema_behind), the migrate-all that brings it up, and for a
     * failed org what verify's org_failed fix names, for a provisioning one its detached run's --join while no worker has
     * joined it, for a deleted one another id or its restore ({@code next},
     * left out of the JSON when there is none).
     */
    public record View(String orgId, String poolId, String databaseName, String status, String tier, String schemaHash, long version,
                       java.time.Instant createdAt, java.time.Instant updatedAt, Lease lease,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String next,
                       @com.fasterxml.jackson.annotation.JsonProperty("next_step")
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String nextStep,
                       @com.fasterxml.jackson.annotation.JsonProperty("next_note")
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String nextNote) {
        static View of(Org o, Lease lease) {
            return of(o, lease, null, null);
        }

        /**
         * {@code next} is the text of the step {@link #show} names (null for none, and for a deleting org, whose undo
         * the table says in its own words, and for a step with no command, whose whole way on is next_note); {@code step}
         * gives -o json's next_step and next_note (orgs show gives both always, null for none), a deleting org's undo too.
         */
        static View of(Org o, Lease lease, String next, io.tenantctl.NextStep step) {
            return new View(o.orgId(), o.poolId(), o.databaseName(), o.status().db(), o.tier(), o.schemaHash(), o.version(), o.createdAt(),
                    o.updatedAt(), lease, step != null && step.command() == null ? null : next, step == null ? null : step.command(),
                    step == null ? null : step.note());
        }

        /** Soft-deleted, its database kept until purge (and until then, resume takes it back). */
        public boolean deleting() {
            return status.equals(Org.DELETING.db());
        }
    }

    /** The operation holding an org: what, by whom, in which run, since when, and whether its holder stopped renewing it. */
    public record Lease(String operation, String holder, String runId, java.time.Instant since, boolean expired) {
    }

    private final Catalog catalog;

    public Orgs(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The orgs on {@code poolIds} (every pool when empty) with {@code status} and {@code tier} (any when null), by org id. */
    public List<View> list(List<String> poolIds, String status, String tier) {
        List<View> out = new java.util.ArrayList<>();
        list(poolIds, status, tier, out::add);
        return out;
    }

    /**
     * As {@link #list(List, String, String)}, each org handed to {@code each} as it is read, a page of the catalog at a
     * time, by id: a fleet's orgs are never all held at once. Returns how many were handed over.
     */
    public long list(List<String> poolIds, String status, String tier, java.util.function.Consumer<View> each) {
        if (status != null) {
            io.tenantctl.catalog.OrgStatus.of(status); // an unknown one is a usage error naming the known ones
        }
        if (tier != null) {
            io.tenantctl.catalog.OrgId.requireTier(tier);
        }
        poolIds.forEach(p -> catalog.pools().get(p));
        long[] n = {0};
        catalog.orgs().forEachPage(new java.util.LinkedHashSet<>(poolIds), status, page -> page.stream()
                .filter(o -> tier == null || tier.equals(o.tier())).forEach(o -> {
                    n[0]++;
                    each.accept(View.of(o, null));
                }));
        return n[0];
    }

    /** The tiers orgs have, sorted: what to name when a --tier selects nothing. */
    public List<String> tiers() {
        return catalog.orgs().tiers();
    }

    /**
     * Whether the org ({@code org}: as it was listed) is in the middle of an operation that holds it (restoring, moving,
     * provisioning under a live lease), or was and is active or read_only by now — a holder lets go once the org's status
     * is final, so it may have between the listing and this look: active or read_only again once it is done, so waited
     * for (or refused naming the holder), not refused (or left out) for a passing status.
     */
    static boolean heldInPassing(Catalog catalog, Org org) {
        return (org.status().equals(Org.RESTORING) || org.status().equals(Org.MOVING) || org.status().equals(Org.PROVISIONING))
                && (catalog.leases().findLive(org.orgId()).isPresent() || catalog.orgs().find(org.orgId())
                .filter(now -> now.status().equals(Org.ACTIVE) || now.status().equals(Org.READ_ONLY)).isPresent());
    }

    /**
     * What a dry run says of an org it plans although another operation holds it right now (a provision in flight, a
     * backup --freeze): the real run waits for it like any busy org; null when nobody live holds it.
     */
    static String busyNote(Catalog catalog, Org org) {
        return catalog.leases().findLive(org.orgId()).map(l -> "org " + org.orgId() + " is " + org.status() + " and busy: " + l.operation()
                + " by " + l.holder() + (l.runId() == null ? "" : " (run " + l.runId() + ")") + "; the run waits for it (up to --busy-timeout, "
                + "or until it is done with --wait), then migrates it").orElse(null);
    }

    /**
     * The orgs {@code ids} name (an --org list), once each in their order; a usage error (exit 2) naming every id that is
     * not a valid org id, or that no org in the catalog has.
     */
    static Map<String, Org> named(Catalog catalog, List<String> ids) {
        List<String> problems = io.tenantctl.catalog.OrgId.problems(ids);
        if (!problems.isEmpty()) {
            throw io.tenantctl.TenantctlException.usage(String.join("; ", problems));
        }
        Map<String, Org> found = ids.isEmpty() ? Map.of() : catalog.orgs().findAll(ids);
        List<String> unknown = ids.stream().distinct().filter(id -> !found.containsKey(id)).toList();
        if (!unknown.isEmpty()) {
            throw io.tenantctl.TenantctlException.usage("no org named " + String.join(", ", unknown) + ": see 'tenantctl orgs list'");
        }
        Map<String, Org> out = new java.util.LinkedHashMap<>();
        ids.forEach(id -> out.put(id, found.get(id)));
        return out;
    }

    public View show(String orgId) {
        Shown shown = shown(orgId);
        return View.of(shown.org(), shown.lease(), shown.next() == null ? null : shown.next().text(),
                shown.next() != null ? shown.next() : shown.org().status().equals(Org.DELETING) ? undoDelete(orgId) : null);
    }

    /** What {@link #show} names as the org's next step ({@code next}), its command apart from its note; null for none. */
    public io.tenantctl.NextStep nextStep(String orgId) {
        return shown(orgId).next();
    }

    /**
     * What moves on an org another command refused as it is (a move of a deleting or provisioning org): {@link #nextStep},
     * or for a deleting org the resume that undoes its delete (as {@code orgs show} names it), and for one left
     * provisioning with nobody at work on it the provision that finishes it; null for none (an active org's refusal is
     * not for what it is).
     */
    public io.tenantctl.NextStep wayOn(String orgId) {
        Shown shown = shown(orgId);
        Org o = shown.org();
        boolean nobody = shown.lease() == null || shown.lease().expired();
        return o.status().equals(Org.ACTIVE) ? null // not refused for what it is (already there): its catch-up is no way on
                : shown.next() != null ? shown.next()
                : o.status().equals(Org.DELETING) ? undoDelete(orgId)
                : o.status().equals(Org.PROVISIONING) && nobody ? io.tenantctl.NextStep.run(Verify.finishProvision(catalog, o),
                "its provision did not finish: this finishes it")
                : null;
    }

    /**
     * {@link #wayOn} of an org of provision run {@code runId}; for one with no row (it found no room, or was forgotten since),
     * the provision that makes it as that run meant it, where {@link #wayOn} finds no org.
     */
    public io.tenantctl.NextStep wayOn(String orgId, String runId) {
        return catalog.orgs().find(orgId).isPresent() ? wayOn(orgId)
                : io.tenantctl.NextStep.run(Verify.provisionAnew(orgId, catalog.runs().get(runId)));
    }

    /** A deleting org's way on: the resume that undoes its delete while purge has not dropped its database. */
    private static io.tenantctl.NextStep undoDelete(String orgId) {
        return io.tenantctl.NextStep.run("tenantctl orgs resume " + orgId, "its database is kept until "
                + "'tenantctl orgs purge'; the resume takes the org back (the delete undone) until then");
    }

    private record Shown(Org org, Lease lease, io.tenantctl.NextStep next) {
    }

    private Shown shown(String orgId) {
        Org o = catalog.orgs().named(orgId);
        // expired as an operation here treats it: run out, or held by a process of this host that is gone (a kill -9)
        io.tenantctl.ops.run.Worker here = io.tenantctl.ops.run.Worker.current("orgs");
        Lease lease = catalog.leases().find(orgId).map(l -> new Lease(l.operation(), l.holder(), l.runId(), l.acquiredAt(),
                l.expired() || io.tenantctl.ops.run.Worker.parse(l.holder()).knownDeadFrom(here))).orElse(null);
        // restoring with nobody at work on it (a restore that died past an in-place drop): the restore that finishes it
        boolean nobody = lease == null || lease.expired();
        io.tenantctl.NextStep waiting = o.status().equals(Org.PROVISIONING) && nobody ? waitingForAWorker(orgId) : null;
        io.tenantctl.NextStep next = o.status().equals(Org.RESTORING) && nobody ? io.tenantctl.NextStep.run(Restore.rerun(catalog, orgId, "").orElse(null))
                // read_only only because a delete froze it and died: indistinguishable from a suspension but for this
                : o.status().equals(Org.READ_ONLY) && nobody && catalog.orgs().frozenForDelete(orgId) ? finishDelete(orgId)
                : o.status().equals(Org.FAILED) && nobody ? OrgNext.failedStep(catalog, o)
                // provisioning in a --detach'ed run no worker has joined yet: the run's workers are the way on
                : waiting != null ? waiting
                // provisioning with nobody at work on it and its run not going on (its worker killed): verify's org_stuck step
                : o.status().equals(Org.PROVISIONING) && nobody && !provisionGoesOn(orgId) ? io.tenantctl.NextStep.run(
                        Verify.finishProvision(catalog, o), "its provision did not finish: this finishes it")
                // moving with nobody at work on it: a dead move finished or rolled back, or an org with no move put back
                : o.status().equals(Org.MOVING) && nobody ? io.tenantctl.NextStep.run("tenantctl rebalance resume")
                : o.status().equals(Org.DELETED) ? io.tenantctl.NextStep.note(OrgNext.deleted(catalog, o))
                : !o.status().equals(Org.ACTIVE) ? null : LastRollout.of(catalog).passedOver(o, o.schemaHash()).map(r -> r.catchUpStep(catalog, o)).orElse(null);
        return new Shown(o, lease, next);
    }

    /**
     * The step for an org whose newest provision run is running but was never claimed (a --detach whose workers have not
     * come): its --join, as verify's run_unstarted names it, and the cancel that ends it instead; null for any other.
     */
    private io.tenantctl.NextStep waitingForAWorker(String orgId) {
        return catalog.runs().newestWith(Provision.VERB, orgId).filter(r -> r.runStatus() == io.tenantctl.catalog.RunStatus.RUNNING)
                .map(r -> Runs.waitingForAWorker(r, catalog.runs().activity(r.runId(), io.tenantctl.ops.run.RunEngine.LIVENESS))).orElse(null);
    }

    /** Whether the newest provision run of {@code orgId} is running with workers at it (one of them will take the org). */
    private boolean provisionGoesOn(String orgId) {
        return catalog.runs().newestWith(Provision.VERB, orgId).filter(r -> io.tenantctl.ops.run.RunReport.displayStatus(r,
                catalog.runs().activity(r.runId(), io.tenantctl.ops.run.RunEngine.LIVENESS)) == io.tenantctl.catalog.RunStatus.RUNNING).isPresent();
    }

    /** The next step for an org a delete froze (read_only) and did not finish: the delete again, or the resume that keeps it. */
    static io.tenantctl.NextStep finishDelete(String orgId) {
        return io.tenantctl.NextStep.run("tenantctl orgs delete " + orgId, "a delete froze it and did not finish: run it again; or "
                + "'tenantctl orgs resume " + orgId + "' makes it writable");
    }
}
