package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;

import java.time.Instant;
import java.util.List;

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
        return failedStep(catalog, o).text();
    }

    /** {@link #failed}, its command apart from its note. */
    public static io.tenantctl.NextStep failedStep(Catalog catalog, Org o) {
        String forget = "; or frees its place: tenantctl orgs forget " + o.orgId();
        return holdsData(catalog, o) ? io.tenantctl.NextStep.run("tenantctl orgs adopt " + o.orgId() + " --pool " + o.poolId(),
                "its database holds data provision never takes over: registers it" + forget)
                : io.tenantctl.NextStep.run(Verify.finishProvision(catalog, o), "provisions it again" + forget);
    }

    /** Whether the org's newest provision failed it because its database already held data. */
    private static boolean holdsData(Catalog catalog, Org o) {
        return catalog.runs().newestWith("provision", o.orgId()).flatMap(r -> catalog.runs().itemError(r.runId(), o.orgId()))
                .filter(e -> e.contains(HOLDS_DATA)).isPresent();
    }

    /**
     * What moves on from a deleted org, whose id is never reused: another id for a new org, and the way its data comes
     * back under one (as {@code orgs resume} of a gone org says).
     */
    public static String deleted(Catalog catalog, Org o) {
        return "choose another id (org " + o.orgId() + " is deleted, and an id is never reused); " + comesBack(catalog, o, "");
    }

    /**
     * How a deleting or deleted org whose database is gone comes back: under a new id from its newest complete backup no
     * read found damaged (what {@code restore --org ORG} takes, or with {@code --backup} when a newer one was found
     * damaged), saying which that is — the final one its delete took, one taken since, or one from before the delete (what
     * was written after it is in no backup: the delete kept none, or its final one was found damaged or is gone) — or,
     * with none, that nothing does. A delete that took a final backup recorded what the database held (its fingerprint);
     * a --no-backup one did not. {@code storeOnLine}: " --store URL" as typed on the line, for that restore to read the same store.
     */
    static String comesBack(Catalog catalog, Org org, String storeOnLine) {
        io.tenantctl.catalog.BackupRepository backups = catalog.backups();
        List<io.tenantctl.catalog.BackupRepository.Backup> complete = backups.list(org.orgId()).stream()
                .filter(x -> x.status().equals(io.tenantctl.catalog.BackupRepository.COMPLETE)).toList();
        boolean finalTaken = catalog.orgs().deletedFingerprint(org.orgId()).isPresent();
        if (complete.isEmpty()) {
            return (finalTaken ? "its delete's final backup is not complete any more" : "its delete kept no backup (--no-backup)")
                    + " and it has no other complete backup: there is nothing to bring back";
        }
        // the newest one restore reads without refusing it; if every one was found damaged, the newest (restore says why)
        io.tenantctl.catalog.BackupRepository.Backup b = complete.stream()
                .filter(x -> io.tenantctl.catalog.BackupRepository.damage(x.error()).isEmpty()).findFirst().orElse(complete.get(0));
        Instant deletedAt = catalog.orgs().deletedAt(org.orgId()).orElse(null);
        // recorded_at and deleted_at are both the catalog's clock; the final backup is recorded before the delete marks the org
        java.util.Optional<io.tenantctl.catalog.BackupRepository.Backup> last = finalTaken && deletedAt != null
                ? backups.newestCompletedBy(org.orgId(), deletedAt) : java.util.Optional.empty();
        String taken = String.valueOf((b.finishedAt() == null ? b.recordedAt() : b.finishedAt()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        String damaged = io.tenantctl.catalog.BackupRepository.damage(b.error()).map(why -> "; found damaged: " + why).orElse("");
        String which = deletedAt != null && b.recordedAt().isAfter(deletedAt) ? "taken " + taken + ", since its delete"
                : last.isPresent() && last.get().backupId().equals(b.backupId()) ? "the final one its delete took, " + taken
                : !finalTaken ? "an older one from " + taken + ", before its delete, which kept no backup: what was written after it is in none"
                : "an older one from " + taken + ", before its delete: " + last.map(l -> "its final backup " + l.backupId()
                        + (l.status().equals(io.tenantctl.catalog.BackupRepository.PRUNED) ? " was pruned" : io.tenantctl.catalog.BackupRepository.damage(l.error())
                        .map(why -> " was found damaged (" + why + ")").orElse(" is not restorable")))
                        .orElse("its final backup is not complete any more") + ", so what was written after it is in none";
        String pick = b == complete.get(0) ? "" : " --backup " + b.backupId();
        return "its data comes back under a new id from its newest " + (pick.isEmpty() ? "complete" : "readable") + " backup " + b.backupId()
                + " (" + which + damaged + "): tenantctl restore --org " + org.orgId() + pick + " --to-org NEW_ID" + storeOnLine;
    }

    /** Why provision refuses {@code orgId}'s database {@code database} on {@code poolId}: its collection {@code holding} has documents. */
    static String holdsData(String orgId, String database, String poolId, String holding) {
        return "database " + database + " on pool " + poolId + HOLDS_DATA + " (collection '" + holding + "' has documents): "
                + "provision never takes a database over; register it with 'tenantctl orgs adopt " + orgId + " --pool " + poolId
                + "', or choose another id ('tenantctl orgs forget " + orgId + "' first)";
    }
}
