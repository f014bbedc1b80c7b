package io.tenantctl.ops;

import io.tenantctl.catalog.BackupPolicyRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.store.ObjectStore;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The orgs a backup selects, as its run's items, in order: the orgs named with --org (as named), else those of each
 * --pool in turn (of every pool without one), in use or due by their tier's policy (--due), read a page at a time as the
 * run is recorded. Those backup takes to do ({@link #TAKES}, and an org another operation holds now: waited for, like any
 * busy org), the rest failed saying why. An org whose folder in the store refuses writes (a {@code file://} store's folder an
 * earlier backup made as another user, or immutable: {@link ObjectStore#checkWritableWritingNothing(String)}) is refused up
 * front when named with --org (exit 3, one line, before a run is recorded, as orgs delete refuses it), and failed saying so as
 * its item of a fleet's run (--all, --pool, --due), the others backed up. Counts the items it hands over ({@link #size}).
 */
final class BackupSelection {

    /** What --all and --pool select: the orgs in use. */
    private static final Set<OrgStatus> IN_USE = Set.of(Org.ACTIVE, Org.READ_ONLY);
    /**
     * What a backup takes once selected: also a deleting org named with --org, whose database is kept until purged — a
     * final backup found unreadable (verify --deep) can be taken again before the purge makes it the only copy.
     */
    static final Set<OrgStatus> TAKES = Set.of(Org.ACTIVE, Org.READ_ONLY, Org.DELETING);

    private final Catalog catalog;
    private final ObjectStore store;
    private final RunRepository.Items items;
    private int size;

    /**
     * Refuses (exit 2) a selector that chooses nothing or more than one way, an unknown --org or --pool; (exit 3) an org
     * named with --org to back up whose folder in {@code store}, the store backed up to, refuses writes.
     */
    BackupSelection(Catalog catalog, Backup.Selector s, ObjectStore store) {
        this.catalog = catalog;
        this.store = store;
        Backups.requireChosen(s);
        if (!s.orgIds().isEmpty()) {
            List<Org> named = List.copyOf(Orgs.named(catalog, s.orgIds()).values());
            List<RunRepository.NewItem> page = page(named, this::item);
            page.stream().filter(i -> i.status() == null).forEach(i -> store.checkWritableWritingNothing(folder(i.orgId())));
            this.items = RunRepository.Items.of(page);
            return;
        }
        s.pools().forEach(p -> catalog.pools().get(p));
        List<String> pools = s.pools().isEmpty() ? java.util.Collections.singletonList(null) : s.pools();
        this.items = RunRepository.Items.ofListings(pools.stream().map(p -> s.due() ? BackupPolicyRepository.dueOrgs(p) : OrgRepository.onPool(p))
                .toList(), page -> page(page, s.due() ? o -> writable(item(o)) : o -> IN_USE.contains(o.status()) || Orgs.heldInPassing(catalog, o)
                ? writable(RunRepository.NewItem.toDo(o.orgId(), o.poolId())) : null));
    }

    /**
     * Refuses (failed, saying why) an org a worker reaches that backup does not take (it changed, or a resume tries it again),
     * or whose folder in {@code store} refuses writes: before it is frozen or a backup of it recorded.
     */
    static void requireTaken(Org org, ObjectStore store) {
        if (!TAKES.contains(org.status())) {
            throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, notTaken(org.status()));
        }
        try {
            store.checkWritableWritingNothing(folder(org.orgId()));
        } catch (io.tenantctl.TenantctlException e) {
            throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, e.getMessage(), e);
        }
    }

    /**
     * A dry run's plan of an org (to be backed up to {@code location}): an org named with --org whose database is gone
     * fails as its backup would, saying what holds its data (its pool's databases listed, never its own collections: on
     * some pools that makes the database); a fleet's dry run reads no org's database, so stays one catalog page a page.
     */
    static io.tenantctl.ops.run.Job.Done planned(OpsContext ctx, Backup.Request req, String orgId, String location) {
        if (!req.selector().orgIds().isEmpty()) {
            Org org = ctx.catalog().orgs().get(orgId);
            io.tenantctl.catalog.Pool pool = ctx.catalog().pools().get(org.poolId());
            if (TAKES.contains(org.status()) && !ctx.databaseNames(pool).contains(org.databaseName())) { // not one held in passing
                return new io.tenantctl.ops.run.Job.Done(ItemStatus.FAILED, 0, NothingToBackUp.why(org, pool.poolId(), ctx.catalog().backups(),
                        req.storeOnLine()), null);
            }
        }
        return new io.tenantctl.ops.run.Job.Done(ItemStatus.SUCCEEDED, 0, null, Json.args("location", location));
    }

    /** The org's folder in the store, where its backups are written. */
    private static String folder(String orgId) {
        return io.tenantctl.backup.BackupLayout.root().orgPrefix(orgId);
    }

    /** A fleet's item to do, failed instead saying why when its org's folder in the store refuses writes. */
    private RunRepository.NewItem writable(RunRepository.NewItem i) {
        if (i.status() == null) {
            try {
                store.checkWritableWritingNothing(folder(i.orgId()));
            } catch (io.tenantctl.TenantctlException e) {
                return RunRepository.NewItem.ended(i.orgId(), i.poolId(), ItemStatus.FAILED, e.getMessage(), io.tenantctl.ops.run.RunReport.Mark.onto(null, e));
            }
        }
        return i;
    }

    /** The items, to record as the run is (or, for a dry run, to plan a page at a time). */
    RunRepository.Items items() {
        return items;
    }

    /** How many items were handed over. */
    int size() {
        return size;
    }

    /** Why an org is not backed up, when it is selected or (it changed, or a resume tries it again) when a worker reaches it. */
    static String notTaken(OrgStatus status) {
        return "org is " + status + ": only active or read_only orgs (and deleting ones named with --org) are backed up";
    }

    /** A selected org as an item: to do if backup takes it (or another operation holds it now), else failed saying why. */
    private RunRepository.NewItem item(Org o) {
        return TAKES.contains(o.status()) || Orgs.heldInPassing(catalog, o) ? RunRepository.NewItem.toDo(o.orgId(), o.poolId())
                : RunRepository.NewItem.ended(o.orgId(), o.poolId(), ItemStatus.FAILED, notTaken(o.status()));
    }

    /** The page's orgs as items ({@code item}: null for one not selected), counted. */
    private List<RunRepository.NewItem> page(List<Org> page, Function<Org, RunRepository.NewItem> item) {
        List<RunRepository.NewItem> out = page.stream().map(item).filter(java.util.Objects::nonNull).toList();
        size += out.size();
        return out;
    }
}
