package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;

import java.time.Instant;
import java.util.List;

/** The {@code runs} noun: the recorded history of fan-out verbs. */
public final class Runs {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A run as shown to people: its stored arguments and summary as JSON values, not as strings holding JSON. */
    public record RunView(String runId, String verb, JsonNode args, Instant startedAt, Instant finishedAt, String status,
                          String actor, JsonNode summary, String reason, String nextStep) {
        static RunView of(RunRepository.Run r, RunStatus status) {
            String verb = r.verb();
            String next = switch (status) {
                case ABANDONED -> "tenantctl " + verb + " --resume " + r.runId() + "   (or: tenantctl runs cancel " + r.runId() + ")";
                case INTERRUPTED, ABORTED -> "tenantctl " + verb + " --resume " + r.runId();
                default -> null;
            };
            return new RunView(r.runId(), verb, tree(r.args()), r.startedAt(), r.finishedAt(), status.db(), r.actor(),
                    tree(r.summary()), r.reason(), next);
        }
    }

    public record Detail(RunView run, List<RunRepository.Item> items) {
    }

    private final Catalog catalog;
    private final String actor;

    public Runs(Catalog catalog) {
        this(catalog, "unknown");
    }

    public Runs(Catalog catalog, String actor) {
        this.catalog = catalog;
        this.actor = actor;
    }

    public List<RunView> list(int limit) {
        return catalog.runs().list(limit).stream().map(this::view).toList();
    }

    public Detail show(String runId) {
        return new Detail(view(catalog.runs().get(runId)), catalog.runs().items(runId));
    }

    /**
     * Ends a run for good ({@code runs cancel}): orgs in flight finish and are recorded, the rest are recorded
     * cancelled, and the run no longer blocks the next rollout. Refused for a run that already ended otherwise.
     */
    public RunView cancel(String runId, boolean dryRun) {
        RunRepository.Run run = catalog.runs().get(runId);
        boolean cancellable = java.util.Set.of("running", "interrupted", "aborted", "failed").contains(run.status());
        if (dryRun && cancellable) {
            return view(run);
        }
        if (!cancellable || !catalog.runs().cancel(runId, "cancelled by " + actor)) {
            throw io.tenantctl.TenantctlException.usage("run " + runId + " is " + run.status() + ": only a running, interrupted, aborted "
                    + "or failed run can be cancelled");
        }
        return view(catalog.runs().get(runId));
    }

    private RunView view(RunRepository.Run r) {
        RunStatus status = RunReport.displayStatus(r, catalog.runs().activity(r.runId(), RunEngine.LEASE_SECONDS));
        return RunView.of(r, status);
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }
}
