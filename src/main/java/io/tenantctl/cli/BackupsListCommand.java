package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.store.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "list", description = {"Backups recorded in the catalog and found in the store, newest first per org.",
        "incomplete = files without manifest.json (interrupted; never restorable); missing = recorded but gone from the store."})
final class BackupsListCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--org", paramLabel = "ORG", split = ",", description = "Only these orgs' backups (repeat or comma-separate).")
    List<String> orgs = new ArrayList<>();

    BackupsListCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        // its listing (before anything is printed) is the check, as Stores.open's probe would be
        try (ObjectStore store = OpsContext.openStoreToList(ctx.resolveStoreUrl(), ctx.effectiveEnv())) {
            Backups backups = new Backups(ctx.ops(), store);
            java.util.Set<String> found = new java.util.HashSet<>();
            // a fleet's backups (a retention's worth of 10,000 orgs is 300,000): streamed, never all held, in either form
            java.util.function.Consumer<java.util.function.Consumer<Backups.Entry>> entries = each -> backups.forEach(orgs, Clock.systemUTC(), e -> {
                if (!orgs.isEmpty()) { // only the orgs named are looked for
                    found.add(e.orgId());
                }
                each.accept(e);
            });
            if (ctx.json()) {
                Output.jsonList(ctx.out, "backups", entries);
            } else {
                Output.spooledTable(ctx.out, List.of("org", "backup", "status", "started", "docs", "bytes", "note"),
                        row -> entries.accept(e -> row.accept(Arrays.asList(e.orgId(), e.backupId(), e.status(), String.valueOf(e.startedAt()),
                                e.docs() == null ? null : String.valueOf(e.docs()), e.bytes() == null ? null : String.valueOf(e.bytes()),
                                e.error()))));
            }
            BackupsCommand.noneFor(ctx, orgs, found, backups);
            // a volume not mounted: listed as the catalog records it, then the one line every other backups verb refuses with
            backups.notThereAfterListing().ifPresent(notMounted -> {
                throw notMounted;
            });
            return 0;
        }
    }
}
