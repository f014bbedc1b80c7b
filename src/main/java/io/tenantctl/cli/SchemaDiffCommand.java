package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.SchemaInspect;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "diff", description = {"Compare one org's live collections and indexes with the manifest. Reads only.",
        "Exit 4 when anything is missing, conflicting or superseded-but-present, or an extra index refuses writes or deletes documents "
        + "(and, with --strict, for any extra index or collection)."})
final class SchemaDiffCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org whose live collections and indexes are compared.")
    String orgId;

    @Option(names = "--schema", paramLabel = "FILE", description = "Manifest to compare with (default: the built-in LibreChat model).")
    Path schema;

    @Option(names = "--schema-hash", paramLabel = "SHA256", description = {"Compare with the manifest the catalog recorded under this hash "
            + "(the org's own is orgs show's schema hash; its first 12 characters, as lists show it, are enough): no file needed."})
    String schemaHash;

    @Option(names = "--strict", description = "Count indexes and collections the manifest does not list (extras) as problems too.")
    boolean strict;

    SchemaDiffCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Manifests.oneOf(schema, schemaHash);
        SchemaInspect.OrgDiff d = new SchemaInspect(ctx.ops()).diff(orgId, Manifests.given(ctx, schema, schemaHash));
        SchemaDiffReport report = new SchemaDiffReport(d, strict, manifestOption(d), manifestName());
        if (ctx.json()) {
            Output.json(ctx.out, report.json());
        } else {
            report.print(ctx.out);
        }
        return report.problems() > 0 ? TenantCtl.EXIT_PROBLEMS : 0;
    }

    /** The manifest as a migrate-all is given it: its recorded hash, its file, or nothing (the built-in one). */
    private String manifestOption(SchemaInspect.OrgDiff d) {
        return schemaHash != null ? " --schema-hash " + d.manifestHash() : Summary.schemaOption(schema);
    }

    /** The manifest as a person names it: its file, or the built-in one. */
    private String manifestName() {
        return schemaHash != null ? "manifest " + schemaHash : schema == null ? "the built-in manifest" : String.valueOf(schema.getFileName());
    }
}
