package io.tenantctl.ops.run;

import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.fanout.Timings;

import java.util.List;
import java.util.Map;

/**
 * One run as every fan-out verb reports it: the header all their -o json documents start with
 * ({@code run_id, verb, status, counts, p50/p95/max, orgs}), before each verb's own fields.
 */
public record RunReport(String runId, String verb, RunStatus status, Map<String, Integer> counts, Timings timings, List<Org> orgs,
                        String reason) {

    /** One org's line: its outcome in the verb's words, attempts, wall time, error, and the verb's detail (JSON text). */
    public record Org(String orgId, String poolId, String outcome, int attempts, long ms, String error, String detailJson) {
    }

    /** The status as the catalog and -o json spell it (running, succeeded, abandoned…). */
    public String statusText() {
        return status.db();
    }

    public int count(String outcome) {
        return counts.getOrDefault(outcome, 0);
    }

    public List<Org> failed() {
        return orgs.stream().filter(o -> o.outcome().equals("failed")).toList();
    }

    /** A running run whose workers all stopped beating is abandoned: resume or cancel it. */
    public static RunStatus displayStatus(RunRepository.Run run, RunRepository.Activity activity) {
        RunStatus s = run.runStatus();
        if (s == RunStatus.RUNNING && activity.everClaimed() && activity.heartbeatStale() && activity.liveLeases() == 0) {
            return RunStatus.ABANDONED;
        }
        return s;
    }
}
