package io.tenantctl.cli;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.Timings;
import io.tenantctl.ops.run.RunReport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one fan-out invocation measured, rendered as Prometheus text exposition format for node_exporter's textfile
 * collector ({@code --metrics-file}). Every metric is a gauge (or a summary of this run's per-org times): a batch job's
 * file holds its last run, so nothing here counts across runs. The file is replaced atomically — written to a hidden
 * temp file in the same directory (which the collector, reading only {@code *.prom}, ignores), forced to disk, then
 * moved over the target — so a scrape sees the previous run's file or this one's, never a part.
 *
 * <p>Commands register it with {@link #start}, hand it their run's report with {@link #report}, and may add samples of
 * their own with {@link #gauge} (e.g. {@code verify}'s {@code tenantctl_findings{kind}}); {@link TenantCtl} writes it once
 * the exit code is known, also for a failed (1), interrupted (130) or unreachable (3) run — but not for a usage error
 * (2) before any run, which measured nothing.
 */
final class Metrics {

    static final String PREFIX = "tenantctl_";

    private final CliContext ctx;
    private final Path file;
    private final String verb;
    private final Clock clock;
    private final long startNanos = System.nanoTime();
    private RunReport report;
    /** The report's figures by pool, or null: worked out from its lines. */
    private RunReport.ByPool byPool;
    /** A report without lines: its orgs' lines, read back when asked ({@link #report(RunReport, io.tenantctl.ops.run.ReportLines)}), and the sums worked out from them. */
    private io.tenantctl.ops.run.ReportLines lines;
    private Map<String, Map<String, Long>> sums;
    /** --detach: the run was only created, nothing worked on here (unless it was over at once: {@link Summary#waitsForWorkers}). */
    boolean detached;
    private final Map<String, Family> extra = new LinkedHashMap<>();

    /** Extra gauge samples under one metric name. */
    private record Family(String help, List<GaugeSnapshot.GaugeDataPointSnapshot> points) {
    }

    Metrics(CliContext ctx, Path file, String verb, Clock clock) {
        this.ctx = ctx;
        this.file = file;
        this.verb = verb;
        this.clock = clock;
    }

    /**
     * Registers the metrics of this invocation of {@code verb} to be written to {@code file} at exit (nothing when
     * {@code file} is null). A file whose directory does not exist is a usage error, before any run.
     */
    static Metrics start(CliContext ctx, Path file, String verb) {
        Metrics m = new Metrics(ctx, file, verb, Clock.systemUTC());
        if (file != null) {
            Path dir = file.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw TenantctlException.usage("--metrics-file " + file + ": directory " + dir + " does not exist");
            }
            if (Files.isDirectory(file)) {
                throw TenantctlException.usage("--metrics-file " + file + " is a directory");
            }
            ctx.metrics = m;
        }
        ctx.logContext.put("verb", verb);
        return m;
    }

    /**
     * As {@link #report(RunReport)}, for a report without lines: its figures by pool and the per-pool sums of its orgs'
     * detail (backup's and rebalance's bytes and documents) worked out now, from the catalog and {@code lines} (each org's, read a page at a
     * time), only when a file is to be written.
     */
    void report(RunReport report, io.tenantctl.ops.run.ReportLines lines) {
        report(report, file == null ? (RunReport.ByPool) null : lines.byPool().get());
        if (file != null) {
            this.lines = lines;
            sums = new LinkedHashMap<>();
            for (String[] s : SUMMED) {
                if (s[0].equals(report.verb())) {
                    sums.put(s[2], perPoolSum(s[1], s[2]));
                }
            }
        }
    }

    /** Verb, outcome and detail field of each per-pool sum the file gives ({@link #perPoolSum}). */
    private static final String[][] SUMMED = {{"backup", "backed_up", "bytes"}, {"backup", "backed_up", "docs"},
            {"rebalance", "moved", "bytes"}, {"rebalance", "moved", "docs"}};

    /** The run's report, once there is one (its run id also goes on every log line from now on). */
    void report(RunReport report) {
        report(report, (RunReport.ByPool) null);
    }

    /**
     * As {@link #report(RunReport)}, with the report's figures by pool ({@code byPool}; null: worked out from its lines), for
     * a report without lines.
     */
    void report(RunReport report, RunReport.ByPool byPool) {
        this.report = report;
        this.byPool = byPool;
        if (report.runId() != null) {
            ctx.logContext.put("run_id", report.runId());
        }
    }

    /**
     * An extra gauge sample: {@code name} (tenantctl_ is prefixed if missing), labelled with the verb and
     * {@code labels} (name, value pairs). The hook for verbs with results of their own, e.g.
     * {@code gauge("findings", "Problems verify found, by kind", n, "kind", kind)}.
     */
    void gauge(String name, String help, double value, String... labels) {
        String full = name.startsWith(PREFIX) ? name : PREFIX + name;
        String[] withVerb = new String[labels.length + 2];
        withVerb[0] = "verb";
        withVerb[1] = verb;
        System.arraycopy(labels, 0, withVerb, 2, labels.length);
        extra.computeIfAbsent(full, k -> new Family(help, new ArrayList<>()))
                .points().add(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of(withVerb)).value(value).build());
    }

    /** Every metric of this invocation, ended with {@code exitStatus}. */
    MetricSnapshots snapshots(int exitStatus) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("run_duration_seconds", "Wall time of the last run of this verb by this tenantctl", seconds));
        out.add(gauge("last_run_timestamp_seconds", "When the last run of this verb ended (Unix time)",
                clock.millis() / 1000.0));
        out.add(gauge("last_run_exit_status", "Exit status of the last run: 0 ok, 1 orgs failed, 2 usage error, 3 config/connectivity, "
                + "4 problems found (verify), 130 interrupted", exitStatus));
        if (report != null) {
            perRun(out);
        }
        extra.forEach((name, f) -> {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(f.help());
            f.points().forEach(b::dataPoint);
            out.add(b.build());
        });
        return MetricSnapshots.of(out.toArray(MetricSnapshot[]::new));
    }

    private void perRun(List<MetricSnapshot> out) {
        GaugeSnapshot.Builder orgs = GaugeSnapshot.builder().name(PREFIX + "orgs").help("Orgs of the last run by outcome");
        new TreeMap<>(report.counts()).forEach((outcome, n) -> orgs.dataPoint(point(n, "outcome", outcome)));
        out.add(orgs.build());

        RunReport.ByPool byPool = this.byPool != null ? this.byPool : RunReport.ByPool.of(report);
        GaugeSnapshot.Builder poolOrgs = GaugeSnapshot.builder().name(PREFIX + "pool_orgs").help("Orgs of the last run by pool and outcome");
        byPool.orgs().forEach((pool, counts) -> counts.forEach((outcome, n) -> poolOrgs.dataPoint(point(n, "pool", pool, "outcome", outcome))));
        out.add(poolOrgs.build());

        // the run's own timings, as its summary line says them, and by pool the same orgs': one skipped, or failed before
        // it started (refused at selection), has no time, and must not pull a median to 0
        SummarySnapshot.Builder perOrg = SummarySnapshot.builder().name(PREFIX + "org_duration_seconds")
                .help("Per-org wall time in the last run (nearest-rank quantiles)");
        perOrg.dataPoint(summary(report.timings()));
        out.add(perOrg.build());
        SummarySnapshot.Builder perPool = SummarySnapshot.builder().name(PREFIX + "pool_org_duration_seconds")
                .help("Per-org wall time in the last run by pool (nearest-rank quantiles)");
        byPool.timings().forEach((pool, t) -> perPool.dataPoint(summary(t, "pool", pool)));
        out.add(perPool.build());
        if (report.timings().count() > 0) { // no org timed: no slowest, rather than a 0 s one
            out.add(gauge("org_duration_max_seconds", "Slowest org of the last run", report.timings().max() / 1000.0));
        }

        out.add(gauge("retries", "Attempts beyond the first, summed over the last run's orgs", byPool.retries()));

        if (report.verb() != null && report.verb().equals("backup")) {
            out.add(perPoolSum("backup_bytes", "Bytes written to the store by the last run's complete backups", "backed_up", "bytes"));
            out.add(perPoolSum("backup_documents", "Documents in the last run's complete backups", "backed_up", "docs"));
        } else if (report.verb() != null && report.verb().startsWith("rebalance")) {
            out.add(perPoolSum("moved_bytes", "Bytes moved off each source pool by the last run's completed moves", "moved", "bytes"));
            out.add(perPoolSum("moved_documents", "Documents moved off each source pool by the last run's completed moves", "moved", "docs"));
        }
    }

    /** Per pool: the sum of the detail field {@code field} over the orgs whose outcome is {@code outcome}. */
    private GaugeSnapshot perPoolSum(String name, String help, String outcome, String field) {
        Map<String, Long> byPool = sums != null && sums.containsKey(field) ? sums.get(field) : perPoolSum(outcome, field);
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(PREFIX + name).help(help);
        byPool.forEach((pool, v) -> b.dataPoint(point(v, "pool", pool)));
        return b.build();
    }

    /** As {@link #perPoolSum(String, String, String, String)}'s figures, from the report's lines or those {@link #lines} hands over. */
    private Map<String, Long> perPoolSum(String outcome, String field) {
        Map<String, Long> sums = new TreeMap<>();
        java.util.function.Consumer<RunReport.Org> add = o -> sums.merge(o.poolId() == null ? "" : o.poolId(),
                o.outcome().equals(outcome) ? o.detail().path(field).asLong() : 0, Long::sum);
        if (lines != null) {
            lines.forEach(add);
        } else {
            report.orgs().forEach(add);
        }
        return sums;
    }

    /**
     * A summary data point of per-org times {@code t}; with no org timed, only its count (0) and sum: quantiles of nothing
     * are left out, as Prometheus does for an empty summary, not written as 0 s.
     */
    private SummarySnapshot.SummaryDataPointSnapshot summary(Timings t, String... labels) {
        return SummarySnapshot.SummaryDataPointSnapshot.builder().labels(labels(labels))
                .quantiles(t.count() == 0 ? Quantiles.EMPTY
                        : Quantiles.of(new Quantile(0.5, t.p50() / 1000.0), new Quantile(0.95, t.p95() / 1000.0)))
                .count(t.count()).sum(t.sum() / 1000.0).build();
    }

    private GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(PREFIX + name).help(help).dataPoint(point(value)).build();
    }

    private GaugeSnapshot.GaugeDataPointSnapshot point(double value, String... labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(labels)).value(value).build();
    }

    private Labels labels(String... labels) {
        String[] withVerb = new String[labels.length + 2];
        withVerb[0] = "verb";
        withVerb[1] = report != null && report.verb() != null ? report.verb() : verb;
        System.arraycopy(labels, 0, withVerb, 2, labels.length);
        return Labels.of(withVerb);
    }

    /** The text exposition of {@link #snapshots}. */
    static void render(MetricSnapshots snapshots, OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    }

    /** Writes the file atomically: temp file in the same directory, forced to disk, moved over the target. */
    void write(int exitStatus) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream os = java.nio.channels.Channels.newOutputStream(ch)) {
                render(snapshots(exitStatus), os);
                os.flush();
                ch.force(true);
            }
            try {
                // createTempFile makes it owner-only; the collector (another user) must read it
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the default
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the file for this exit, unless a usage error ended the command before its run; a failure is a warning. */
    void finish(int exitStatus) {
        if (exitStatus == TenantctlException.Category.USAGE.exitCode && report == null) {
            return;
        }
        if (report != null && (report.dryRun() || detached && Summary.waitsForWorkers(report))) {
            return; // nothing was worked on (a detached run over at once is measured as the verb without --detach): the last real run's file stays
        }
        try {
            write(exitStatus);
        } catch (IOException | RuntimeException e) {
            ctx.warn("could not write --metrics-file " + file + ": " + io.tenantctl.IoErrors.describe(e));
        }
    }
}
