package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Rebalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", description = "Moves, newest first (or one): phase, documents copied, elapsed, ETA, freeze window, error.")
final class RebalanceStatusCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MOVE_ID", description = "One move (default: the newest moves).")
    String moveId;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Show at most N moves.")
    int limit;

    RebalanceStatusCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (limit < 1) {
            throw io.tenantctl.TenantctlException.usage("--limit must be at least 1, not " + limit);
        }
        List<Rebalance.MoveView> moves = new Rebalance(ctx.ops()).status(moveId, limit);
        if (ctx.json()) {
            Output.json(ctx.out, moveId == null ? moves : moves.get(0));
            return 0;
        }
        if (moveId != null) {
            Rebalance.MoveView m = moves.get(0);
            Output.fields(ctx.out, List.of(
                    new String[]{"move", m.moveId()}, new String[]{"org", m.orgId()}, new String[]{"state", m.state()},
                    new String[]{"from", m.fromPool()}, new String[]{"to", m.toPool() + "/" + m.toDatabase()},
                    new String[]{"docs", m.docsCopied() + " / " + m.docsTotal()}, new String[]{"bytes", String.valueOf(m.bytesTotal())},
                    new String[]{"elapsed_ms", String.valueOf(m.elapsedMs())}, new String[]{"eta_ms", m.etaMs() == null ? null : String.valueOf(m.etaMs())},
                    new String[]{"freeze_ms", m.freezeMs() == null ? null : String.valueOf(m.freezeMs())},
                    new String[]{"copy_ms", m.copyMs() == null ? null : String.valueOf(m.copyMs())},
                    new String[]{"started", DateTimeFormatter.ISO_INSTANT.format(m.startedAt())},
                    new String[]{"run", m.runId()}, new String[]{"error", m.error()}));
            return 0;
        }
        Output.table(ctx.out, List.of("move", "org", "state", "from", "to", "docs", "elapsed_ms", "eta_ms", "freeze_ms", "error"),
                moves.stream().map(m -> Arrays.asList(m.moveId(), m.orgId(), m.state(), m.fromPool(), m.toPool(),
                        m.docsCopied() + "/" + m.docsTotal(), String.valueOf(m.elapsedMs()), m.etaMs() == null ? null : String.valueOf(m.etaMs()),
                        m.freezeMs() == null ? null : String.valueOf(m.freezeMs()), m.error())).toList());
        return 0;
    }
}
