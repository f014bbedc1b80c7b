package io.tenantctl.cli;

import picocli.CommandLine.Command;

@Command(name = "runs", description = "The recorded history of fan-out verbs.", subcommands = {RunsListCommand.class, RunsShowCommand.class, RunsCancelCommand.class})
final class RunsCommand {
}
