package io.tenantctl.testing;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
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
        return diffs(catalogUrl, List.of(orgId), manifest).get(orgId);
    }

    /** Each org's diff against {@code manifest} (in the order given), read through one catalog connection. */
    public static Map<String, SchemaDiff> diffs(String catalogUrl, Collection<String> orgIds, SchemaManifest manifest) {
        Map<String, SchemaDiff> out = new LinkedHashMap<>();
        try (Catalog catalog = Catalog.open(catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
            SchemaInspect inspect = new SchemaInspect(new OpsContext(catalog, pools, Retry.ferretDefault(), "schema-check"));
            for (String orgId : orgIds) {
                out.put(orgId, inspect.diff(orgId, manifest).diff());
            }
        }
        return out;
    }

    /** Asserts the org has every collection and index of {@code manifest} as specified; returns the diff (for extras). */
    public static SchemaDiff assertClean(String catalogUrl, String orgId, SchemaManifest manifest) {
        SchemaDiff d = diff(catalogUrl, orgId, manifest);
        assertClean(orgId, d);
        return d;
    }

    /**
     * {@link #assertClean(String, String, SchemaManifest)} for every org of {@code orgIds} (at least one), read through
     * one catalog connection; returns org → diff, in the order given.
     */
    public static Map<String, SchemaDiff> assertClean(String catalogUrl, Collection<String> orgIds, SchemaManifest manifest) {
        assertThat(orgIds).as("orgs to check against %s", manifest.source()).isNotEmpty();
        Map<String, SchemaDiff> diffs = diffs(catalogUrl, orgIds, manifest);
        diffs.forEach(SchemaCheck::assertClean);
        return diffs;
    }

    /**
     * As {@link #assertClean(String, Collection, SchemaManifest)}, and not one index in the manifest's collections that
     * the manifest does not list: the orgs have exactly {@code manifest}, e.g. exactly what they had before a failed
     * or refused change.
     */
    public static void assertExactly(String catalogUrl, Collection<String> orgIds, SchemaManifest manifest) {
        assertClean(catalogUrl, orgIds, manifest).forEach((orgId, d) ->
                assertThat(d.extras()).as("org %s: indexes %s does not list", orgId, manifest.source()).isEmpty());
    }

    private static void assertClean(String orgId, SchemaDiff d) {
        assertThat(d.missingCollections()).as("org %s: missing collections", orgId).isEmpty();
        assertThat(d.missingIndexes()).as("org %s: missing indexes", orgId).isEmpty();
        assertThat(d.conflicts()).as("org %s: conflicting indexes", orgId).isEmpty();
        assertThat(d.superseded()).as("org %s: superseded indexes still present", orgId).isEmpty();
    }
}
