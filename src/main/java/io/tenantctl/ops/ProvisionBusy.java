package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a new provision of orgs a running provision run has still to start says, as a rollout behind another at work
 * does ({@link RolloutBusy}): a second run of them (the same command typed again, a --detach repeated) would race the
 * first for the same orgs, its workers and the first's each taking some. Refused (exit 3), nothing recorded, naming the
 * run and how to go on with it. An org a run's worker has in hand is not refused: its lease is waited for, as before;
 * nor are orgs of a run that was interrupted, or abandoned by its workers: running the command again resumes them.
 * A real run's check is made as its run is recorded, under {@link #LOCK_KEY}, so that two provisions of the same orgs
 * started at the same instant (two pipeline jobs) cannot both pass it: one records its run, the other is refused naming it.
 */
final class ProvisionBusy {

    /**
     * The advisory lock a provision's check and the recording of its run are made under (in the recording's transaction,
     * released as it commits: never held while the run is worked on).
     */
    static final long LOCK_KEY = 0x7465_6e61_6e74_0003L;

    private ProvisionBusy() {
    }

    /** Refuses {@code ids} (in their order) when a provision run still running, not abandoned, has any of them pending. */
    static void refuseIfQueued(OpsContext ctx, List<String> ids) {
        Map<String, List<String>> byRun = new LinkedHashMap<>(); // run → its orgs given, in the order given
        ctx.catalog().runs().pendingInRunning(Provision.VERB, ids).forEach((org, run) -> byRun.computeIfAbsent(run, r -> new ArrayList<>()).add(org));
        Map<RunRepository.Run, RunRepository.Activity> live = new LinkedHashMap<>();
        byRun.keySet().forEach(runId -> {
            RunRepository.Run r = ctx.catalog().runs().get(runId);
            RunRepository.Activity activity = ctx.catalog().runs().activity(runId, RunEngine.LIVENESS);
            if (RunReport.displayStatus(r, activity) == RunStatus.RUNNING) { // abandoned by its workers: this provision takes its orgs over, as it always did
                live.put(r, activity);
            }
        });
        live.entrySet().stream().findFirst().ifPresent(first -> {
            List<String> orgs = byRun.get(first.getKey().runId());
            int others = live.keySet().stream().mapToInt(r -> byRun.get(r.runId()).size()).sum() - orgs.size();
            throw refused(first.getKey(), orgs, !first.getValue().everClaimed(), others, ids.size());
        });
    }

    private static TenantctlException refused(RunRepository.Run r, List<String> orgs, boolean waiting, int inOtherRuns, int given) {
        String run = r.runId(), cmd = "'tenantctl " + Provision.VERB;
        String named = io.tenantctl.Counted.firstOf(orgs, 3, ", ");
        String how = waiting
                ? "it was detached and is waiting for a worker: start its workers with " + cmd + " --join " + run + "', or end it with "
                + "'tenantctl runs cancel " + run + "' and run this again"
                : "it is at work: add a worker with " + cmd + " --join " + run + "' (its " + cmd + " --resume " + run + "' takes it over "
                + "once its workers are gone)";
        int rest = given - orgs.size() - inOtherRuns;
        return TenantctlException.config(Provision.VERB + " run " + run + " (started by " + r.actor() + " at " + r.startedAt() + ") has "
                + (orgs.size() == 1 ? "org " : "orgs ") + named + " still to provision"
                + (inOtherRuns == 0 ? "" : " (other running provision runs have " + inOtherRuns + " more of them)") + ": " + how
                + "; 'tenantctl runs show " + run + "' says what it has left; nothing recorded"
                + (rest <= 0 ? "" : rest == 1 ? " (provision the other org on its own)" : " (provision the " + rest + " other orgs on their own)"));
    }
}
