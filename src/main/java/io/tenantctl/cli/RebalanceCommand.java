package io.tenantctl.cli;

import io.tenantctl.ops.Rebalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

@Command(name = "rebalance", description = {"Move orgs between pools: plan, apply, move one, watch, revert, resume, clean up.",
        "A move freezes the org (read_only), copies and verifies every document, flips its pointer in one catalog "
        + "transaction and keeps the source until 'rebalance gc'."},
        subcommands = {RebalancePlanCommand.class, RebalanceApplyCommand.class, RebalanceMoveCommand.class, RebalanceStatusCommand.class,
                RebalanceRevertCommand.class, RebalanceResumeCommand.class, RebalanceGcCommand.class})
final class RebalanceCommand {

    /** What a plan is made of (plan, and apply without --plan). */
    static final class PlanOptions {
        @Option(names = "--by", paramLabel = "orgs|size", defaultValue = "orgs",
                description = "Balance org counts (orgs ÷ capacity) or data size (bytes per capacity slot, from dbStats).")
        String by;

        @Option(names = "--threshold", paramLabel = "F", defaultValue = "0.05", description = {"Pools whose loads differ by at most F "
                + "count as balanced; a move is planned only when it narrows the gap between the fullest and the emptiest pool."})
        double threshold;

        @Option(names = "--max-moves", paramLabel = "N", defaultValue = "100", description = "Plan at most N moves.")
        int maxMoves;

        @ActsOn
        @Option(names = "--pool", paramLabel = "POOL", split = ",", description = "Only these pools, as sources and targets (repeat or comma-separate).")
        List<String> pools = new ArrayList<>();

        @Option(names = "--exclude", paramLabel = "ORG", split = ",", description = "Never move these orgs (repeat or comma-separate).")
        List<String> exclude = new ArrayList<>();

        Rebalance.PlanRequest request() {
            return new Rebalance.PlanRequest(by, threshold, maxMoves, pools, exclude);
        }
    }

    /** A move's limits (apply, move). */
    static final class MoveOptions {
        @Option(names = "--max-freeze", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
                description = {"Longest an org may stay read_only: a move predicted to take longer is refused (unless --force), "
                        + "and one that runs past it is aborted and the org unfrozen."})
        Duration maxFreeze;

        @Option(names = "--freeze-grace", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
                description = "After freezing, wait this long before copying, for applications' cached routing to see read_only.")
        Duration freezeGrace;

        @Destroys // past the freeze limit the operator set: typed each time
        @Option(names = "--force", description = "Move even when the predicted freeze is over --max-freeze (the copy is still aborted past it).")
        boolean force;

        Rebalance.Limits limits() {
            return new Rebalance.Limits(maxFreeze, freezeGrace, force);
        }
    }
}
