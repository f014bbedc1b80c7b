package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Rebalance;
import io.tenantctl.ops.run.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "apply", description = {"Carry out a plan (--plan FILE from 'rebalance plan -o json', or one made now) on the run",
        "engine: one move per source and per target pool at a time by default (--per-pool), resumable, shareable by workers."})
final class RebalanceApplyCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--plan", paramLabel = "FILE", description = "The plan to apply (JSON of 'rebalance plan -o json'); without it, plan now.")
    Path planFile;

    @Mixin
    RebalanceCommand.PlanOptions plan;

    @Mixin
    RebalanceCommand.MoveOptions move;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    FanoutOptions fanout;

    RebalanceApplyCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        List<Rebalance.PlannedMove> moves = planFile == null ? null : read(planFile);
        Rebalance.Result r = new Rebalance(ctx.ops()).apply(new Rebalance.ApplyRequest(moves, plan.request(), move.limits(), dryRun.on,
                fanout.engine(1), fanout.control(), ctx.cancel, ProgressReporter.of(ctx)));
        return render(ctx, r, fanout.detach);
    }

    private static List<Rebalance.PlannedMove> read(Path file) {
        try {
            return Rebalance.readPlan(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw TenantctlException.usage("plan file " + file + " does not exist: write one with 'tenantctl rebalance plan -o json > " + file + "'");
        } catch (IOException e) {
            throw TenantctlException.usage("cannot read plan file " + file + ": " + e.getMessage());
        }
    }

    /** The run's report (apply and move): the common header, each move's figures, failures with their next step. */
    static int render(CliContext ctx, Rebalance.Result r, boolean detached) {
        if (r.dryRun()) {
            if (ctx.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("run_id", null);
                doc.put("verb", Rebalance.VERB);
                doc.put("status", "dry_run");
                doc.put("dry_run", true);
                doc.put("moves", r.planned());
                Output.json(ctx.out, doc);
            } else {
                Output.table(ctx.out, List.of("org", "from", "to", "docs", "bytes", "predicted_freeze_ms"),
                        r.planned().stream().map(m -> Arrays.asList(m.orgId(), m.fromPool(), m.toPool(), String.valueOf(m.docs()),
                                String.valueOf(m.bytes()), String.valueOf(m.predictedFreezeMs()))).toList());
                ctx.out.println("dry run: nothing moved; " + r.planned().size() + " move(s) would run");
            }
            return 0;
        }
        RunReport report = r.report();
        List<Summary.Failure> failed = report.failed().stream().map(f -> new Summary.Failure(f.orgId(), f.poolId(), f.error(),
                "tenantctl rebalance status   (then: tenantctl rebalance move " + f.orgId() + " --to POOL)")).toList();
        List<Map<String, Object>> orgs = report.orgs().stream().map(RebalanceApplyCommand::line).toList();
        if (ctx.json()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("moved", report.count("moved"));
            Output.json(ctx.out, Summary.json(Rebalance.VERB, report, report.runId(), false, fields, failed, r.interrupted(),
                    report.timings(), orgs));
        } else if (detached) {
            ctx.out.println("run " + report.runId() + " created with " + report.orgs().size() + " moves; start workers with: "
                    + "tenantctl rebalance apply --join " + report.runId());
        } else {
            Output.table(ctx.out, List.of("org", "from", "to", "outcome", "docs", "bytes", "freeze_ms", "copy_ms", "MB/s", "error"),
                    orgs.stream().map(o -> Arrays.asList(str(o.get("org_id")), str(o.get("pool_id")), str(o.get("to_pool")),
                            str(o.get("outcome")), str(o.get("docs")), str(o.get("bytes")), str(o.get("freeze_ms")), str(o.get("copy_ms")),
                            str(o.get("mb_per_s")), str(o.get("error")))).toList());
            ctx.out.println("run " + report.runId() + ": moved " + report.count("moved") + ", failed " + failed.size()
                    + (r.interrupted() ? ", not started " + report.count("not_done") + " (interrupted)" : ""));
            Summary.timings(ctx, report.timings(), List.of(), false);
            Summary.failures(ctx, failed);
        }
        if (r.interrupted()) {
            return TenantCtl.EXIT_INTERRUPTED;
        }
        return failed.isEmpty() ? 0 : 1;
    }

    /** One org's line: the common fields, then the move's own (move_id, to_pool, docs, bytes, freeze_ms, copy_ms, mb_per_s). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> line(RunReport.Org o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("org_id", o.orgId());
        m.put("pool_id", o.poolId());
        m.put("outcome", o.outcome());
        m.put("attempts", o.attempts());
        m.put("ms", o.ms());
        m.put("error", o.error());
        if (o.detailJson() != null) {
            try {
                m.putAll(Output.JSON.readValue(o.detailJson(), Map.class));
            } catch (IOException e) {
                m.put("detail", o.detailJson());
            }
        }
        return m;
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
