package io.tenantctl.catalog;

import java.time.Instant;

/** An org row: where the org lives, its lifecycle status and the hash of the schema last applied. */
public record Org(String orgId, String poolId, String databaseName, OrgStatus status, String tier, String schemaHash,
                  long version, Instant createdAt, Instant updatedAt) {

    public static final OrgStatus PROVISIONING = OrgStatus.PROVISIONING;
    public static final OrgStatus ACTIVE = OrgStatus.ACTIVE;
    public static final OrgStatus READ_ONLY = OrgStatus.READ_ONLY;
    public static final OrgStatus MOVING = OrgStatus.MOVING;
    public static final OrgStatus RESTORING = OrgStatus.RESTORING;
    public static final OrgStatus DELETING = OrgStatus.DELETING;
    public static final OrgStatus DELETED = OrgStatus.DELETED;
    public static final OrgStatus FAILED = OrgStatus.FAILED;
}
