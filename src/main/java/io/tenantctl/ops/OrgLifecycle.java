package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.FindingRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.ObjectStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An org's lifecycle after provisioning: {@code orgs suspend / resume} (read_only and back), {@code orgs set-tier},
 * {@code orgs delete} (a final backup, then a soft delete that keeps the database) and {@code orgs purge} (the
 * databases of orgs deleted long enough ago dropped through the same routine as {@code rebalance gc}). Every status
 * change is made under the org's lease, so it never races a move, a restore or a frozen backup.
 */
public final class OrgLifecycle {

    /** The lease operation names, as another operation's refusal shows them. */
    static final String SUSPEND = "suspend";
    static final String RESUME = "resume";
    static final String DELETE = "delete";
    static final String PURGE = "purge";
    /** The compression of a delete's final backup (the delete has no --compression). */
    private static final Compression FINAL_BACKUP = Compression.ZSTD;

    /**
     * What suspend, resume or set-tier did (or, with dryRun, would do): the org before and after; changed=false when it
     * already was so. {@code next}: for an org resumed to active whose recorded manifest is not the one the last rollout
     * applied (a rollout skips suspended and deleting orgs), the migrate-all that brings it up to it (after removing the
     * duplicates, when that rollout failed it on duplicate keys, as {@code orgs show} says); else null.
     */
    public record Changed(String orgId, String poolId, String databaseName, String statusBefore, String status, String tierBefore,
                          String tier, boolean changed, boolean dryRun, String next) {
        Changed withNext(String then) {
            return new Changed(orgId, poolId, databaseName, statusBefore, status, tierBefore, tier, changed, dryRun, then);
        }
    }

    /**
     * What delete did: the org's status before and now ({@code deleting}), when, and its final backup (id, run, location),
     * or why there is none ({@code backupSkipped}: "--no-backup", "already deleting"). {@code databaseGone}: true when a
     * --no-backup delete found the org's database already gone from its pool (a delete a restored catalog lost), so
     * nothing is kept for purge or resume; false otherwise (not asked when a final backup read it, or the pool did not answer).
     */
    public record Deleted(String orgId, String poolId, String databaseName, String statusBefore, String status, boolean dryRun,
                          Instant deletedAt, String backupId, String backupRunId, String backupLocation, String backupSkipped,
                          boolean databaseGone) {
        Deleted(String orgId, String poolId, String databaseName, String statusBefore, String status, boolean dryRun, Instant deletedAt,
                String backupId, String backupRunId, String backupLocation, String backupSkipped) {
            this(orgId, poolId, databaseName, statusBefore, status, dryRun, deletedAt, backupId, backupRunId, backupLocation, backupSkipped, false);
        }

        Deleted gone(boolean gone) {
            return new Deleted(orgId, poolId, databaseName, statusBefore, status, dryRun, deletedAt, backupId, backupRunId, backupLocation,
                    backupSkipped, gone);
        }
    }

    /**
     * One org purge looked at: dropped, would_drop, kept, skipped (busy, changed) or failed, with why; {@code acked}: a
     * database an earlier purge handed over, kept for a person, whose verify finding (a retained copy) a person acked —
     * kept on purpose until then, as {@code rebalance gc} treats it, so no reason to exit 1. Null otherwise.
     */
    public record PurgeItem(String orgId, String poolId, String databaseName, Instant deletedAt, String action, String detail,
                            Rebalance.GcAck acked) {
        public PurgeItem(String orgId, String poolId, String databaseName, Instant deletedAt, String action, String detail) {
            this(orgId, poolId, databaseName, deletedAt, action, detail, null);
        }
    }

    /** {@code interrupted}: Ctrl-C/SIGTERM stopped it; the orgs not reached are kept, saying so. */
    public record Purged(boolean dryRun, long olderThanSeconds, List<PurgeItem> orgs, boolean interrupted, String next) {
        public long count(String action) {
            return orgs.stream().filter(o -> o.action().equals(action)).count();
        }

        public boolean failed() {
            return orgs.stream().anyMatch(o -> o.action().equals("failed") || o.action().equals("skipped")
                    || o.action().equals("kept") && o.acked() == null);
        }

        /** The databases kept that a person looked at: their verify finding acked. */
        public long keptAcked() {
            return orgs.stream().filter(o -> o.acked() != null).count();
        }
    }

    private final OpsContext ctx;
    private final RunEngine engine;

    public OrgLifecycle(OpsContext ctx) {
        this.ctx = ctx;
        this.engine = new RunEngine(ctx, new LeaseRecovery(ctx));
    }

    // ---------------------------------------------------------------- suspend / resume

    /** active → read_only: applications' routing says not writable. A read_only org is left as it is. */
    public Changed suspend(String orgId, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        return setWritable(orgId, Org.READ_ONLY, SUSPEND, dryRun, waitForOrg, cancel);
    }

    /**
     * read_only → active. An active org is left as it is. A deleting org (soft-deleted, its database kept until purge) is
     * taken back as it was before its delete — active, or read_only if it was suspended then, {@code next} naming the
     * resume that makes it writable — out of purge's reach, once its database is found where the catalog says.
     */
    public Changed resume(String orgId, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        Changed c = get(orgId).status().equals(Org.DELETING) ? undelete(orgId, dryRun, waitForOrg, cancel)
                : setWritable(orgId, Org.ACTIVE, RESUME, dryRun, waitForOrg, cancel);
        if (!c.changed()) {
            return c;
        }
        Org now = get(orgId);
        java.util.Optional<String> next = c.status().equals(Org.READ_ONLY.db()) ? java.util.Optional.of("tenantctl orgs resume " + orgId)
                : LastRollout.of(ctx.catalog()).passedOver(now, now.schemaHash()).map(r -> r.catchUpStep(ctx.catalog(), now).text());
        return next.map(c::withNext).orElse(c);
    }

    /**
     * A deleting org taken back as it was before the delete, under its lease (purge takes the same lease to hand it over
     * as deleted): its kept database, with whatever was written to it since the delete, becomes the org's live one again.
     */
    private Changed undelete(String orgId, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        if (dryRun) {
            engine.orgLeases().dryRun(orgId, waitForOrg); // a purge handing it over holds it
            return undeleteHeld(get(orgId), true);
        }
        try (OrgLeases.Held held = engine.orgLeases().hold(orgId, RESUME, waitForOrg, cancel)) {
            Org now = get(orgId);
            if (!now.status().equals(Org.DELETING)) { // purged while we waited: refused as deleted; else another resume took it back first
                Org live = requireLive(orgId, RESUME);
                return changed(live, live.status(), live.tier(), false, false);
            }
            return undeleteHeld(now, false);
        }
    }

    /** The deleting org {@code now} taken back as the status it had before its delete: see the method below. */
    private Changed undeleteHeld(Org now, boolean dryRun) {
        return undeleteHeld(now, ctx.catalog().orgs().statusBeforeDelete(now.orgId()), dryRun);
    }

    /**
     * The deleting org {@code now} taken back as {@code before}, under its lease, once its database is found kept on its
     * pool; with {@code dryRun} the same checks, nothing written.
     */
    private Changed undeleteHeld(Org now, OrgStatus before, boolean dryRun) {
        requireDatabaseKept(now);
        if (!dryRun && !ctx.catalog().orgs().undelete(now.orgId(), now.version(), before)) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "org " + now.orgId() + " changed while it was being resumed (it is "
                    + ctx.catalog().orgs().get(now.orgId()).status() + " now): run it again");
        }
        return changed(now, before, now.tier(), true, dryRun);
    }

    /** Whether the org's database is missing from its pool; false when the pool does not answer (not known to be gone). */
    private boolean databaseGone(Org org) {
        try {
            return !ctx.databaseNames(ctx.catalog().pools().get(org.poolId())).contains(org.databaseName());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Refused, nothing changed, unless the deleting org's database is on its pool (a purge, or a hand, may have dropped it). */
    private void requireDatabaseKept(Org org) {
        Pool pool = ctx.catalog().pools().get(org.poolId());
        java.util.Set<String> there;
        try {
            there = ctx.databaseNames(pool);
        } catch (RuntimeException e) {
            throw TenantctlException.config("org " + org.orgId() + ": " + PoolHealth.doesNotAnswer(pool, null, PoolHealth.pingWhy(e))
                    + "; nothing resumed, the org is still deleting; once it answers, run the resume again", e);
        }
        if (!there.contains(org.databaseName())) {
            throw TenantctlException.usage("org " + org.orgId() + " is deleting and its database " + org.databaseName() + " is gone from pool "
                    + pool.poolId() + ": nothing to resume; " + OrgNext.comesBack(ctx.catalog(), org, ""));
        }
    }

    private Changed setWritable(String orgId, OrgStatus target, String verb, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        // an org a dead restore or move left restoring / frozen is put right first, as orgs show promises, and said
        Org seen = dryRun ? null : ctx.catalog().orgs().find(orgId).orElse(null);
        java.util.Optional<io.tenantctl.catalog.OrgLeaseRepository.Lease> waitsFor = java.util.Optional.empty();
        if (!dryRun) {
            LeaseRecovery.sweep(ctx);
        } else { // a move's or a freeze backup's read_only is its holder's, not a suspension: busy, as the command says
            waitsFor = engine.orgLeases().dryRun(orgId, waitForOrg, OrgLifecycle::plannedAs);
        }
        Org org = !held(get(orgId)) ? requireLive(orgId, verb) : get(orgId);
        if (dryRun && waitsFor.filter(OrgLifecycle::deletes).isPresent()) {
            // the real command waits for the delete, then decides on the deleting org it leaves, as below: planned so, nothing
            // written — a resume takes it back, a suspend is refused
            if (verb.equals(RESUME)) {
                return undeleteHeld(deletedBy(org), beforeDelete(org), true);
            }
            requireLive(deletedBy(org), verb, WAITED);
        }
        if (dryRun) {
            // a dead move or freeze the real command's sweep puts right first: said, and planned from the status it leaves
            // (as the real one reports it: put to the target by the sweep, the org was not so before it)
            sayWouldPutRight(orgId);
            OrgStatus found = LeaseRecovery.statusAfterSweep(ctx, orgId).orElse(org.status());
            boolean toTarget = found.equals(target);
            return new Changed(orgId, org.poolId(), org.databaseName(), (toTarget ? org.status() : found).db(), target.db(), org.tier(),
                    org.tier(), !toTarget || !org.status().equals(target), true, null);
        }
        try (OrgLeases.Held held = engine.orgLeases().hold(orgId, verb, waitForOrg, cancel)) {
            Org left = get(orgId); // what the lease's previous holder (or its recovery) left
            if (verb.equals(RESUME) && left.status().equals(Org.DELETING)) {
                return undeleteHeld(left, false); // a delete it waited for (--wait): taken back, as a resume run now would
            }
            Org now = requireLive(orgId, verb);
            if (now.status().equals(target)) {
                if (target.equals(Org.READ_ONLY)) {
                    ctx.catalog().orgs().forgetDeleteFreeze(orgId); // left so by a delete that died: suspended on purpose now
                }
                if (seen != null && !seen.status().equals(target)) { // put so by the sweep: the org was not so before it
                    return new Changed(orgId, now.poolId(), now.databaseName(), seen.status().db(), target.db(), now.tier(), now.tier(),
                            true, false, null);
                }
                return changed(now, target, now.tier(), false, false);
            }
            if (!ctx.catalog().orgs().compareAndSetStatus(orgId, now.version(), target)) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "org " + orgId + " changed while it was being "
                        + (verb.equals(SUSPEND) ? "suspended" : "resumed") + ": run it again");
            }
            return changed(now, target, now.tier(), true, false);
        }
    }

    /** {@link Orgs#heldInPassing}: the lease is taken first (exit 3 naming the holder, or --wait), the status checked under it. */
    private boolean held(Org org) {
        return Orgs.heldInPassing(ctx.catalog(), org);
    }

    /** The org, refused (exit 2, naming its status) unless it is active or read_only. */
    private Org requireLive(String orgId, String verb) {
        return requireLive(get(orgId), verb, "");
    }

    /** {@code org} (as a dry run plans it, {@code lead} saying so), refused (exit 2, naming its status) unless it is active or read_only. */
    private Org requireLive(Org org, String verb, String lead) {
        String orgId = org.orgId();
        if (!org.status().equals(Org.ACTIVE) && !org.status().equals(Org.READ_ONLY)) {
            throw TenantctlException.usage(lead + "org " + orgId + " is " + org.status() + ": only active or read_only orgs"
                    + (verb.equals(RESUME) ? " (or deleting ones, their database kept)" : "") + " can be " + verb
                    + (verb.equals(SUSPEND) ? "ed" : "d") + hint(org));
        }
        return org;
    }

    private String hint(Org org) {
        return switch (org.status()) {
            case DELETING -> " (it is deleted: 'tenantctl orgs resume " + org.orgId() + "' takes it back until 'tenantctl orgs purge' drops its "
                    + "database)";
            // its database dropped by purge, or to be by the next purge or gc (a drop that failed): not the org's any more
            case DELETED -> " (it is deleted: purge has dropped its database, or the next purge or 'tenantctl rebalance gc' will; "
                    + OrgNext.comesBack(ctx.catalog(), org, "") + ")";
            case FAILED -> "; next: " + OrgNext.failed(ctx.catalog(), org);
            case MOVING, RESTORING -> " (an operation on it is unfinished: see 'tenantctl orgs show " + org.orgId() + "')";
            // what finishes it as it was meant (its run's --resume, or its manifest by hash): a bare provision takes the built-in model
            case PROVISIONING -> " (its provision is unfinished; next: " + Verify.finishProvision(ctx.catalog(), org) + ")";
            default -> "";
        };
    }

    /** What a dead operation left on {@code orgId} that the real command's sweep puts right first, said by its dry run. */
    private void sayWouldPutRight(String orgId) {
        String self = "org " + orgId + ": ";
        LeaseRecovery.pending(ctx).stream().filter(l -> l.startsWith(self)).forEach(l -> ctx.notices().accept("dry run: would put right first: " + l));
    }

    private static Changed changed(Org before, OrgStatus status, String tier, boolean changed, boolean dryRun) {
        return new Changed(before.orgId(), before.poolId(), before.databaseName(), before.status().db(), status.db(), before.tier(), tier,
                changed, dryRun, null);
    }

    private Org get(String orgId) {
        String problem = OrgId.problem(orgId);
        if (problem != null) {
            throw TenantctlException.usage(problem);
        }
        return ctx.catalog().orgs().named(orgId);
    }

    // ---------------------------------------------------------------- forget

    /** The lease operation name of {@code orgs forget}. */
    static final String FORGET = "forget";

    /**
     * Removes a failed org's catalog row, touching no database, under the org's lease like every other single-org
     * change: a provision resuming the failed org (its printed next step) holds it, and a forget under it would delete
     * the row the provision is finishing. Refused (exit 3) naming the holder, or waited for with {@code waitForOrg};
     * {@code dryRun} checks the same refusals and writes nothing. Forgotten on purpose, the org is skipped by the provision
     * runs that failed it or have it still to do: their --resume or --join does not make it again.
     */
    public Orgs.View forget(String orgId, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        if (!dryRun) {
            LeaseRecovery.sweep(ctx); // a dead provision's expired lease is not a holder
        }
        Org org = get(orgId);
        if (!held(org)) {
            OrgRepository.requireForgettable(org);
        }
        if (dryRun) {
            engine.orgLeases().dryRun(orgId, waitForOrg); // busy as the forget is, or with --wait a plan saying whom it would wait for
            return Orgs.View.of(org, null);
        }
        try (OrgLeases.Held held = engine.orgLeases().hold(orgId, FORGET, waitForOrg, cancel)) {
            // its status checked again under the lease; the provision runs it failed in take it up no more (--resume, --join)
            return Orgs.View.of(ctx.catalog().orgs().forget(orgId, Provision.VERB, "org " + orgId + " was forgotten ('tenantctl orgs "
                    + "forget', by " + ctx.actor() + "): this run does not provision it again"), null);
        }
    }

    // ---------------------------------------------------------------- set-tier

    /**
     * Records the org's tier (its backup policy follows it). Refused for a deleted org. Under the org's lease, like every
     * change: a tier change in the middle of a restore would otherwise change the org's version and throw the restore's
     * copy away at its flip.
     */
    public Changed setTier(String orgId, String tier, boolean dryRun, boolean waitForOrg, CancelToken cancel) {
        OrgId.requireTier(tier);
        Org org = tierChangeable(orgId);
        boolean change = !tier.equals(org.tier());
        // the lease the change is made under: busy, as the command says; with --wait for a delete, the org planned as it
        // leaves it (deleting), whose tier the real set-tier then sets
        boolean afterDelete = dryRun && change && engine.orgLeases().dryRun(orgId, waitForOrg, OrgLifecycle::plannedAs)
                .filter(OrgLifecycle::deletes).isPresent();
        if (dryRun || !change) {
            return changed(org, afterDelete ? Org.DELETING : org.status(), tier, change, dryRun);
        }
        Org now;
        try (OrgLeases.Held held = engine.orgLeases().hold(orgId, "set-tier", waitForOrg, cancel)) {
            tierChangeable(orgId); // checked again as the holder it waited for left it: a purge makes it deleted
            now = ctx.catalog().orgs().setTier(orgId, tier);
        }
        return new Changed(org.orgId(), org.poolId(), org.databaseName(), org.status().db(), now.status().db(), org.tier(), now.tier(),
                true, false, null);
    }

    /** The org, refused (exit 2) once it is deleted: its tier no longer means anything. */
    private Org tierChangeable(String orgId) {
        Org org = get(orgId);
        if (org.status().equals(Org.DELETED)) {
            throw TenantctlException.usage("org " + orgId + " is deleted: its tier can no longer be changed");
        }
        return org;
    }

    // ---------------------------------------------------------------- delete

    /**
     * Soft-deletes an org: with a store, a final backup first (the org read_only meanwhile, so the backup is its last
     * state; a failed backup refuses the delete and puts the org back); then status {@code deleting} with the time.
     * The database is kept until {@code purge}. Without a store, refused unless {@code noBackup}. {@code storeOnLine}:
     * " --store URL" as typed (or ""), carried by the restore a final backup of nothing names.
     */
    public Deleted delete(String orgId, String storeUrl, String storeOnLine, Map<String, String> env, boolean noBackup, boolean dryRun,
                          boolean waitForOrg, CancelToken cancel) {
        if (!dryRun) {
            LeaseRecovery.sweep(ctx);
        } else { // as suspend's dry run: the delete's sweep first rolls back a dead move (the org active again), said
            sayWouldPutRight(orgId);
        }
        Org org = get(orgId);
        if (noBackup || storeUrl == null || storeUrl.isBlank() || org.status().equals(Org.DELETING)) {
            return delete(org, null, "", noBackup, dryRun, waitForOrg, cancel);
        }
        // the store checked before anything is changed, as for every backup, writing nothing: a dead, read-only (an S3 key
        // that may not write there) or unmounted store is exit 3 before the org is frozen or a run recorded, the dry run's alike
        try (ObjectStore store = ctx.openStoreToBackUp(storeUrl, env)) {
            return delete(org, store, storeOnLine, false, dryRun, waitForOrg, cancel);
        }
    }

    /** The status a delete of {@code org} records as the one it had before: active if a delete froze it (one at work, or one that died). */
    private OrgStatus beforeDelete(Org org) {
        return ctx.catalog().orgs().frozenForDelete(org.orgId()) ? Org.ACTIVE : org.status();
    }

    /** What a dry run that would wait (--wait) for a delete says, as the refusal the real command meets once it is done. */
    private static final String WAITED = "dry run: once the delete it would wait for (--wait) is done, ";

    /** Whether the lease {@code l} is a delete's (one that would leave the org deleting). */
    private static boolean deletes(io.tenantctl.catalog.OrgLeaseRepository.Lease l) {
        return l.operation().equals(DELETE);
    }

    /** On what a dry run that would wait (--wait) for the holder {@code l} plans: the org as a delete leaves it, else as it is. */
    private static String plannedAs(io.tenantctl.catalog.OrgLeaseRepository.Lease l) {
        return deletes(l) ? "planned on it as the delete leaves it (deleting, its database kept)" : "planned here as it is now";
    }

    /** {@code org} as a delete that holds it leaves it once done: deleting, its database kept (nothing written). */
    private static Org deletedBy(Org org) {
        return new Org(org.orgId(), org.poolId(), org.databaseName(), Org.DELETING, org.tier(), org.schemaHash(), org.version(),
                org.createdAt(), org.updatedAt());
    }

    /** A delete of the deleting {@code org} (deleted {@code at}; null: by the delete a dry run would wait for): nothing to do. */
    private static Deleted alreadyDeleting(Org org, Instant at, boolean dryRun) {
        return new Deleted(org.orgId(), org.poolId(), org.databaseName(), org.status().db(), org.status().db(), dryRun, at, null, null, null,
                "already deleting");
    }

    private Deleted delete(Org org, ObjectStore store, String storeOnLine, boolean noBackup, boolean dryRun, boolean waitForOrg,
                           CancelToken cancel) {
        String orgId = org.orgId();
        if (org.status().equals(Org.DELETING)) {
            return alreadyDeleting(org, ctx.catalog().orgs().deletedAt(orgId).orElse(org.updatedAt()), dryRun);
        }
        // the lease looked at, not taken: busy as the delete is, or said to be waited for with --wait; a delete at work on it
        // leaves it deleting, which the real delete that waited finds already deleting (as below): when, not known yet
        if (dryRun && engine.orgLeases().dryRun(orgId, waitForOrg, OrgLifecycle::plannedAs).filter(OrgLifecycle::deletes).isPresent()) {
            return alreadyDeleting(deletedBy(org), null, true);
        }
        if (!org.status().equals(Org.ACTIVE) && !org.status().equals(Org.READ_ONLY) && !held(org)) {
            throw TenantctlException.usage("org " + orgId + " is " + org.status() + ": only active or read_only orgs can be deleted" + hint(org));
        }
        boolean backup = !noBackup;
        if (backup && store == null) {
            throw TenantctlException.usage("org " + orgId + " would be deleted without a final backup: configure a store (--store or "
                    + "TENANTCTL_STORE: s3://bucket/prefix or file:///path) or pass --no-backup");
        }
        if (backup) {
            // before the org is frozen (and in a dry run): the final backup is always zstd, so the only way out is the directory
            FINAL_BACKUP.requireAvailable("run tenantctl with such a directory (JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR), then the delete "
                    + "again (its final backup is zstd)");
            // the org's own folder too (made by an earlier backup, perhaps as another user): the final backup is written there
            store.checkWritableWritingNothing(io.tenantctl.backup.BackupLayout.root().orgPrefix(orgId));
        }
        if (dryRun) {
            String location = null;
            if (backup) {
                // the database read with the delete's own first read (its fingerprint, at the freeze: every document): a pool
                // that does not answer, or a collection it will not serve, refuses the dry run with the delete's own line, not
                // the backup's pool check's, which the delete never reaches; listDatabases first, as Restore.exists: listing a
                // missing database's collections makes it on the stand-in pools. One with no collections (dropped by hand)
                // fails the dry run as its final backup fails the delete
                String wouldFail = "dry run: the final backup of org " + orgId + " would fail";
                // its way on is this dry run again, never the delete it previews
                String again = "run the dry run again ('tenantctl orgs delete " + orgId + storeOnLine + " --dry-run')";
                if (fingerprint(org, org.status(), wouldFail, again, db -> onItsPool(org) ? lasting(db) : new Fingerprint(Map.of())).collections().isEmpty()) {
                    throw new TenantctlException(TenantctlException.Category.FAILED, wouldFail + ": " + NothingToBackUp.why(org, org.poolId(),
                            ctx.catalog().backups(), storeOnLine) + "; nothing deleted");
                }
                Backup.Result b = finalBackup(orgId, store, storeOnLine, true, cancel);
                RunReport.Org planned = b.lines().first();
                if (!planned.outcome().equals("planned")) { // its pool does not answer: the delete would fail there, and so does this
                    throw new TenantctlException(b.interrupted() ? TenantctlException.Category.INTERRUPTED : TenantctlException.Category.FAILED,
                            "dry run: the final backup of org " + orgId
                            + " would fail: " + java.util.Objects.requireNonNullElse(b.report().why(planned, b.interrupted()), planned.outcome())
                            + "; nothing deleted");
                }
                location = planned.detail().path("location").asText(null);
            }
            // the status before as the real delete reports it: the one its sweep leaves (a dead move rolled back), or the
            // active a dead delete froze
            OrgStatus before = LeaseRecovery.statusAfterSweep(ctx, orgId).orElseGet(() -> backup ? beforeDelete(org) : org.status());
            return new Deleted(orgId, org.poolId(), org.databaseName(), before.db(), Org.DELETING.db(), true, null, null, null, location,
                    backup ? null : "--no-backup").gone(!backup && databaseGone(org));
        }
        if (!backup) {
            try (OrgLeases.Held held = engine.orgLeases().hold(orgId, DELETE, waitForOrg, cancel)) {
                Org now = get(orgId);
                if (now.status().equals(Org.DELETING)) { // deleted by the delete it waited for (--wait): as a delete run now finds it
                    return alreadyDeleting(now, ctx.catalog().orgs().deletedAt(orgId).orElse(now.updatedAt()), false);
                }
                requireLive(now, DELETE, "");
                if (!ctx.catalog().orgs().markDeleting(orgId, now.version(), now.status(), null)) {
                    throw changedMeanwhile(orgId);
                }
                return deleted(now, null, "--no-backup").gone(databaseGone(now));
            }
        }
        // 1. under the lease: read_only, so that nothing written after the final backup is lost with the database
        Org frozen;
        OrgStatus before;
        try (OrgLeases.Held held = engine.orgLeases().hold(orgId, DELETE, waitForOrg, cancel)) {
            Org now = get(orgId);
            if (now.status().equals(Org.DELETING)) { // deleted by the delete it waited for (--wait): as a delete run now finds it
                return alreadyDeleting(now, ctx.catalog().orgs().deletedAt(orgId).orElse(now.updatedAt()), false);
            }
            requireLive(now, DELETE, "");
            // frozen by an earlier delete that died: it was active, and a failure of this one puts it back so, not read_only
            before = beforeDelete(now);
            if (now.status().equals(Org.ACTIVE) && !ctx.catalog().orgs().freezeForDelete(orgId, now.version())) {
                throw changedMeanwhile(orgId);
            }
            frozen = ctx.catalog().orgs().get(orgId);
        }
        // 2. the final backup, as a backup run of its own (it takes the org's lease itself), between two fingerprints of the
        //    frozen database: a client whose cached routing still said writable may write during the backup, into a
        //    collection already streamed - in no backup, and gone once purge drops the database - so then nothing is deleted
        Fingerprint atFreeze = fingerprint(frozen, before, "final backup of org " + orgId + " failed");
        Backup.Result b;
        try {
            b = finalBackup(orgId, store, storeOnLine, false, cancel);
        } catch (RuntimeException e) {
            throw runStopped(orgId, e, thaw(frozen, before));
        }
        RunReport.Org line = b.lines().first(); // its one org's line, read back from the run's item
        if (b.interrupted() || line == null || !line.outcome().equals(Backup.DONE)) {
            String put = thaw(frozen, before) + givenUp(b.report().runId(), orgId);
            if (b.interrupted()) {
                throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted during the final backup of org " + orgId
                        + " (run " + b.report().runId() + "): nothing deleted" + put);
            }
            String failed = "final backup of org " + orgId + " failed (run " + b.report().runId() + ")";
            // its pool fell silent after the first read (the run lost its exception): asked once, said as before that read
            java.util.Optional<String> silent = PoolHealth.check(ctx, ctx.catalog().pools().get(frozen.poolId()));
            if (silent.isPresent()) {
                throw poolSilent(failed, frozen.poolId(), silent.get(), put, AGAIN, null);
            }
            throw new TenantctlException(TenantctlException.Category.FAILED, failed + ": " + (line == null ? "no result"
                    : java.util.Objects.requireNonNullElse(b.report().why(line, b.interrupted()), "not started")) + "; nothing deleted" + put
                    + "; once that is put right, run the delete again");
        }
        Fingerprint checked = fingerprint(frozen, before, "org " + orgId + " was backed up (run " + b.report().runId()
                + ") but could not be checked afterwards");
        List<String> written = checked.differences(atFreeze);
        if (!written.isEmpty()) {
            throw new TenantctlException(TenantctlException.Category.FAILED, "org " + orgId + " was written during its final backup (collections "
                    + String.join(", ", written) + "), so the backup (run " + b.report().runId() + ") may miss it: nothing deleted"
                    + thaw(frozen, before) + left(orgId, line) + "; stop the application's writes to it, then run the delete again");
        }
        // 3. under the lease again: deleting, if the org is still the frozen database it backed up. Other changes to its
        //    row meanwhile (a tier set, a rollout recording its manifest) do not touch the data the fingerprints checked.
        //    Frozen and backed up already: it waits for an operation that took the org meanwhile rather than leave it frozen.
        OrgLeases.Held lease;
        try {
            lease = engine.orgLeases().hold(orgId, DELETE, true, cancel);
        } catch (TenantctlException e) {
            String put = e.category() == TenantctlException.Category.INTERRUPTED
                    ? "; the org is left read_only: 'tenantctl orgs resume " + orgId + "' makes it writable, or run the delete again"
                    : thaw(frozen, before);
            throw new TenantctlException(e.category(), e.getMessage() + "; nothing deleted" + put + left(orgId, line), e);
        }
        try (OrgLeases.Held held = lease) {
            Org now = ctx.catalog().orgs().get(orgId);
            boolean same = now.status().equals(Org.READ_ONLY) && now.poolId().equals(frozen.poolId())
                    && now.databaseName().equals(frozen.databaseName());
            if (!same || !ctx.catalog().orgs().markDeleting(orgId, now.version(), before, LastingFingerprint.toJson(checked))) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "org " + orgId + " changed during its final backup (now "
                        + now.status() + " on " + now.poolId() + "/" + now.databaseName() + "): nothing deleted" + left(orgId, line)
                        + "; run the delete again"
                        + (now.status().equals(Org.READ_ONLY) && before.equals(Org.ACTIVE) ? "; to keep it writable instead: "
                        + "'tenantctl orgs resume " + orgId + "'" : ""));
            }
            Deleted d = deleted(now, line, null);
            return new Deleted(d.orgId(), d.poolId(), d.databaseName(), before.db(), d.status(), false, d.deletedAt(), d.backupId(),
                    b.report().runId(), d.backupLocation(), null);
        }
    }

    /**
     * What a delete that failed after its final backup completed says it left: that backup, complete and marked a delete's,
     * the org's newest until its next backup supersedes it (after a catalog loss, adopt would take the org as being deleted).
     */
    private static String left(String orgId, RunReport.Org line) {
        String id = line.detail().path("backup_id").asText(null);
        return "; its final backup" + (id == null ? "" : " " + id) + " is left in the store as the org's newest, marked a delete's "
                + "(after a catalog loss adopt would bring the org back read_only, as being deleted): should the org stay, "
                + "'tenantctl backup --org " + orgId + "' takes the backup that supersedes it";
    }

    /** Whether the org's database is on its pool, asked without making it (see Restore.exists); the listing asked again after a dropped connection. */
    private boolean onItsPool(Org org) {
        return ctx.databaseNames(ctx.catalog().pools().get(org.poolId())).contains(org.databaseName());
    }

    /** The frozen org's database as it is now, each collection's count and digest of the documents that last (LastingFingerprint), read on after a dropped connection; a failure to read it stops the delete. */
    private Fingerprint fingerprint(Org frozen, OrgStatus before, String failed) {
        return fingerprint(frozen, before, failed, AGAIN, this::lasting);
    }

    /** The real delete's way on after a failure that deleted nothing (a dry run's is itself again). */
    private static final String AGAIN = "run the delete again";

    /** The delete's read of the org's database (before and after its final backup, and its dry run's): see LastingFingerprint. */
    private Fingerprint lasting(com.mongodb.client.MongoDatabase db) {
        return LastingFingerprint.of(db, ctx.retry(), new Retry.Attempts());
    }

    /**
     * {@code read} of the frozen org's database, failed as the delete fails when its database cannot be read ({@code before}
     * the status a failure puts back: nothing is written when it is the frozen org's own, as in a dry run; {@code again} the
     * way on its line ends with).
     */
    private <T> T fingerprint(Org frozen, OrgStatus before, String failed, String again,
                              java.util.function.Function<com.mongodb.client.MongoDatabase, T> read) {
        try {
            Pool pool = ctx.catalog().pools().get(frozen.poolId());
            PoolHealth.ping(ctx, pool); // pinged first, as backup and gc do: a pool that does not answer costs one connect timeout, not six
            return read.apply(ctx.pools().database(pool.poolId(), pool.uri(), frozen.databaseName()));
        } catch (RuntimeException e) {
            // a dry run's listDatabases, or the ping of a pool that does not answer: the pool's own error, the delete's line
            boolean wrapped = e instanceof SchemaApply.StepFailure || e instanceof TenantctlException && io.tenantctl.pool.FerretErrors.notAnswering(e);
            String why = Errors.oneLine(wrapped && e.getCause() != null ? e.getCause() : e);
            // a pool that does not answer is exit 3 naming it, as restore and the other single-org commands say it
            if (io.tenantctl.pool.FerretErrors.notAnswering(e) && !Retry.cutShort(e) && io.tenantctl.OutOfDescriptorsException.in(e).isEmpty()) {
                throw poolSilent(failed, frozen.poolId(), why, thaw(frozen, before), again, e);
            }
            throw new TenantctlException(TenantctlException.Category.FAILED, failed + ": reading its database on pool " + frozen.poolId()
                    + ": " + why + "; nothing deleted" + thaw(frozen, before) + "; " + again, e);
        }
    }

    /**
     * {@code e}, the final backup's run stopped on what is not the org's (the store full, refusing or silent, the catalog
     * lost), said as the delete's failure: the run's own next step (its --resume) would back the org up, never delete it.
     */
    private RuntimeException runStopped(String orgId, RuntimeException e, String put) {
        if (!(e instanceof TenantctlException stop) || stop.runId() == null || stop.category() == TenantctlException.Category.INTERRUPTED) {
            return e;
        }
        return new TenantctlException(stop.category(), "final backup of org " + orgId + " failed (run " + stop.runId() + "): "
                + Errors.oneLine(stop.getCause() != null ? stop.getCause() : stop) + "; nothing deleted" + put + givenUp(stop.runId(), orgId)
                + "; once that is mended, run the delete again", e).withRunId(stop.runId());
    }

    /**
     * Ends the final backup's run of a delete that gave up on it (the org is back as it was), so that runs list and show
     * offer no --resume of it: resumed, it would take a backup marked a delete's of an org that is not being deleted
     * (its --resume is refused, saying why). Cancelled, its reason saying so, its item keeping its error; what to add to
     * the delete's line: nothing, or, when the run could not be ended, the cancel that ends it.
     */
    private String givenUp(String runId, String orgId) {
        try {
            ctx.catalog().runs().givenUp(runId, "ended by 'tenantctl orgs delete " + orgId + "', which gave up on this final backup of "
                    + "the org: nothing deleted; to delete the org, run the delete again");
            return "";
        } catch (RuntimeException e) {
            return "; its backup run " + runId + " could not be ended (" + Errors.oneLine(e) + "): 'tenantctl runs cancel " + runId + "'";
        }
    }

    /** A delete refused as its org's pool does not answer ({@code why}), exit 3: the pool to look at, what was put back, when to run it again. */
    private static TenantctlException poolSilent(String failed, String poolId, String why, String put, String again, Throwable cause) {
        return TenantctlException.config(failed + ": pool " + poolId + " does not answer: " + why + " — see 'tenantctl pools stats " + poolId
                + "'; nothing deleted" + put + "; once it answers, " + again, cause);
    }

    private Backup.Result finalBackup(String orgId, ObjectStore store, String storeOnLine, boolean dryRun, CancelToken cancel) {
        RunEngine.Drive drive = new RunEngine.Drive(RunEngine.Settings.DEFAULT, RunControl.START, cancel, Progress.NONE);
        return new Backup(ctx, store).run(new Backup.Request(new Backup.Selector(List.of(orgId), false, List.of(), false),
                new Backup.Copy(FINAL_BACKUP, false, io.tenantctl.backup.BackupManifest.OrgState.DELETE), dryRun, drive, Clock.systemUTC(), storeOnLine));
    }

    /** Puts a frozen org back to the status it had (if nothing else changed it); returns what to add to the message. */
    private String thaw(Org frozen, OrgStatus before) {
        if (before.equals(frozen.status())) {
            return "";
        }
        try (OrgLeases.Held held = engine.orgLeases().hold(frozen.orgId(), DELETE, true, new CancelToken())) {
            if (ctx.catalog().orgs().compareAndSetStatus(frozen.orgId(), frozen.version(), before)) {
                return "; the org is " + before + " again";
            }
            // changed meanwhile: still the read_only database this delete froze (a tier set, a manifest recorded), put back
            Org now = ctx.catalog().orgs().get(frozen.orgId());
            if (now.status().equals(Org.READ_ONLY) && now.poolId().equals(frozen.poolId()) && now.databaseName().equals(frozen.databaseName())
                    && ctx.catalog().orgs().compareAndSetStatus(now.orgId(), now.version(), before)) {
                return "; the org is " + before + " again";
            }
            return "; the org was changed meanwhile and is " + ctx.catalog().orgs().get(frozen.orgId()).status();
        } catch (RuntimeException e) {
            return "; could not set the org back to " + before + " (" + Errors.oneLine(e) + "): 'tenantctl orgs resume " + frozen.orgId() + "'";
        }
    }

    private Deleted deleted(Org before, RunReport.Org backup, String skipped) {
        Instant at = ctx.catalog().orgs().deletedAt(before.orgId()).orElse(null);
        return new Deleted(before.orgId(), before.poolId(), before.databaseName(), before.status().db(), Org.DELETING.db(), false, at,
                backup == null ? null : backup.detail().path("backup_id").asText(null), null,
                backup == null ? null : backup.detail().path("location").asText(null), skipped);
    }

    private static TenantctlException changedMeanwhile(String orgId) {
        return new TenantctlException(TenantctlException.Category.FAILED, "org " + orgId + " changed while it was being deleted: run it again");
    }

    // ---------------------------------------------------------------- purge

    /**
     * Drops the databases of orgs {@code deleting} for longer than {@code olderThan}: each is handed over (under its
     * lease) as {@code deleted} with its database recorded in retired_databases, then dropped by {@link DatabaseGc}, the
     * routine {@code rebalance gc} uses. A database a previous purge could not drop is retried. Before it drops one, the
     * org's newest backup is looked for in the store {@code storeUrl} names (null: none given, and the database is kept).
     */
    public Purged purge(Duration olderThan, boolean dryRun, java.util.Set<String> dropChanged, String storeUrl, Map<String, String> env,
                        CancelToken cancel) {
        if (olderThan.isNegative()) {
            throw TenantctlException.usage("--older-than must not be negative");
        }
        if (storeUrl == null || storeUrl.isBlank()) {
            return purge(olderThan, dryRun, dropChanged, new Looking(null, false), cancel);
        }
        try (ObjectStore store = OpsContext.openStore(storeUrl, env, false)) { // a store that does not answer is exit 3 before anything
            Backups.requireThere(ctx.catalog(), store); // a volume not mounted: its backups are not gone, none is marked damaged
            return purge(olderThan, dryRun, dropChanged, new Looking(new Backups(ctx, store), !dryRun), cancel);
        }
    }

    /** Where purge looks for an org's newest backup before it drops its database ({@code in} null: no store given). */
    private record Looking(Backups in, boolean record) {
    }

    private Purged purge(Duration olderThan, boolean dryRun, java.util.Set<String> dropChanged, Looking looking, CancelToken cancel) {
        OrgRepository orgs = ctx.catalog().orgs();
        RestoreRepository databases = ctx.catalog().restores();
        List<OrgRepository.Deleting> due = orgs.deletingBefore(ctx.catalog().now().minus(olderThan)); // deleted_at is the catalog's clock
        java.util.Set<String> unknown = new java.util.TreeSet<>(dropChanged);
        due.forEach(d -> unknown.remove(d.org().orgId()));
        List<RestoreRepository.Retired> leftBefore = leftovers(databases); // what a dry run reports: it hands nothing over
        leftBefore.forEach(r -> unknown.remove(r.orgId())); // handed over by an earlier purge: what its kept detail names
        if (!unknown.isEmpty()) { // a typo must not pass for "dropped what I looked at"
            throw TenantctlException.usage("--drop-changed " + String.join(",", unknown) + ": no org of that id is deleting for longer "
                    + "than --older-than, nor has a database an earlier purge handed over; see 'tenantctl orgs purge --dry-run'");
        }
        Map<String, PurgeItem> items = new LinkedHashMap<>();
        // a pool that does not answer decides nothing: its orgs stay deleting (resume still undoes the delete), not handed
        // over for a drop that cannot be made — --drop-changed too, which would otherwise leave them deleted and undroppable
        Map<String, java.util.Optional<String>> pinged = new java.util.HashMap<>();
        java.util.function.Function<String, java.util.Optional<String>> poolDown = poolId -> pinged.computeIfAbsent(poolId,
                p -> ctx.catalog().pools().find(p).flatMap(pool -> PoolHealth.silence(ctx, pool))
                        .map(silent -> silent + "; nothing compared, handed over or dropped; run " + (dryRun ? "this dry run" : "the purge")
                                + " again once it answers")); // a dry run's way on is itself again, never the purge it previews
        if (dryRun) {
            for (OrgRepository.Deleting d : due) {
                java.util.Optional<String> down = poolDown.apply(d.org().poolId());
                if (down.isPresent()) {
                    items.put(d.org().orgId(), item(d.org(), d.deletedAt(), "skipped", down.get()));
                    continue;
                }
                // held by another operation: the purge, refused its lease, skips it; its dry run looks (taking nothing) and says so
                java.util.Optional<String> holder = engine.orgLeases().liveHolder(d.org().orgId());
                if (holder.isPresent()) {
                    items.put(d.org().orgId(), item(d.org(), d.deletedAt(), "skipped", holder.get()));
                    continue;
                }
                String written = dropChanged.contains(d.org().orgId()) ? null : keep(d.org(), olderThan, looking);
                items.put(d.org().orgId(), item(d.org(), d.deletedAt(), written == null ? "would_drop" : "kept", written));
            }
            Map<String, FindingRepository.Finding> acked = ackedCopies(leftBefore);
            for (RestoreRepository.Retired r : leftBefore) {
                String written = dropChanged.contains(r.orgId()) ? null : keep(r.orgId(), r.poolId(), r.databaseName(), olderThan, false, looking);
                // its org held by another operation: the drop, refused the org's lease, skips it; so does the dry run
                String holder = written != null ? null : engine.orgLeases().liveHolder(r.orgId()).orElse(null);
                items.putIfAbsent(r.orgId(), new PurgeItem(r.orgId(), r.poolId(), r.databaseName(), orgs.deletedAt(r.orgId()).orElse(null),
                        written != null ? "kept" : holder != null ? "skipped" : "would_drop",
                        written != null ? written : holder != null ? holder : "left by an earlier purge",
                        written == null ? null : Rebalance.ack(acked.get(r.poolId() + "/" + r.databaseName()))));
            }
            return new Purged(true, olderThan.toSeconds(), List.copyOf(items.values()), false, null);
        }
        LeaseRecovery.sweep(ctx);
        OrgLeases leases = engine.orgLeases();
        java.util.Set<String> handedOver = new java.util.HashSet<>(); // pool/database compared just now: not again below
        for (OrgRepository.Deleting d : due) {
            String orgId = d.org().orgId();
            if (cancel.isCancelled()) {
                items.put(orgId, item(d.org(), d.deletedAt(), "kept", Errors.NOT_REACHED));
                continue;
            }
            java.util.Optional<String> down = poolDown.apply(d.org().poolId());
            if (down.isPresent()) {
                items.put(orgId, item(d.org(), d.deletedAt(), "skipped", down.get()));
                continue;
            }
            OrgLeases.Taken taken = leases.take(orgId, PURGE, null);
            if (!taken.ok()) {
                items.put(orgId, item(d.org(), d.deletedAt(), "skipped", taken.refusal()));
                continue;
            }
            try {
                Org now = orgs.get(orgId);
                String written = !now.status().equals(Org.DELETING) || dropChanged.contains(orgId) ? null : keep(now, olderThan, looking);
                if (written != null) {
                    items.put(orgId, item(d.org(), d.deletedAt(), "kept", written));
                } else if (!now.status().equals(Org.DELETING) || !databases.retireDeletedOrg(orgId, now.version())) {
                    items.put(orgId, item(d.org(), d.deletedAt(), "skipped", "org " + orgId + " changed meanwhile (now "
                            + orgs.get(orgId).status() + ")"));
                } else {
                    handedOver.add(now.poolId() + "/" + now.databaseName());
                }
            } finally {
                leases.release(orgId);
            }
        }
        DatabaseGc gc = new DatabaseGc(ctx, leases);
        List<RestoreRepository.Retired> left = leftovers(databases);
        Map<String, FindingRepository.Finding> acked = ackedCopies(left);
        for (RestoreRepository.Retired r : left) {
            if (cancel.isCancelled()) { // handed over but not dropped: the next purge drops it ("left by an earlier purge")
                items.put(r.orgId(), new PurgeItem(r.orgId(), r.poolId(), r.databaseName(), orgs.deletedAt(r.orgId()).orElse(null), "kept",
                        Errors.NOT_REACHED));
                continue;
            }
            java.util.Optional<String> down = items.containsKey(r.orgId()) ? java.util.Optional.empty() : poolDown.apply(r.poolId());
            if (down.isPresent()) {
                items.put(r.orgId(), new PurgeItem(r.orgId(), r.poolId(), r.databaseName(), orgs.deletedAt(r.orgId()).orElse(null), "skipped",
                        down.get()));
                continue;
            }
            // left by an earlier purge whose drop failed: written since then by a stale client, it is kept as a deleting one is
            String written = items.containsKey(r.orgId()) || handedOver.contains(r.poolId() + "/" + r.databaseName())
                    || dropChanged.contains(r.orgId()) ? null : keep(r.orgId(), r.poolId(), r.databaseName(), olderThan, false, looking);
            if (written != null) {
                items.put(r.orgId(), new PurgeItem(r.orgId(), r.poolId(), r.databaseName(), orgs.deletedAt(r.orgId()).orElse(null), "kept",
                        written, Rebalance.ack(acked.get(r.poolId() + "/" + r.databaseName()))));
                continue;
            }
            DatabaseGc.Outcome o = gc.drop(r.poolId(), r.databaseName(), r.orgId(), false,
                    () -> databases.forgetRetired(r.poolId(), r.databaseName()));
            Instant at = orgs.deletedAt(r.orgId()).orElse(null);
            items.put(r.orgId(), new PurgeItem(r.orgId(), r.poolId(), r.databaseName(), at, o.action(), o.detail()));
        }
        boolean interrupted = cancel.isCancelled();
        List<String> stillNamed = items.values().stream().filter(i -> Errors.NOT_REACHED.equals(i.detail()) && dropChanged.contains(i.orgId()))
                .map(PurgeItem::orgId).toList();
        return new Purged(false, olderThan.toSeconds(), new ArrayList<>(items.values()), interrupted, interrupted
                ? command(olderThan, stillNamed) : null);
    }

    /**
     * The purge of {@code olderThan} and {@code dropChanged} as a command to run: what an interrupted purge goes on with,
     * and the purge a dry run of them previews (its store, when typed on the line, is the CLI's to add).
     */
    public static String command(Duration olderThan, java.util.Collection<String> dropChanged) {
        return "tenantctl orgs purge --older-than " + Verify.gcAge(olderThan) + (dropChanged.isEmpty() ? ""
                : " --drop-changed " + io.tenantctl.NextStep.shellWord(String.join(",", new java.util.LinkedHashSet<>(dropChanged))));
    }

    /**
     * Why a deleting org's database must not be dropped yet — written since its delete checked it (a client whose cached
     * routing still said writable: those writes are in no backup) or it could not be compared — or null. Orgs deleted
     * with --no-backup, or before catalog version 11, recorded nothing to compare with.
     */
    private String keep(Org org, Duration olderThan, Looking looking) {
        return keep(org.orgId(), org.poolId(), org.databaseName(), olderThan, true, looking);
    }

    /**
     * Why a deleted (or deleting) org's database must not be dropped yet, or null: its newest complete backup (the
     * delete's final one) was found damaged by a restore or {@code verify --deep}, or is found gone from the store now
     * (or cut short) — the database is then the only whole copy of the org, kept until a backup holds it again (a
     * deleting org can be backed up; one an earlier purge handed over cannot: its database is saved by hand) — or it
     * could not be looked for (no store given, another store, one that does not answer), or it was written since its
     * delete, or not comparable.
     */
    private String keep(String orgId, String poolId, String database, Duration olderThan, boolean deleting, Looking looking) {
        String anyway = dropAnyway(olderThan, orgId);
        java.util.Optional<io.tenantctl.catalog.BackupRepository.Backup> newest = ctx.catalog().backups().newestComplete(orgId);
        if (newest.isEmpty()) {
            return writtenSinceDelete(ctx, orgId, poolId, database, anyway);
        }
        io.tenantctl.catalog.BackupRepository.Backup b = newest.get();
        String why = io.tenantctl.catalog.BackupRepository.damage(b.error()).orElse(null);
        if (why == null) {
            String notLooked = "its newest backup " + b.backupId() + " could not be looked for before database " + database + " is dropped";
            if (looking.in() == null) {
                return notLooked + ": no store given; kept. Run the purge with --store " + Backups.writtenTo(b.location(), orgId, b.backupId())
                        + " (where it was written), or " + anyway;
            }
            Backups.Look look;
            try {
                look = looking.in().look(orgId, b.backupId(), looking.record());
            } catch (RuntimeException e) {
                return notLooked + " (" + Errors.oneLine(e) + "); kept. Run the purge again once " + looking.in().store() + " answers, or " + anyway;
            }
            if (look.elsewhere() != null) {
                return notLooked + ": it was written to " + look.elsewhere() + ", not to " + looking.in().store() + "; kept. Run the purge "
                        + "with --store " + look.elsewhere() + ", or " + anyway;
            }
            why = look.damage();
        }
        if (why != null) {
            return "its newest backup " + b.backupId() + " was found damaged: " + why + ": database " + database + " is the only whole "
                    + "copy of the org; kept. " + (deleting ? "Back it up again ('tenantctl backup --org " + orgId + "'), then purge; or "
                    : "Save what you need from it on pool " + poolId + ", then ") + anyway;
        }
        return writtenSinceDelete(ctx, orgId, poolId, database, anyway);
    }

    /**
     * Why a deleted (or deleting) org's database must not be dropped — written since its delete recorded what it held
     * (a stale client), or not comparable with it — or null; {@code anyway} is the command that drops it all the same.
     * Purge asks before handing an org over and again for what an earlier purge handed over but could not drop, and
     * {@code rebalance gc} for every deleted org's database it would drop.
     */
    static String writtenSinceDelete(OpsContext ctx, String orgId, String poolId, String database, String anyway) {
        java.util.Optional<String> recorded = ctx.catalog().orgs().deletedFingerprint(orgId);
        java.util.Optional<Pool> pool = ctx.catalog().pools().find(poolId);
        if (recorded.isEmpty() || pool.isEmpty()) {
            return null;
        }
        try {
            Fingerprint now = LastingFingerprint.likeRecorded(ctx.pools().database(pool.get().poolId(), pool.get().uri(), database),
                    recorded.get(), ctx.retry(), new Retry.Attempts()); // goes on after a dropped connection
            List<String> changed = now.collections().isEmpty() ? List.of() : now.differences(Fingerprint.fromJson(recorded.get()));
            return changed.isEmpty() ? null : "written since its delete (collections " + String.join(", ", changed) + "): those writes "
                    + "are in no backup; kept. Save what you need from database " + database + " on pool " + poolId + ", then " + anyway;
        } catch (RuntimeException e) {
            return "could not be compared with what it held at its delete (" + Errors.oneLine(e) + "): kept; run it again, or " + anyway;
        }
    }

    private static String dropAnyway(Duration olderThan, String orgId) {
        return "'" + command(olderThan, List.of(orgId)) + "'";
    }

    /**
     * The acked verify findings of {@code left}'s databases (verify lists each as a retained copy), by "pool/database", as
     * gc reads them: a person looked at one and keeps it until then. None looked up when nothing is left.
     */
    private Map<String, FindingRepository.Finding> ackedCopies(List<RestoreRepository.Retired> left) {
        return left.isEmpty() ? Map.of() : ctx.catalog().findings().ackedBySubject(Rebalance.COPY_FINDINGS);
    }

    /** Deleted orgs' databases still recorded as retired: just handed over, or not dropped by an earlier purge. */
    private static List<RestoreRepository.Retired> leftovers(RestoreRepository databases) {
        return databases.retired(null).stream().filter(r -> String.valueOf(r.reason()).startsWith(RestoreRepository.DELETED_ORG_REASON))
                .toList();
    }

    private static PurgeItem item(Org o, Instant deletedAt, String action, String detail) {
        return new PurgeItem(o.orgId(), o.poolId(), o.databaseName(), deletedAt, action, detail);
    }
}
