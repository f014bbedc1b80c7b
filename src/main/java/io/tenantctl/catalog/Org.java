package io.tenantctl.catalog;

import java.time.Instant;

/** An org row: where the org lives, its lifecycle status and the hash of the schema last applied. */
public record Org(String orgId, String poolId, String databaseName, String status, String tier, String schemaHash,
                  long version, Instant createdAt, Instant updatedAt) {

    public static final String PROVISIONING = "provisioning";
    public static final String ACTIVE = "active";
    public static final String READ_ONLY = "read_only";
    public static final String MOVING = "moving";
    public static final String RESTORING = "restoring";
    public static final String DELETING = "deleting";
    public static final String DELETED = "deleted";
    public static final String FAILED = "failed";
}
