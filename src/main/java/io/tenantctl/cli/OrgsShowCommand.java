package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Orgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "show", description = "Show one org: pool, database, status, schema hash.")
final class OrgsShowCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org id.")
    String orgId;

    OrgsShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Orgs.View o = new Orgs(ctx.catalog()).show(orgId);
        if (ctx.json()) {
            // next_step and next_note always there, null for none, as in every document that gives them
            com.fasterxml.jackson.databind.node.ObjectNode doc = Output.JSON.valueToTree(o);
            doc.set("next_step", doc.path("next_step").isMissingNode() ? doc.nullNode() : doc.get("next_step"));
            doc.set("next_note", doc.path("next_note").isMissingNode() ? doc.nullNode() : doc.get("next_note"));
            Output.json(ctx.out, doc);
            return 0;
        }
        List<String[]> fields = new java.util.ArrayList<>(List.of(
                new String[]{"org", o.orgId()},
                new String[]{"pool", o.poolId()},
                new String[]{"database", o.databaseName()},
                new String[]{"status", o.status()},
                new String[]{"tier", o.tier()},
                new String[]{"schema hash", o.schemaHash()},
                new String[]{"version", String.valueOf(o.version())},
                new String[]{"created", String.valueOf(o.createdAt())},
                new String[]{"updated", String.valueOf(o.updatedAt())},
                new String[]{"held by", o.lease() == null ? null : o.lease().operation() + " " + o.lease().holder()
                        + (o.lease().runId() == null ? "" : " (run " + o.lease().runId() + ")") + " since " + o.lease().since()
                        + (o.lease().expired() ? " — expired: the next operation on the org recovers it" : "")}));
        String next = o.next() != null ? o.next() : o.deleting() ? null : o.nextNote(); // a way on with no command: its note
        if (next != null) { // where on-call looks first when one org lacks what the release needs
            fields.add(new String[]{"next", next + (o.status().equals("restoring") ? "   (its restore did not finish: run again, it finishes or undoes it)"
                    : o.status().equals("active") ? "   (its manifest is not the one the last rollout applied)" : "")});
        }
        if (o.deleting()) { // the undo, where an operator who deleted the wrong org looks first
            fields.add(new String[]{"next", "its database is kept until 'tenantctl orgs purge'; 'tenantctl orgs resume " + o.orgId()
                    + "' takes the org back until then"});
        }
        Output.fields(ctx.out, fields);
        return 0;
    }
}
