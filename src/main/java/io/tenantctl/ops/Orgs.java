package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;

import java.util.List;
import java.util.Set;

/** The {@code orgs} noun: read-only views of the catalog's orgs. */
public final class Orgs {

    /**
     * An org as shown to people (orgs list/show): the catalog row's fields, plus who holds the org right now when an
     * operation does (a restore, a migration…), so on-call sees why it is not writable.
     */
    public record View(String orgId, String poolId, String databaseName, String status, String tier, String schemaHash, long version,
                       java.time.Instant createdAt, java.time.Instant updatedAt, Lease lease) {
        static View of(Org o, Lease lease) {
            return new View(o.orgId(), o.poolId(), o.databaseName(), o.status().db(), o.tier(), o.schemaHash(), o.version(), o.createdAt(),
                    o.updatedAt(), lease);
        }
    }

    /** The operation holding an org: what, by whom, in which run, since when, and whether its holder stopped renewing it. */
    public record Lease(String operation, String holder, String runId, java.time.Instant since, boolean expired) {
    }

    private final Catalog catalog;

    public Orgs(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The orgs on {@code poolIds} (every pool when empty) with {@code status} (any when null), by org id. */
    public List<View> list(List<String> poolIds, String status) {
        if (status != null) {
            io.tenantctl.catalog.OrgStatus.of(status); // an unknown one is a usage error naming the known ones
        }
        poolIds.forEach(p -> catalog.pools().get(p));
        if (poolIds.isEmpty()) {
            return catalog.orgs().list(null, status).stream().map(o -> View.of(o, null)).toList();
        }
        return new java.util.LinkedHashSet<>(poolIds).stream().flatMap(p -> catalog.orgs().list(p, status).stream())
                .sorted(java.util.Comparator.comparing(io.tenantctl.catalog.Org::orgId)).map(o -> View.of(o, null)).toList();
    }

    public View show(String orgId) {
        Org o = catalog.orgs().get(orgId);
        Lease lease = catalog.leases().find(orgId).map(l -> new Lease(l.operation(), l.holder(), l.runId(), l.acquiredAt(), l.expired()))
                .orElse(null);
        return View.of(o, lease);
    }
}
