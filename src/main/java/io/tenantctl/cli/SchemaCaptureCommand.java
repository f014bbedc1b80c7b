package io.tenantctl.cli;

import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "capture", description = {"Print the manifest of a reference database (its collections and indexes, read with "
        + "listCollections and listIndexes) on stdout, in the format --schema reads. Reads only; needs no catalog.",
        "Start the new application version once against an empty database with autoIndex on, then: "
                + "tenantctl schema capture --from-uri URI --database NAME > captured.json"})
final class SchemaCaptureCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--from-uri", required = true, paramLabel = "URI",
            description = "mongodb:// URI of the reference server, secrets as placeholders: mongodb://app:${REF_PASSWORD}@ref:27017/")
    String uri;

    @Option(names = "--database", required = true, paramLabel = "NAME", description = "The reference database.")
    String database;

    @Option(names = "--allow-inline-password", description = "Accept a literal password in --from-uri (never printed).")
    boolean allowInlinePassword;

    SchemaCaptureCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        SchemaManifest m = SchemaInspect.capture(ctx.pools(), Retry.ferretDefault(), uri, allowInlinePassword, database);
        ctx.out.print(m.toJson());
        ctx.out.flush();
        ctx.note("captured " + io.tenantctl.Counted.of(m.collections().size(), "collection") + ", " + io.tenantctl.Counted.of(m.indexCount(), "index", "indexes") + " from database " + database
                + "; hash " + m.hash());
        return 0;
    }
}
