package io.tenantctl.ops;

import io.tenantctl.catalog.AdvisoryLock;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.Worker;

import java.util.Optional;

/**
 * Who holds migrate-all's rollout lock. A worker labels its lock session with its run and host/pid; a worker stopped
 * for good (kill -STOP, a frozen VM) keeps its idle session, and the lock with it, for ever. Such a holder is judged by
 * its run as {@code runs list} judges it: once the run is over or abandoned (no live lease, heartbeat stale) and
 * nobody works on it, its session is ended so that the run's --resume, and the next rollout, can go on.
 */
final class RolloutLockHolder {

    private static final String PREFIX = "tenantctl migrate-all ";

    private RolloutLockHolder() {
    }

    /** Labels the session of {@code lock} (none for a joiner) as the worker of {@code run}; returns the run. */
    static RunRepository.Run label(AdvisoryLock lock, RunRepository.Run run) {
        if (lock != null) {
            lock.label(PREFIX + run.runId() + " " + here());
        }
        return run;
    }

    /** Takes the lock: free, or held by the session of a worker of a run nobody works on any more (ended, said on stderr). */
    static boolean take(OpsContext ctx, AdvisoryLock lock) {
        if (lock.tryTake()) {
            lock.label(PREFIX + "starting " + here()); // until its run is recorded
            return true;
        }
        Optional<AdvisoryLock.Holder> holder = lock.holder();
        Optional<RunRepository.Run> run = holder.flatMap(h -> runOf(ctx, h));
        if (run.isEmpty() || !gone(ctx, run.get()) || !lock.takeFrom(holder.get())) {
            return false;
        }
        ctx.notices().accept("the rollout lock was held by " + who(holder.get()) + ", a worker of run " + run.get().runId()
                + " that is " + (run.get().runStatus() == RunStatus.RUNNING ? "abandoned (no heartbeat, no live lease)" : "over")
                + " but never let go (stopped or frozen): its catalog session was ended");
        lock.label(PREFIX + "starting " + here());
        return true;
    }

    /** The holder as the refusal names it: its host/pid and run if it said them, and its catalog session. */
    static String describe(AdvisoryLock lock) {
        return lock.holder().map(h -> " — the rollout lock is held by " + who(h)).orElse("");
    }

    private static String who(AdvisoryLock.Holder h) {
        String label = h.label() != null && h.label().startsWith(PREFIX) ? h.label().substring(PREFIX.length()) : null;
        return (label == null ? "catalog session pid " + h.pid() + (h.label() == null || h.label().isBlank() ? "" : " (" + h.label() + ")")
                : "tenantctl " + label + " (catalog session pid " + h.pid() + ")") + (h.since() == null ? "" : ", idle or busy since " + h.since());
    }

    private static Optional<RunRepository.Run> runOf(OpsContext ctx, AdvisoryLock.Holder h) {
        if (h.label() == null || !h.label().startsWith(PREFIX)) {
            return Optional.empty();
        }
        String runId = h.label().substring(PREFIX.length()).split(" ")[0];
        return ctx.catalog().runs().find(runId).filter(r -> r.verb().equals(MigrateAll.VERB));
    }

    /** Nobody works on the run: no live lease, and it is over or its heartbeat is stale. */
    private static boolean gone(OpsContext ctx, RunRepository.Run run) {
        RunRepository.Activity a = ctx.catalog().runs().activity(run.runId(), RunEngine.LIVENESS);
        return a.liveLeases() == 0 && (run.runStatus() != RunStatus.RUNNING || a.lastHeartbeat() != null && a.heartbeatStale());
    }

    private static String here() {
        Worker w = Worker.current("tenantctl");
        return w.host() + "/" + w.pid();
    }
}
