package io.tenantctl.cli;

import picocli.CommandLine.Command;

@Command(name = "backups", description = "Backups in the catalog and the store: list, show, prune, forget.",
        subcommands = {BackupsListCommand.class, BackupsShowCommand.class, BackupsPruneCommand.class, BackupsForgetCommand.class})
final class BackupsCommand {

    /** Each org named with --org that has no backup here, said on stderr: a mistyped id listed or pruned nothing, in silence. */
    static void noneFor(CliContext ctx, java.util.List<String> named, java.util.Set<String> found, io.tenantctl.ops.Backups backups) {
        named.stream().distinct().filter(o -> !found.contains(o)).forEach(o -> ctx.note("no backup of org " + o + " in the catalog or in "
                + backups.store() + " (see 'tenantctl orgs list'; a backup taken with another --store is listed with it)"));
    }
}
