package io.tenantctl.cli;

import picocli.CommandLine.Option;

/** {@code --dry-run}, the same on every mutating command: every check the real command makes, and nothing changed. */
final class DryRunOption {

    @Option(names = "--dry-run", description = "Check everything the command would check and show what it would do; change nothing.")
    boolean on;
}
