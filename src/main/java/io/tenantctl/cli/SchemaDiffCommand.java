package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "diff", description = "Compare one org's live collections and indexes with the manifest. Reads only.")
final class SchemaDiffCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG")
    String orgId;

    @Option(names = "--schema", paramLabel = "FILE")
    Path schema;

    SchemaDiffCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        SchemaInspect.OrgDiff d = new SchemaInspect(ctx.ops()).diff(orgId, SchemaManifest.loadOrDefault(schema));
        SchemaDiff diff = d.diff();
        if (ctx.json()) {
            Output.json(ctx.out, Map.of(
                    "org_id", d.orgId(), "pool_id", d.poolId(), "database_name", d.databaseName(),
                    "recorded_hash", String.valueOf(d.recordedHash()), "manifest_hash", d.manifestHash(),
                    "up_to_date", diff.upToDate(),
                    "missing_collections", diff.missingCollections(),
                    "missing_indexes", diff.missingIndexes().entrySet().stream().flatMap(e -> e.getValue().stream()
                            .map(i -> e.getKey() + "." + i.name())).toList(),
                    "conflicts", diff.conflicts().stream().map(SchemaDiff.Conflict::describe).toList(),
                    "extras", diff.extras().stream().map(x -> x.collection() + "." + x.index().name()).toList()));
            return 0;
        }
        ctx.out.println("org " + d.orgId() + " on " + d.poolId() + " (" + d.databaseName() + ")");
        ctx.out.println("recorded schema hash " + d.recordedHash() + "; manifest hash " + d.manifestHash());
        diff.missingCollections().forEach(c -> ctx.out.println("  missing collection " + c));
        diff.missingIndexes().forEach((c, list) -> list.forEach(i -> ctx.out.println("  missing index " + c + "." + i.name() + " " + i.describe())));
        diff.conflicts().forEach(c -> ctx.out.println("  conflict " + c.describe()));
        diff.extras().forEach(x -> ctx.out.println("  extra index " + x.collection() + "." + x.index().name() + " " + describe(x.index())));
        ctx.out.println(diff.upToDate() ? "up to date" : diff.missingCollections().size() + " collections and " + diff.missingIndexCount()
                + " indexes missing, " + diff.conflicts().size() + " conflicts");
        return 0;
    }

    private static String describe(IndexSpec i) {
        return i.describe();
    }
}
