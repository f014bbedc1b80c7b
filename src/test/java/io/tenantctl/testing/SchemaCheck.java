package io.tenantctl.testing;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-state check every test that changes an org ends with: the org's live collections and indexes, read from its
 * pool, against a manifest. An exit code proves little on the stand-in pools; this proves the org has what it should.
 */
public final class SchemaCheck {

    private SchemaCheck() {
    }

    /** The org's diff against {@code manifest}, read from its pool through the catalog at {@code catalogUrl}. */
    public static SchemaDiff diff(String catalogUrl, String orgId, SchemaManifest manifest) {
        try (Catalog catalog = Catalog.open(catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
            return new SchemaInspect(new OpsContext(catalog, pools, Retry.ferretDefault(), "schema-check")).diff(orgId, manifest).diff();
        }
    }

    /** Asserts the org has every collection and index of {@code manifest} as specified; returns the diff (for extras). */
    public static SchemaDiff assertClean(String catalogUrl, String orgId, SchemaManifest manifest) {
        SchemaDiff d = diff(catalogUrl, orgId, manifest);
        assertThat(d.missingCollections()).as("org %s: missing collections", orgId).isEmpty();
        assertThat(d.missingIndexes()).as("org %s: missing indexes", orgId).isEmpty();
        assertThat(d.conflicts()).as("org %s: conflicting indexes", orgId).isEmpty();
        assertThat(d.superseded()).as("org %s: superseded indexes still present", orgId).isEmpty();
        return d;
    }
}
