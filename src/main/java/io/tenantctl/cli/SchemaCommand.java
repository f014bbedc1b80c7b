package io.tenantctl.cli;

import picocli.CommandLine.Command;

@Command(name = "schema", description = "Inspect, export and capture schema manifests; compare an org with one.",
        subcommands = {SchemaShowCommand.class, SchemaDiffCommand.class, SchemaExportCommand.class, SchemaCaptureCommand.class})
final class SchemaCommand {
}
