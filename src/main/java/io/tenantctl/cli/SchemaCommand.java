package io.tenantctl.cli;

import picocli.CommandLine.Command;

@Command(name = "schema", description = "Inspect the schema manifest and compare an org with it.",
        subcommands = {SchemaShowCommand.class, SchemaDiffCommand.class})
final class SchemaCommand {
}
