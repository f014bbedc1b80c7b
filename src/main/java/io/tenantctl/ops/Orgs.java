package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;

import java.util.List;
import java.util.Set;

/** The {@code orgs} noun: read-only views of the catalog's orgs. */
public final class Orgs {

    static final Set<String> STATUSES = Set.of(Org.PROVISIONING, Org.ACTIVE, Org.READ_ONLY, Org.MOVING, Org.RESTORING,
            Org.DELETING, Org.DELETED, Org.FAILED);

    private final Catalog catalog;

    public Orgs(Catalog catalog) {
        this.catalog = catalog;
    }

    public List<Org> list(String poolId, String status) {
        if (status != null && !STATUSES.contains(status)) {
            throw TenantctlException.usage("unknown status '" + status + "' (one of " + String.join(", ", STATUSES.stream().sorted().toList()) + ")");
        }
        if (poolId != null) {
            catalog.pools().get(poolId);
        }
        return catalog.orgs().list(poolId, status);
    }

    /** Removes a failed org's catalog row; its database, if any, is left exactly as it is. */
    public Org forget(String orgId) {
        String problem = io.tenantctl.catalog.OrgId.problem(orgId);
        if (problem != null) {
            throw TenantctlException.usage(problem);
        }
        return catalog.orgs().forget(orgId);
    }

    public Org show(String orgId) {
        return catalog.orgs().get(orgId);
    }
}
