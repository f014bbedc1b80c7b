package io.tenantctl.cli;

import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", description = {"Print the manifest (the built-in LibreChat model unless --schema) on stdout, in exactly "
        + "the format --schema reads.", "For example: tenantctl schema export > schema.json. The output is JSON with or without -o json."})
final class SchemaExportCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--schema", paramLabel = "FILE", description = "Manifest to export (validated first).")
    Path schema;

    SchemaExportCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        SchemaManifest m = SchemaManifest.loadOrDefault(schema);
        ctx.out.print(m.toJson());
        ctx.out.flush();
        ctx.note(io.tenantctl.Counted.of(m.collections().size(), "collection") + ", " + io.tenantctl.Counted.of(m.indexCount(), "index", "indexes") + "; hash " + m.hash());
        return 0;
    }
}
