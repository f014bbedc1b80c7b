package io.tenantctl.ops;

import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Org;

/** Why an org's database with no collections (it does not exist) cannot be backed up: said alike by a backup and a delete's dry run. */
final class NothingToBackUp {

    private NothingToBackUp() {
    }

    static String why(Org org, String poolId, BackupRepository backups) {
        return "database " + org.databaseName() + " on pool " + poolId + " has no collections (it does not exist): nothing to back up; "
                + (org.status().equals(Org.DELETING)
                ? "the org is deleting: its final backup is what holds it ('tenantctl restore --org " + org.orgId() + " --to-org NEW_ID' brings it back under a new id)"
                : backups.newestComplete(org.orgId()).isPresent()
                ? "'tenantctl restore --org " + org.orgId() + "' brings back its newest backup"
                : "there is no backup of it either: look for the data in the pool's own backups (its PostgreSQL)");
    }
}
