package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "show", description = "Collections, index counts and hash of the manifest (built-in LibreChat model unless --schema).")
final class SchemaShowCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--schema", paramLabel = "FILE", description = "A manifest file to show instead of the built-in LibreChat model.")
    Path schema;

    SchemaShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        SchemaInspect.Summary s = SchemaInspect.summarize(SchemaManifest.loadOrDefault(schema));
        if (ctx.json()) {
            Output.json(ctx.out, s);
            return 0;
        }
        Output.table(ctx.out, List.of("collection", "indexes"),
                s.items().stream().map(c -> List.of(c.name(), String.valueOf(c.indexes()))).toList());
        ctx.out.println(io.tenantctl.Counted.of(s.collections(), "collection") + ", " + io.tenantctl.Counted.of(s.indexes(), "index", "indexes") + "; hash " + s.hash());
        ctx.out.println("source: " + s.source());
        return 0;
    }
}
