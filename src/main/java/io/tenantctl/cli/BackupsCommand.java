package io.tenantctl.cli;

import picocli.CommandLine.Command;

@Command(name = "backups", description = "Backups in the catalog and the store: list, show, prune.",
        subcommands = {BackupsListCommand.class, BackupsShowCommand.class, BackupsPruneCommand.class})
final class BackupsCommand {
}
