package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;

/**
 * The one place the next step for an org stuck where it is is built, from the catalog alone, so that every command
 * that meets it (verify, runs cancel, orgs show, a refusal) names the same command: a failed org's, and a deleted one's.
 */
public final class OrgNext {

    /** How provision says it refused a database that holds data (and how the next step knows it did). */
    static final String HOLDS_DATA = " already exists and holds data";

    private OrgNext() {
    }

    /**
     * What moves a failed org on, with what it does and the way that frees its place instead: the adopt that registers
     * its database when its provision refused it for holding data (provision never can), else the provision that finishes
     * it as its run meant it ({@link Verify#finishProvision}: the run's --schema and --tier, not the built-in model).
     */
    public static String failed(Catalog catalog, Org o) {
        String forget = "; or frees its place: tenantctl orgs forget " + o.orgId() + ")";
        return holdsData(catalog, o) ? "tenantctl orgs adopt " + o.orgId() + " --pool " + o.poolId() + "   (its database holds data "
                + "provision never takes over: registers it" + forget : Verify.finishProvision(catalog, o) + "   (provisions it again" + forget;
    }

    /** Whether the org's newest provision failed it because its database already held data. */
    private static boolean holdsData(Catalog catalog, Org o) {
        return catalog.runs().newestWith("provision", o.orgId()).stream().flatMap(r -> catalog.runs().items(r.runId()).stream())
                .anyMatch(i -> i.orgId().equals(o.orgId()) && i.error() != null && i.error().contains(HOLDS_DATA));
    }
}
