package io.tenantctl.ops.run;

import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.fanout.Timings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * One run as every fan-out verb reports it: the header all their -o json documents start with
 * ({@code run_id, verb, status, counts, p50/p95/max, orgs}), before each verb's own fields. A dry run, which records
 * no run, is reported the same way without a run id, status or timings ({@link #planned}).
 *
 * <p>{@code timings} are over the orgs the run timed ({@link RunEngine#timed}); {@code poolTimings} the same orgs' by pool
 * ("" for an org with no pool), a pool none of whose orgs was timed left out. {@code inFlight}: of the orgs reported
 * {@code not_started}, those a worker is on right now (claimed under a live lease, as another worker of the run sees
 * them when it ends): not left undone, their outcome is still to come. {@code workerCounts}: of the outcomes, those this
 * process's worker recorded itself, in the verb's words ({@link #byThisWorker}); null for a report that is no worker's
 * (runs show, a dry run).
 */
public record RunReport(String runId, String verb, RunStatus status, Map<String, Integer> counts, Timings timings,
                        Map<String, Timings> poolTimings, List<Org> orgs, String reason, int inFlight, List<Org> slowestKept,
                        Map<String, Integer> workerCounts) {

    /** How many of a run's slowest orgs a report without lines keeps ({@link #summary}). */
    public static final int SLOWEST_KEPT = 3;

    /** A report holding every org's line ({@code orgs}). */
    public RunReport(String runId, String verb, RunStatus status, Map<String, Integer> counts, Timings timings,
                     Map<String, Timings> poolTimings, List<Org> orgs, String reason, int inFlight) {
        this(runId, verb, status, counts, timings, poolTimings, orgs, reason, inFlight, null, null);
    }

    /** A report; {@code slowestKept} null for one holding every org's line. */
    public RunReport(String runId, String verb, RunStatus status, Map<String, Integer> counts, Timings timings,
                     Map<String, Timings> poolTimings, List<Org> orgs, String reason, int inFlight, List<Org> slowestKept) {
        this(runId, verb, status, counts, timings, poolTimings, orgs, reason, inFlight, slowestKept, null);
    }

    /**
     * This report as one worker of the run gives it: {@code workerCounts}, the outcomes it recorded itself (an org another
     * worker did, or that it handed back, is not among them), in the verb's words.
     */
    public RunReport byThisWorker(Map<String, Integer> workerCounts) {
        return new RunReport(runId, verb, status, counts, timings, poolTimings, orgs, reason, inFlight, slowestKept, Map.copyOf(workerCounts));
    }

    /** How many orgs of the run this worker took to an outcome itself with {@code outcome} (0 when it is no worker's report). */
    public int byThisWorker(String outcome) {
        return workerCounts == null ? 0 : workerCounts.getOrDefault(outcome, 0);
    }

    /**
     * A report without its orgs' lines (none held: a fleet's are many): its counts, timings and its {@link #SLOWEST_KEPT}
     * slowest orgs, as the catalog worked them out; {@link #orgs} is empty, {@link #total} counts them, and it has no
     * {@code poolTimings} (empty: the metrics file's figures by pool, {@link ByPool}, are {@link RunEngine#byPool}'s).
     */
    public static RunReport summary(String runId, String verb, RunStatus status, Map<String, Integer> counts, Timings timings,
                                    List<Org> slowest, String reason, int inFlight) {
        return new RunReport(runId, verb, status, counts, timings, Map.of(), List.of(), reason, inFlight, List.copyOf(slowest));
    }

    /** Whether this report holds every org's line; one that does not ({@link #summary}) has their counts, timings and slowest. */
    public boolean holdsLines() {
        return slowestKept == null;
    }

    /** How many orgs the report covers. */
    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** This report with its counts as {@code counts} (a report without lines: its outcomes renamed by the verb). */
    public RunReport withCounts(Map<String, Integer> counts) {
        return new RunReport(runId, verb, status, counts, timings, poolTimings, orgs, reason, inFlight, slowestKept, workerCounts);
    }

    /**
     * A run's figures by pool, as the metrics file gives them: its orgs by pool ("" for an org with none) and outcome, the
     * timed orgs' times by pool ({@link #poolTimings}'s), and its retries (attempts beyond the first, summed over its orgs).
     */
    public record ByPool(Map<String, Map<String, Integer>> orgs, Map<String, Timings> timings, long retries) {

        /** Worked out from {@code report}'s lines. */
        public static ByPool of(RunReport report) {
            report.requireLines();
            return of(report.orgs()::forEach, report.poolTimings());
        }

        /** Worked out from the lines {@code lines} hands over (a dry run's, {@link PlannedLines}), with the times by pool {@code poolTimings}. */
        public static ByPool of(java.util.function.Consumer<java.util.function.Consumer<Org>> lines, Map<String, Timings> poolTimings) {
            Map<String, Map<String, Integer>> orgs = new TreeMap<>();
            long[] retries = {0};
            lines.accept(o -> {
                orgs.computeIfAbsent(o.poolId() == null ? "" : o.poolId(), k -> new TreeMap<>()).merge(o.outcome(), 1, Integer::sum);
                retries[0] += Math.max(0, o.attempts() - 1);
            });
            return new ByPool(orgs, new TreeMap<>(poolTimings), retries[0]);
        }

        /**
         * These figures with the orgs of each pool moved from one outcome to another as {@code moved} says (by pool, by
         * outcome: how many more, or fewer), an outcome left with none dropped: a report's lines renamed by the verb.
         */
        public ByPool moved(Map<String, Map<String, Integer>> moved) {
            Map<String, Map<String, Integer>> out = new TreeMap<>();
            orgs.forEach((pool, counts) -> out.put(pool, new TreeMap<>(counts)));
            moved.forEach((pool, counts) -> counts.forEach((outcome, n) -> out.computeIfAbsent(pool, k -> new TreeMap<>())
                    .merge(outcome, n, Integer::sum)));
            out.values().forEach(counts -> counts.values().removeIf(n -> n == 0));
            out.values().removeIf(Map::isEmpty);
            return new ByPool(out, timings, retries);
        }
    }

    /**
     * What an org's failure was, told by its type rather than its message's wording: recorded on its item as
     * {@code "FIELD": true} in its detail ({@link #onto}: runs show has it) and carried on its line ({@link Org#marks}),
     * whatever the verb makes of the detail; what the cli's grouping and next steps go by.
     */
    public enum Mark {
        /** Its pool did not answer, before the org's work or during it ({@link io.tenantctl.pool.PoolSilentException}). */
        POOL_SILENT("pool_silent", io.tenantctl.pool.PoolSilentException.class),
        /** The store refuses writes under the org's folder ({@link io.tenantctl.store.FolderRefusesWritesException}). */
        STORE_REFUSES_WRITES("store_refuses_writes", io.tenantctl.store.FolderRefusesWritesException.class);

        /** The field of the item's detail that records it. */
        public final String field;
        private final Class<? extends Throwable> type;

        Mark(String field, Class<? extends Throwable> type) {
            this.field = field;
            this.type = type;
        }

        /** The marks a recorded detail holds (none for null, or a detail naming none: not parsed then). */
        public static java.util.Set<Mark> in(String detailJson) {
            java.util.Set<Mark> marks = java.util.EnumSet.noneOf(Mark.class);
            JsonNode d = null;
            for (Mark m : values()) {
                if (detailJson != null && detailJson.contains(m.field)) {
                    d = d != null ? d : Org.parse(detailJson);
                    if (d.path(m.field).asBoolean(false)) {
                        marks.add(m);
                    }
                }
            }
            return java.util.Collections.unmodifiableSet(marks);
        }

        /** {@code detailJson} (null, or an object) with the marks of a failure {@code e} (itself, or a cause) added to it. */
        public static String onto(String detailJson, Throwable e) {
            JsonNode d = null;
            for (Mark m : values()) {
                if (e != null && io.tenantctl.TenantctlException.causeOf(e, m.type).isPresent()) {
                    d = d != null ? d : Org.parse(detailJson);
                    if (!(d instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) {
                        return detailJson; // no object to add a field to
                    }
                    o.put(m.field, true);
                }
            }
            return d == null ? detailJson : d.toString();
        }
    }

    /**
     * One org's line: its outcome in the verb's words, attempts, wall time, error, the verb's detail (JSON text), and the
     * {@link Mark}s of its failure (those its item's detail recorded: kept when the verb rewrites the detail, {@link #with}).
     */
    public record Org(String orgId, String poolId, String outcome, int attempts, long ms, String error, String detailJson,
                      java.util.Set<Mark> marks) {
        private static final ObjectMapper JSON = new ObjectMapper();

        /** A line whose marks are those {@code detailJson} records. */
        public Org(String orgId, String poolId, String outcome, int attempts, long ms, String error, String detailJson) {
            this(orgId, poolId, outcome, attempts, ms, error, detailJson, Mark.in(detailJson));
        }

        /** Whether its failure was {@code mark}. */
        public boolean marked(Mark mark) {
            return marks.contains(mark);
        }

        /** The verb's detail as a JSON object (empty when there is none). */
        public JsonNode detail() {
            return parse(detailJson);
        }

        private static JsonNode parse(String detailJson) {
            try {
                return detailJson == null ? JSON.createObjectNode() : JSON.readTree(detailJson);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return JSON.createObjectNode();
            }
        }

        /** This line with another error and detail, its marks kept. */
        public Org with(String error, String detailJson) {
            return new Org(orgId, poolId, outcome, attempts, ms, error, detailJson, marks);
        }
    }

    /**
     * An org's error; for one not_started without an error, why: its run was interrupted ({@code interrupted}: this
     * worker was stopped) or ended otherwise. An org of a run still running (a detached run, or one other workers are
     * on) has simply not been reached yet: no error.
     */
    public String why(Org o, boolean interrupted) {
        if (o.error() != null || !o.outcome().equals("not_started")) {
            return o.error();
        }
        if (interrupted || status == RunStatus.INTERRUPTED) {
            return "not started: run interrupted";
        }
        return status == null || status == RunStatus.RUNNING ? null : "not started: run " + status.db();
    }

    /**
     * A dry run's report: how many of the verb's orgs came to each outcome ({@code counts}), without their lines (a fleet's
     * are many: {@link PlannedLines} hands them over as {@link ReportLines}, held in memory or spooled).
     */
    public static RunReport planned(String verb, Map<String, Integer> counts) {
        return new RunReport(null, verb, null, java.util.Collections.unmodifiableMap(new TreeMap<>(counts)), Timings.of(List.of()), Map.of(),
                List.of(), null, 0, List.of());
    }

    /** This report with each org's line rewritten by the verb (e.g. its own detail), the counts taken again. */
    public RunReport map(UnaryOperator<Org> line) {
        requireLines();
        List<Org> out = orgs.stream().map(line).toList();
        return new RunReport(runId, verb, status, countsOf(out), timings, poolTimings, out, reason, inFlight, null, workerCounts);
    }

    /** True for a dry run's report: no run was recorded. */
    public boolean dryRun() {
        return runId == null;
    }

    /** Why the run was aborted (a failed canary, --max-failures), or null when it was not. */
    public String aborted() {
        return status == RunStatus.ABORTED ? reason : null;
    }

    /** True when the run was ended by 'runs cancel': its orgs not started were never done. */
    public boolean cancelled() {
        return status == RunStatus.CANCELLED;
    }

    /**
     * The {@code n} slowest orgs worked on (a time above 0), slowest first. A report without lines ({@link #summary}) kept
     * its {@link #SLOWEST_KEPT} slowest: it answers any {@code n} when it kept fewer (the run timed no more), and refuses a
     * larger {@code n} than it kept (IllegalArgumentException) rather than answer short: ask the report with lines.
     */
    public List<Org> slowest(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("the slowest " + n + " orgs: the count must not be negative");
        }
        if (!holdsLines()) {
            if (n > SLOWEST_KEPT && slowestKept.size() >= SLOWEST_KEPT) {
                throw new IllegalArgumentException("run " + runId + "'s report holds no org lines: it kept its " + SLOWEST_KEPT
                        + " slowest orgs, not " + n + " — ask for at most " + SLOWEST_KEPT + ", or read the report with lines "
                        + "(RunEngine.report with names that keep them)");
            }
            return slowestKept.stream().limit(n).toList();
        }
        return orgs.stream().filter(o -> o.ms() > 0).sorted(Comparator.comparingLong(Org::ms).reversed()).limit(n).toList();
    }

    private static Map<String, Integer> countsOf(List<Org> orgs) {
        Map<String, Integer> counts = new TreeMap<>();
        orgs.forEach(o -> counts.merge(o.outcome(), 1, Integer::sum));
        return counts;
    }

    /** The status as the catalog and -o json spell it (running, succeeded, abandoned…). */
    public String statusText() {
        return status == null ? null : status.db();
    }

    public int count(String outcome) {
        return counts.getOrDefault(outcome, 0);
    }

    public List<Org> failed() {
        requireLines();
        return orgs.stream().filter(o -> o.outcome().equals("failed")).toList();
    }

    private void requireLines() {
        if (!holdsLines()) {
            throw new IllegalStateException("run " + runId + "'s report holds no org's line");
        }
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
