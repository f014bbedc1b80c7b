package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.RunEngine;

import java.util.Optional;

/**
 * What a rollout refused for another at work says: who holds the rollout, and what to do. Joining is named only for a
 * run of the same manifest: a pipeline deploying release N+1 told to join release N's run would roll out N and exit 0.
 */
final class RolloutBusy {

    private RolloutBusy() {
    }

    /** {@code another migrate-all is in progress (run R started by A at T)}, or who else holds the lock. */
    static String busy(OpsContext ctx, Optional<RunRepository.Run> holder) {
        return "another " + MigrateAll.VERB + " is in progress (" + holder.map(r -> "run " + r.runId() + " started by " + r.actor() + " at "
                + r.startedAt()).orElseGet(() -> finishingCancelled(ctx)) + ")";
    }

    /** The refusal (exit 3) of a rollout of {@code manifestHash} (null: a resume's, not known here) while {@code holder} is at work. */
    static TenantctlException refused(OpsContext ctx, Optional<RunRepository.Run> holder, String manifestHash) {
        String advice = holder.map(r -> {
            String theirs = MigrateAll.args(r).schemaHash();
            if (manifestHash != null && theirs != null && !manifestHash.equals(theirs)) {
                return ", rolling out manifest " + theirs.substring(0, 12) + ", not this one (" + manifestHash.substring(0, 12) + "): pass --wait "
                        + "to roll this one out once it is done (joining it would roll out " + theirs.substring(0, 12) + ", not this one)";
            }
            return ": wait for it, pass --wait, or join it: 'tenantctl " + MigrateAll.VERB + " --join " + r.runId() + "'";
        }).orElse(": wait for it, pass --wait");
        return TenantctlException.config(busy(ctx, holder) + advice);
    }

    /**
     * The refusal (exit 3) of a rollout of {@code manifestHash} behind {@code r}, an unfinished run nobody works on now
     * (or, with {@code wait}, not to be waited for). Its --join and --resume are named only for the same manifest: a
     * rollback behind a crashed run of the bad release, told to finish it, would roll the bad release out to the rest.
     */
    static TenantctlException unfinished(RunRepository.Run r, String manifestHash, boolean wait) {
        String theirs = MigrateAll.args(r).schemaHash(), verb = "'tenantctl " + MigrateAll.VERB;
        String ways = manifestHash != null && theirs != null && !manifestHash.equals(theirs)
                ? "it rolls out manifest " + theirs.substring(0, 12) + ", not this one (" + manifestHash.substring(0, 12) + "): end it with 'tenantctl "
                + "runs cancel " + r.runId() + "', then run this again (its --join or --resume would roll out " + theirs.substring(0, 12) + ", not this one)"
                : "join it with " + verb + " --join " + r.runId() + "', finish it with " + verb + " --resume " + r.runId() + "', or end it with "
                + "'tenantctl runs cancel " + r.runId() + "'";
        return TenantctlException.config(MigrateAll.VERB + " run " + r.runId() + " (started by " + r.actor() + " at " + r.startedAt() + ") is unfinished: "
                + ways + (wait ? " (--wait waits only for a run whose workers are live or that was detached in the last 30 min; this one has none)" : ""));
    }

    /**
     * Who holds the rollout lock when no migrate-all run is running: a cancelled run's worker still finishing the orgs it
     * had in flight (it lets go of the lock once they are done), or else some tenantctl process starting a rollout.
     */
    private static String finishingCancelled(OpsContext ctx) {
        for (RunRepository.Run r : ctx.catalog().runs().list(10, MigrateAll.VERB)) {
            int live = r.runStatus() != RunStatus.CANCELLED ? 0 : ctx.catalog().runs().activity(r.runId(), RunEngine.LIVENESS).liveLeases();
            if (live > 0) {
                return "run " + r.runId() + " was cancelled; its worker is finishing the " + io.tenantctl.Counted.of(live, "org") + " it had in flight";
            }
        }
        return "another tenantctl process";
    }
}
