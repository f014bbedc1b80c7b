package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

@Command(name = "pools", description = "Register FerretDB pools and change their status.",
        subcommands = {PoolsAddCommand.class, PoolsListCommand.class, PoolsShowCommand.class, PoolsDrainCommand.class,
                PoolsEnableCommand.class, PoolsSetUriCommand.class, PoolsSetCapacityCommand.class, PoolsStatsCommand.class, PoolsSetAdminUrlCommand.class})
final class PoolsCommand {

    /** What pools list and pools stats say of a catalog with no pools (rather than an empty table). */
    static final String NO_POOLS = "no pools yet: add one with 'tenantctl pools add NAME --uri mongodb://...'";

    /**
     * drain / enable: show the plan with --dry-run, else apply and show the pool; a pool that already has the status
     * is said to have it (nothing written), and -o json says {@code changed}.
     */
    static int changeStatus(CliContext ctx, String name, boolean dryRun, String verb, String target,
                            Function<String, Pools.StatusChange> apply) {
        String already = verb.equals("enable") ? "enabled" : target;
        if (dryRun) {
            Pools.View p = new Pools(ctx.catalog()).show(name);
            boolean changes = !p.status().equals(target);
            if (ctx.json()) {
                Map<String, Object> plan = new LinkedHashMap<>();
                plan.put("dry_run", true);
                plan.put("pool_id", p.poolId());
                plan.put("status", p.status());
                plan.put("would_become", target);
                plan.put("changed", changes);
                Output.json(ctx.out, plan);
                return 0;
            }
            ctx.out.println("dry run: pool " + p.poolId() + (changes ? " is " + p.status() + "; " + verb + " would make it " + target
                    : " is already " + already + ": nothing to do"));
            return 0;
        }
        Pools.StatusChange change = apply.apply(name);
        Pools.View changed = change.pool();
        if (ctx.json()) { // the pool as it now is, saying it was changed, as the dry run says it was not
            warnInlineSecrets(ctx, List.of(changed));
            Map<String, Object> doc = new LinkedHashMap<>(Output.JSON.convertValue(changed, Map.class));
            doc.put("dry_run", false);
            doc.put("changed", change.changed()); // false: it already had the status, as suspend of a suspended org
            Output.json(ctx.out, doc);
            return 0;
        }
        if (!change.changed()) {
            warnInlineSecrets(ctx, List.of(changed));
            ctx.out.println("pool " + changed.poolId() + " is already " + already + ": nothing to do");
            return 0;
        }
        render(ctx, changed);
        return 0;
    }

    /** pools add / set-uri / set-capacity: the pool (or, with --dry-run, the plan), and the variables that now hold its inline secrets. */
    static void renderChange(CliContext ctx, Pools.Added added, String verb) {
        Pools.View p = added.pool();
        warnInlineSecrets(ctx, List.of(p)); // set-capacity shows a stored URI as list does: JSON and dry run too
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>(Output.JSON.convertValue(p, Map.class));
            doc.put("dry_run", added.dryRun()); // false too: a tool reads it from the real change as from the dry run
            doc.put("changed", added.changed()); // false: set to what it already was, as suspend of a suspended org
            if (!added.variablesToSet().isEmpty()) {
                doc.put("variables_to_set", added.variablesToSet());
            }
            if (!added.sharesServerWith().isEmpty()) {
                doc.put("shares_server_with", added.sharesServerWith());
            }
            if (!added.ignoredOptions().isEmpty()) {
                doc.put("ignored_options", added.ignoredOptions());
            }
            Output.json(ctx.out, doc);
        } else if (!added.changed()) {
            ctx.out.println((added.dryRun() ? "dry run: " : "") + "pool " + p.poolId() + " already has " + (verb.contains("URI")
                    ? "URI " + p.uri() : "capacity " + p.capacity()) + ": nothing to do");
        } else if (added.dryRun()) {
            ctx.out.println("dry run: would " + verb + " pool " + p.poolId() + " " + p.uri() + " capacity " + p.capacity()
                    + " priority " + p.priority());
        } else {
            ctx.out.println((verb.equals("add") ? "added" : "changed") + " pool " + p.poolId());
            fields(ctx, p);
        }
        if (!added.variablesToSet().isEmpty()) {
            int n = added.variablesToSet().size();
            ctx.note("the URI's inline " + (n == 1 ? "secret was" : "secrets were") + " not stored: " + io.tenantctl.Counted.they(n)
                    + (added.dryRun() ? " would be" : " " + io.tenantctl.Counted.are(n)) + " read from " + String.join(", ", added.variablesToSet())
                    + "; set " + io.tenantctl.Counted.them(n)
                    + " wherever tenantctl connects to pool " + p.poolId()
                    + (added.percentDecoded().isEmpty() ? "" : "; " + String.join(", ", added.percentDecoded())
                    + (added.percentDecoded().size() == 1 ? " takes its value" : " take their values")
                    + " percent-decoded (%40 as @, %3A as :): tenantctl encodes it when it connects"));
        }
        if (!added.ignoredOptions().isEmpty()) {
            List<String> ignored = added.ignoredOptions();
            ctx.warn("pool " + p.poolId() + "'s URI option" + (ignored.size() == 1 ? " " : "s ") + String.join(", ", ignored)
                    + (ignored.size() == 1 ? " is" : " are") + " not read by tenantctl's MongoDB driver (Java): it connects as if "
                    + (ignored.size() == 1 ? "it were" : "they were") + " not given; a CA or client certificate goes in the JVM's trust "
                    + "or key store (JAVA_TOOL_OPTIONS=-Djavax.net.ssl.trustStore=… / -Djavax.net.ssl.keyStore=…)");
        }
        added.sharesServerWith().forEach((other, servers) -> ctx.warn("pool " + p.poolId() + " names the server of pool " + other
                + " (" + String.join(", ", servers) + "): each counts its capacity apart, so that server can be given more orgs "
                + "than either allows; if it is a mistake: tenantctl pools set-uri " + p.poolId() + " --uri URI"));
    }

    /**
     * A stored URI that holds secrets inline (added before tenantctl refused them), or that is not a mongodb:// one at all:
     * shown redacted, and said on stderr with the set-uri that replaces it.
     */
    static void warnInlineSecrets(CliContext ctx, List<Pools.View> pools) {
        for (Pools.View p : pools) {
            if (p.notAMongodbUri()) { // what it holds is shown masked; tenantctl cannot connect with it at all
                ctx.warn("pool " + p.poolId() + "'s stored URI is not a mongodb:// URI (shown masked: " + p.uri() + "), so tenantctl "
                        + "cannot connect to the pool: replace it: tenantctl pools set-uri " + p.poolId() + " --uri 'mongodb://HOST:PORT/'"
                        + " (a password as ${VAR})");
            } else if (!p.inlineSecrets().isEmpty()) {
                int n = p.inlineSecrets().size();
                ctx.warn("pool " + p.poolId() + " stores " + (n == 1 ? "a secret" : "secrets") + " in its URI (" + String.join(", ", p.inlineSecrets())
                        + "); " + io.tenantctl.Counted.they(n) + " " + io.tenantctl.Counted.are(n) + " never shown, but move "
                        + io.tenantctl.Counted.them(n) + " out of the catalog: tenantctl pools set-uri " + p.poolId()
                        + " --uri 'mongodb://…${VAR}…' (or --allow-inline-password to have tenantctl name the variables)");
            }
        }
    }

    /**
     * drain / set-capacity: said on stderr when, pool {@code name} taking no new orgs, no other active pool has room for one
     * either, so every provision from now on fails ('no capacity') — at 3 a.m., with the ways to give it room.
     */
    static void warnIfNoRoomLeft(CliContext ctx, Pools pools, String name, boolean dryRun) {
        if (pools.withRoomBesides(name).isEmpty()) {
            ctx.warn((dryRun ? "once pool " + name + " takes no new orgs, no active pool would have room for one: every provision would"
                    : "pool " + name + " takes no new orgs and no other active pool has room for one: every provision will")
                    + " fail ('no capacity') until a pool has room: 'tenantctl pools enable POOL', 'tenantctl pools add NAME --uri URI' "
                    + "or 'tenantctl pools set-capacity POOL --capacity N'");
        }
    }

    /** One pool, as key: value lines or JSON. */
    static void render(CliContext ctx, Pools.View p) {
        warnInlineSecrets(ctx, List.of(p));
        if (ctx.json()) {
            Output.json(ctx.out, p);
            return;
        }
        fields(ctx, p);
    }

    /** One pool as key: value lines, its warning said by the caller. */
    private static void fields(CliContext ctx, Pools.View p) {
        Output.fields(ctx.out, List.of(
                new String[]{"pool", p.poolId()},
                new String[]{"uri", p.uri()},
                new String[]{"status", p.status()},
                new String[]{"priority", String.valueOf(p.priority())},
                new String[]{"orgs", p.orgs() + " / " + p.capacity() + " (" + p.free() + " free)"},
                new String[]{"created", p.createdAt() == null ? null : DateTimeFormatter.ISO_INSTANT.format(p.createdAt())}));
    }
}
