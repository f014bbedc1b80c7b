package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tenantctl help [COMMAND...]}: the help of any command, nested ones included ({@code help pools add}),
 * as text or, with {@code -o json}, as one JSON document.
 */
@Command(name = "help", description = "Show the help of a command, e.g. 'tenantctl help pools add'.")
final class HelpCommand implements Callable<Integer> {

    private final CliContext ctx;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command (and subcommands) to show help for.")
    List<String> names = List.of();

    HelpCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        CommandLine target = spec.commandLine().getParent();
        for (String name : names) {
            CommandLine next = target.getSubcommands().get(name);
            if (next == null) {
                String under = target.getCommandSpec().qualifiedName();
                // a command without subcommands (help backups show ID): its arguments are not commands
                throw TenantctlException.usage("no command '" + name + "' under '" + under + "'" + (target.getSubcommands().isEmpty()
                        ? ": it has no subcommands; 'tenantctl help " + under.substring(under.indexOf(' ') + 1) + "' shows its help"
                        : "; its commands: " + String.join(", ", target.getSubcommands().keySet())));
            }
            target = next;
        }
        TenantCtl.printHelp(ctx, target);
        return 0;
    }
}
