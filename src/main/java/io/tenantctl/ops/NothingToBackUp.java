package io.tenantctl.ops;

import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Org;

/** Why an org's database with no collections (it does not exist) cannot be backed up: said alike by a backup and a delete's dry run. */
final class NothingToBackUp {

    private NothingToBackUp() {
    }

    /**
     * {@code storeOnLine}: " --store URL" as typed on the line (or "" or null), carried by the restore named, which would read
     * TENANTCTL_STORE, another store, without it.
     */
    static String why(Org org, String poolId, BackupRepository backups, String storeOnLine) {
        String store = storeOnLine == null ? "" : storeOnLine;
        return "database " + org.databaseName() + " on pool " + poolId + " has no collections (it does not exist): nothing to back up; "
                + (org.status().equals(Org.DELETING)
                ? "the org is deleting: its final backup is what holds it ('tenantctl restore --org " + org.orgId() + " --to-org NEW_ID" + store
                + "' brings it back under a new id)"
                : backups.newestComplete(org.orgId()).isPresent()
                ? "'tenantctl restore --org " + org.orgId() + store + "' brings back its newest backup"
                : "there is no backup of it either: look for the data in the pool's own backups (its PostgreSQL)");
    }

    /**
     * {@code names}, a database's collections, without the system ones; a backup's refusal when that leaves none: recorded
     * complete, a backup of nothing would be the org's newest, restore's default, kept by prune.
     */
    static java.util.List<String> refuseIfNone(java.util.List<String> names, Org org, String poolId, BackupRepository backups,
                                               String storeOnLine) {
        names.removeIf(n -> n.startsWith("system."));
        if (names.isEmpty()) {
            throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, why(org, poolId, backups, storeOnLine));
        }
        return names;
    }
}
