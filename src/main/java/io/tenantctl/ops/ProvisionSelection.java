package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.ops.run.ReportLines;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The orgs a provision is asked for, as its run's items in the order given: their catalog rows read a page of ids at a
 * time as the run is recorded (or, for a dry run, planned), each page's new orgs placed then (a dry run: as they would
 * be), so that only the ids are held, never a row or an item per org of a long signup list. An active or read_only org
 * is unchanged, a provisioning or failed one resumed on its pool, any other failed saying why; a new one is to do on the
 * pool it was placed on, or failed saying why not.
 */
final class ProvisionSelection {

    private final OpsContext ctx;
    private final Provision.Request req;
    private final List<String> ids;
    /** The pools new orgs spill past, said (a notice each) when the first new org is placed; null until then. */
    private Map<String, String> unreachable;
    /**
     * A real run's pools that did not answer, pinged before its recording takes {@link ProvisionBusy#LOCK_KEY} (a dead
     * pool's ping would hold every other provision's recording behind it); null for a dry run: pinged as it is planned.
     */
    private Map<String, String> pinged;
    /** A dry run's places given back by the sweep (pool → places), less those the new orgs of the pages before took. */
    private Map<String, Integer> free;
    /** Each org of the page read last (the one being planned): its database, as its row names it or a new org's. */
    private volatile Map<String, String> databases = Map.of();

    /**
     * Refuses (exit 2) no ids, an invalid or clashing id, an invalid --tier, an unknown --pool; (exit 3) a dry run of ids a
     * running provision run has still to start (a real run's are refused as it is recorded: {@link #items()}); a real
     * run's sweep is done first.
     */
    ProvisionSelection(OpsContext ctx, Provision.Request req) {
        this.ctx = ctx;
        this.req = req;
        this.ids = validate(req);
        if (req.pool() != null) {
            ctx.catalog().pools().get(req.pool()); // an unknown --pool records no run
        }
        if (req.dryRun()) {
            ProvisionBusy.refuseIfQueued(ctx, ids); // refused as the real run would be
        } else {
            LeaseRecovery.sweep(ctx); // what a dead operation left on an org is put right before orgs are looked at
        }
    }

    /** How many orgs were asked for (an id given twice is one). */
    int size() {
        return ids.size();
    }

    /**
     * The items, read as the run is recorded, or planned, a page at a time (a page as the plan's). A real run's are
     * recorded once no running provision run is found to have any of them still to start (else refused, exit 3, nothing
     * recorded nor placed), that check and the recording one step among provisions ({@link ProvisionBusy#LOCK_KEY}): two
     * started at the same instant cannot both pass it. The pools are pinged before that lock is taken (when an org is
     * new and not pinned), so that what is done under it is the catalog's alone.
     */
    RunRepository.Items items() {
        RunRepository.Items items = RunRepository.Items.ofPages(pages(), n -> page(idsOfPage(n)));
        if (req.dryRun()) {
            return items;
        }
        pinged = req.pool() == null && anyNew() ? PoolHealth.unreachableWithRoom(ctx) : Map.of();
        return items.checkedUnder(ProvisionBusy.LOCK_KEY, () -> ProvisionBusy.refuseIfQueued(ctx, ids));
    }

    private int pages() {
        return (ids.size() + ReportLines.PAGE - 1) / ReportLines.PAGE;
    }

    /** The ids of page {@code n} (from 0), in their order. */
    private List<String> idsOfPage(int n) {
        return ids.subList(n * ReportLines.PAGE, Math.min(ids.size(), (n + 1) * ReportLines.PAGE));
    }

    /** Whether any id has no row yet (read a page at a time): an org to place, the pools to ping for. */
    private boolean anyNew() {
        for (int n = 0; n < pages(); n++) {
            List<String> page = idsOfPage(n);
            if (ctx.catalog().orgs().findAll(page).size() < page.size()) {
                return true;
            }
        }
        return false;
    }

    /** An org's database, as its row names it (a restored or adopted org's may be another than its id's), or a new org's. */
    String database(String orgId) {
        String known = databases.get(orgId);
        return known != null ? known : ctx.catalog().orgs().find(orgId).map(Org::databaseName).orElse(OrgId.databaseName(orgId));
    }

    /**
     * The active pools with room that do not answer a ping, so that new orgs spill past them instead of being placed there
     * and failing (their rows would also take the pool's places). Not for orgs pinned to a pool ({@code pinnedPool},
     * --pool): such an org is failed naming it.
     */
    static Map<String, String> unreachable(OpsContext ctx, String pinnedPool) {
        if (pinnedPool != null) {
            return Map.of();
        }
        return said(ctx, PoolHealth.unreachableWithRoom(ctx));
    }

    /** {@code dead} (pool → why it did not answer), each said in a notice: new orgs are placed past it. */
    private static Map<String, String> said(OpsContext ctx, Map<String, String> dead) {
        dead.forEach((pool, why) -> ctx.notices().accept(why + "; new orgs are placed on the other pools"));
        return dead;
    }

    /** A page of ids as items, in their order: the rows of those that exist read at once, the new ones placed. */
    private List<RunRepository.NewItem> page(List<String> page) {
        Map<String, Org> rows = ctx.catalog().orgs().findAll(page);
        Map<String, OrgRepository.Placed> placed = new HashMap<>();
        place(page.stream().filter(id -> !rows.containsKey(id)).toList()).forEach(p -> placed.put(p.orgId(), p));
        Map<String, String> dbs = new HashMap<>();
        List<RunRepository.NewItem> items = new ArrayList<>(page.size());
        for (String id : page) {
            Org org = rows.get(id);
            dbs.put(id, org != null ? org.databaseName() : OrgId.databaseName(id));
            OrgRepository.Placed p = placed.get(id);
            items.add(org != null ? item(org) : p.ok() ? RunRepository.NewItem.toDo(id, p.poolId())
                    : RunRepository.NewItem.ended(id, null, ItemStatus.FAILED, p.error()));
        }
        databases = dbs;
        return items;
    }

    /** Places a page's new orgs (a dry run: as the real run would, the pages before counted as placed), under one lock. */
    private List<OrgRepository.Placed> place(List<String> fresh) {
        if (fresh.isEmpty()) {
            return List.of();
        }
        if (unreachable == null) { // a real run's pinged before its lock: said now, as its first new org is placed
            unreachable = pinged != null ? said(ctx, pinged) : unreachable(ctx, req.pool());
        }
        if (!req.dryRun()) {
            return ctx.catalog().orgs().place(fresh, req.pool(), req.tier(), unreachable);
        }
        if (free == null) { // the places of dead restores the real run's sweep gives back before it places
            free = new HashMap<>(LeaseRecovery.placesGivenBack(ctx));
        }
        List<OrgRepository.Placed> planned = ctx.catalog().orgs().planPlacement(fresh, req.pool(), "--pool", unreachable, free);
        planned.stream().filter(OrgRepository.Placed::ok).forEach(p -> free.merge(p.poolId(), -1, Integer::sum)); // taken: not free
        return planned;
    }

    /** An org that exists: unchanged, to resume, or failed saying why. */
    private static RunRepository.NewItem item(Org org) {
        if (org.status().equals(Org.ACTIVE) || org.status().equals(Org.READ_ONLY)) {
            // it exists with its schema; a suspended (or frozen) org stays as it is, re-running a signup list stays exit 0
            return RunRepository.NewItem.ended(org.orgId(), org.poolId(), ItemStatus.UNCHANGED, null);
        } else if (org.status().equals(Org.PROVISIONING) || org.status().equals(Org.FAILED)) {
            return RunRepository.NewItem.toDo(org.orgId(), org.poolId());
        }
        return RunRepository.NewItem.ended(org.orgId(), org.poolId(), ItemStatus.FAILED,
                "org is " + org.status() + ": provision only creates new orgs or resumes provisioning/failed ones");
    }

    private static List<String> validate(Provision.Request req) {
        if (req.orgIds().isEmpty()) {
            throw TenantctlException.usage("no orgs given: name them (provision acme globex) or pass --file FILE");
        }
        List<String> problems = OrgId.problems(req.orgIds());
        if (!problems.isEmpty()) {
            throw TenantctlException.usage(io.tenantctl.Counted.of(problems.size(), "invalid org id")
                    + ", nothing written: " + String.join("; ", problems));
        }
        List<String> clashes = OrgId.clashes(req.orgIds());
        if (!clashes.isEmpty()) {
            throw TenantctlException.usage(String.join("; ", clashes) + " ('-' and '_' are the same in database names), nothing written");
        }
        OrgId.requireTier(req.tier());
        return new ArrayList<>(new LinkedHashSet<>(req.orgIds()));
    }
}
