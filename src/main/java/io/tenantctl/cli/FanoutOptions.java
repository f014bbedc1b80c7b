package io.tenantctl.cli;

import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import picocli.CommandLine.Option;

/** Concurrency knobs shared by every fan-out verb. */
final class FanoutOptions {

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec verb;

    /**
     * Whether {@code option} was typed on the command line, not filled in from the --config file: a joined or resumed run
     * takes its own selection and manifest, so a config file's schema=, pool= … must not count as given.
     */
    boolean typed(String option) {
        return verb.commandLine().getParseResult().hasMatchedOption(option);
    }

    @Option(names = "--per-pool", paramLabel = "N", description = {"Orgs of the run worked on at once per pool, over all its workers "
            + "(default 4, or with --join/--resume the run's own; rebalance: moves at once per source and per target pool, default 1)."})
    Integer perPool;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16", description = {"Orgs this worker works on at once overall, "
            + "1 to " + RunEngine.MAX_CONCURRENCY + " (for more, add workers with --join)."})
    int concurrency;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0", description = "Start at most N orgs per second per pool (0 = no limit; else at least 0.0001, one every ~2.8 h).")
    double rate;

    @Option(names = "--wait", description = {"Wait for what is busy instead of giving up: an org another operation holds "
            + "(else it fails after 2 minutes, naming the holder), and for migrate-all the rollout lock (else exit 3)."})
    boolean waitForBusy;

    @Option(names = "--busy-timeout", paramLabel = "SECONDS", defaultValue = "120", description = {"How long an org that another "
            + "operation holds (a restore, a move…) is waited for before it fails, naming the holder; --wait waits as long as it takes."})
    int busyTimeout;

    @Option(names = "--detach", description = "Create the run and print its id without working on it; workers then --join it.")
    boolean detach;

    @ActsOn
    @Option(names = "--join", paramLabel = "RUN_ID", converter = RunIdConverter.class, description = "Work on a run alongside other workers; an interrupted run goes on (see README, Scaling out).")
    String join;

    @ActsOn
    @Option(names = "--resume", paramLabel = "RUN_ID", converter = RunIdConverter.class, description = {"Take over a run whose workers are gone (or that was interrupted): "
            + "what it already did is kept, failed and abandoned orgs are tried again with the run's own arguments."})
    String resume;

    @Option(names = "--metrics-file", paramLabel = "FILE", description = {"Write the run's metrics to FILE in Prometheus text format for "
            + "node_exporter's textfile collector (replaced atomically; also when orgs failed or the run was interrupted)."})
    java.nio.file.Path metricsFile;

    /** This invocation's metrics (written at exit when --metrics-file was given); names the verb on log lines. */
    Metrics metrics(CliContext ctx, String verb) {
        Metrics m = Metrics.start(ctx, metricsFile, verb);
        m.detached = detach;
        return m;
    }

    /** --detach, --join or --resume: how this invocation drives its run. */
    RunControl control() {
        return new RunControl(detach, join, resume);
    }

    /**
     * Refuses (exit 2) what a joined or resumed run would otherwise silently not honour: a dry run (the run would go on,
     * for real) and any of {@code kept}, options whose values the run keeps as it recorded them.
     */
    void refuseWithExistingRun(CliContext ctx, String runVerb, String... kept) {
        RunControl c = control();
        if (!c.existing()) {
            return;
        }
        String how = join != null ? "--join" : "--resume";
        java.util.List<String> given = java.util.Arrays.stream(kept).filter(this::typed).toList();
        if (typed("--dry-run") || !given.isEmpty()) {
            // a run id mistyped (or of another verb) is said as such: the refusals below name 'runs show' of the run
            RunEngine.runOf(ctx.catalog(), c.runId(), runVerb);
        }
        if (typed("--dry-run")) {
            throw io.tenantctl.TenantctlException.usage("--dry-run does not go with " + how + ": run " + c.runId() + " would go on for "
                    + "real; 'tenantctl runs show " + c.runId() + "' says what it has left");
        }
        if (!given.isEmpty()) {
            throw io.tenantctl.TenantctlException.usage(String.join(", ", given) + (given.size() == 1 ? " does" : " do") + " not go with "
                    + how + ": run " + c.runId() + " keeps the selection and flags it was started with; for other orgs or flags, "
                    + "start a new run");
        }
    }

    /** How this invocation drives its run: limits, --detach/--join/--resume, Ctrl-C and progress. */
    RunEngine.Drive drive(CliContext ctx) {
        return drive(ctx, 4);
    }

    /** As {@link #drive(CliContext)}, for a verb whose --per-pool defaults to {@code defaultPerPool}. */
    RunEngine.Drive drive(CliContext ctx, int defaultPerPool) {
        if (detach) { // each worker's own limits: a detached run records only --per-pool, so these would be dropped silently
            // --wait too, but for migrate-all, where it also waits for the rollout lock the detached run is created under
            java.util.List<String> given = java.util.stream.Stream.of("--rate", "--concurrency", "--busy-timeout", "--wait")
                    .filter(o -> !(o.equals("--wait") && verb.name().equals("migrate-all"))).filter(this::typed).toList();
            if (!given.isEmpty()) {
                throw io.tenantctl.TenantctlException.usage(String.join(", ", given) + (given.size() == 1 ? " is" : " are")
                        + " each worker's own and a detached run does not keep " + (given.size() == 1 ? "it" : "them")
                        + ": give " + (given.size() == 1 ? "it" : "them") + " to the workers that --join the run");
            }
        }
        return new RunEngine.Drive(engine(defaultPerPool), control(), ctx.cancel, ProgressReporter.of(ctx));
    }

    /**
     * The run engine's limits: per pool (across every worker of the run; without a typed --per-pool, a joined or resumed
     * run keeps its own — a config file's per-pool= is a default for new runs only — a new one gets {@code defaultPerPool}),
     * overall, the start rate and --wait.
     */
    RunEngine.Settings engine(int defaultPerPool) {
        return new RunEngine.Settings(perPool == null ? defaultPerPool : perPool, concurrency, rate, waitForBusy, busyTimeout,
                typed("--per-pool"));
    }
}
