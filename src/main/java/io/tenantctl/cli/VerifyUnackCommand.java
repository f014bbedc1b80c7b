package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Verify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "unack", description = "Undo a finding's ack: it counts again (a problem makes verify exit 4; a copy rebalance gc keeps makes gc exit 1).")
final class VerifyUnackCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "FINDING", description = "The finding's id, as verify lists it.")
    String findingId;

    @picocli.CommandLine.Mixin
    DryRunOption dryRun;

    VerifyUnackCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Verify.Unacked u = new Verify(ctx.ops()).unack(findingId, dryRun.on);
        Verify.Finding f = u.finding();
        if (ctx.json()) {
            java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("dry_run", dryRun.on); // the finding as the undo leaves it, as verify ack's
            doc.put("was_acked", u.wasAcked());
            doc.putAll(Output.JSON.convertValue(f, java.util.Map.class));
            Output.json(ctx.out, doc);
        } else {
            String which = "finding " + f.findingId() + " (" + f.kind() + (f.orgId() == null ? "" : ", org " + f.orgId()) + ")";
            ctx.out.println(!u.wasAcked() ? which + " is not acked: nothing to undo"
                    : (dryRun.on ? "dry run: " + which + " would be no longer acked" : which + " no longer acked"));
        }
        return 0;
    }
}
