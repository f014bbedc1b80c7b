package io.tenantctl.ops;

import io.tenantctl.backup.BackupManifest;
import io.tenantctl.backup.BackupWriter;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgStatus;

/**
 * What a backup's manifest says of the org beside its data: the catalog's id, the org's tier, the status it had before
 * any freeze, and whether it is the final backup of a delete. A catalog lost or restored from an older dump forgets
 * those; the store keeps them with the data ({@code orgs adopt} and {@code verify} read them back).
 */
final class BackupOrigin {

    private BackupOrigin() {
    }

    /**
     * The spec of a backup of {@code org} as read before the backup froze it. A delete's final backup ({@code purpose}
     * {@link BackupManifest.OrgState#DELETE}, or any backup of an org already deleting) records the status undoing the
     * delete puts back, not the read_only its freeze left.
     */
    static BackupWriter.Spec spec(Catalog catalog, Org org, String backupId, Backup.Copy copy) {
        boolean deleting = org.status().equals(Org.DELETING);
        boolean delete = deleting || BackupManifest.OrgState.DELETE.equals(copy.purpose());
        OrgStatus status = deleting ? catalog.orgs().statusBeforeDelete(org.orgId())
                : delete && catalog.orgs().frozenForDelete(org.orgId()) ? Org.ACTIVE : org.status();
        // the catalog's id too: a store two catalogs share tells theirs apart
        return new BackupWriter.Spec(org.orgId(), backupId, org.poolId(), org.databaseName(), org.schemaHash(), copy.compression(),
                catalog.id(), new BackupManifest.OrgState(org.tier(), status.db(), delete ? BackupManifest.OrgState.DELETE : null));
    }
}
