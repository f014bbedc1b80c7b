package io.tenantctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaDiff;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "diff", description = {"Compare one org's live collections and indexes with the manifest. Reads only.",
        "Exit 4 when anything is missing, conflicting or superseded-but-present (and, with --strict, for extra indexes and collections)."})
final class SchemaDiffCommand implements Callable<Integer> {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

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
        SchemaDiff diff = d.diff();
        List<SchemaDiff.Difference> differences = diff.differences();
        int problems = diff.problems(strict);
        if (ctx.json()) {
            Output.json(ctx.out, json(d, differences, problems));
        } else {
            render(d, differences, problems);
        }
        return problems > 0 ? TenantCtl.EXIT_PROBLEMS : 0;
    }

    private Map<String, Object> json(SchemaInspect.OrgDiff d, List<SchemaDiff.Difference> differences, int problems) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("org_id", d.orgId());
        doc.put("pool_id", d.poolId());
        doc.put("database_name", d.databaseName());
        doc.put("database_exists", d.databaseExists());
        doc.put("recorded_hash", d.recordedHash());
        doc.put("manifest_hash", d.manifestHash());
        doc.put("up_to_date", d.diff().upToDate());
        doc.put("strict", strict);
        doc.put("problems", problems);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (SchemaDiff.Kind k : SchemaDiff.Kind.values()) {
            counts.put(k.label(), count(differences, k));
        }
        doc.put("counts", counts);
        List<Map<String, Object>> list = new ArrayList<>();
        for (SchemaDiff.Difference x : differences) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("kind", x.kind().label());
            item.put("collection", x.collection());
            item.put("index", x.index());
            item.put("problem", x.kind().problem(strict));
            item.put("expected", spec(x.expected()));
            item.put("actual", spec(x.actual()));
            // an extra that refuses writes or deletes documents the manifest would not: not harmless (null for any other)
            item.put("effect", x.kind() == SchemaDiff.Kind.EXTRA ? new SchemaDiff.Extra(x.collection(), x.actual()).effect(manifestName()) : null);
            list.add(item);
        }
        doc.put("differences", list);
        return doc;
    }

    /** The index exactly as a manifest would write it, or null. */
    private static JsonNode spec(IndexSpec i) {
        try {
            return i == null ? null : Output.JSON.readTree(i.canonical().toJson(RELAXED));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render index " + i.name(), e);
        }
    }

    private void render(SchemaInspect.OrgDiff d, List<SchemaDiff.Difference> differences, int problems) {
        ctx.out.println("org " + d.orgId() + " on " + d.poolId() + " (" + d.databaseName() + ")");
        ctx.out.println("recorded schema hash " + d.recordedHash() + "; manifest hash " + d.manifestHash());
        if (!d.databaseExists()) { // not drift: a rollout or --fix would make an empty database where the org's data should be
            ctx.out.println("database " + d.databaseName() + " is not on pool " + d.poolId() + " at all: the org's data is not where the "
                    + "catalog says; 'tenantctl verify --org " + d.orgId() + "' says where a copy may be and how to bring it back");
        }
        if (differences.isEmpty()) {
            ctx.out.println("up to date: nothing missing, conflicting, superseded or extra");
            return;
        }
        Output.table(ctx.out, List.of("kind", "collection", "index", "manifest", "database"), differences.stream()
                .map(x -> Arrays.asList(x.kind().label(), x.collection(), x.index(), describe(x.expected()), describe(x.actual()))).toList());
        List<SchemaDiff.Extra> constraining = d.diff().constraining();
        int extras = count(differences, SchemaDiff.Kind.EXTRA) - constraining.size(); // the harmless ones
        int extraCollections = count(differences, SchemaDiff.Kind.EXTRA_COLLECTION);
        String found = String.join(", ", plural(count(differences, SchemaDiff.Kind.MISSING_COLLECTION), "missing collection"),
                plural(count(differences, SchemaDiff.Kind.MISSING), "missing index"),
                plural(count(differences, SchemaDiff.Kind.CONFLICT), "conflict"),
                plural(count(differences, SchemaDiff.Kind.SUPERSEDED), "superseded index") + " still present");
        if (problems == 0) {
            ctx.out.println("no problems: " + found);
            if (extras > 0) {
                ctx.out.println(plural(extras, "extra index") + " not in the manifest: harmless unless superseded (then list "
                        + (extras == 1 ? "it" : "them") + " under the collection's \"drop\"); --strict fails on extras");
            }
            if (extraCollections > 0) {
                ctx.out.println(plural(extraCollections, "extra collection") + " not in the manifest: harmless" + (constraining.stream()
                        .anyMatch(d.diff()::unlisted) ? " but for the indexes said below" : "") + " (tenantctl never drops a "
                        + "collection); --strict fails on " + (extraCollections == 1 ? "it" : "them"));
            }
        } else {
            ctx.out.println(plural(problems, "problem") + ": " + found + (strict && extras > 0 ? ", " + plural(extras, "extra index")
                    + " (--strict)" : ", " + plural(extras, "extra index") + " (harmless unless superseded)")
                    + (constraining.isEmpty() ? "" : ", " + plural(constraining.size(), "extra index") + " that refuse writes or delete documents")
                    + (extraCollections == 0 ? "" : ", " + plural(extraCollections, "extra collection") + (strict ? " (--strict)" : " (harmless)")));
            int conflicts = count(differences, SchemaDiff.Kind.CONFLICT);
            if (d.databaseExists() && !d.diff().upToDate()) { // --force: a recorded hash equal to the manifest's selects nothing without it
                ctx.out.println("to build what is missing" + unlessSkipped(d) + ": tenantctl migrate-all --org " + d.orgId() + manifestOption(d) + " --force"
                        + (conflicts > 0 ? " --replace-conflicting" : "") + " --dry-run   (then without --dry-run)");
            }
        }
        for (SchemaDiff.Extra x : constraining) { // left by a rollback, say: the application the manifest is for fails on it
            ctx.out.println("extra index " + x.collection() + "." + x.index().name() + " " + x.index().describe() + " is not harmless: "
                    + x.effect(manifestName()) + (d.diff().unlisted(x) ? "; its collection is not in the manifest, which no rollout touches: "
                    + "if its documents are to be kept, drop it on the pool: " + d.dropByHand(x)
                    : "; the way back" + unlessSkipped(d) + ": tenantctl migrate-all --org " + d.orgId() + manifestOption(d)
                    + " --force --prune --dry-run   (shows every index --prune would drop; then without --dry-run)"));
        }
    }

    /** A rollout skips an org that is not active (read_only, deleting, moving…): the advice says so rather than send one to a no-op. */
    private static String unlessSkipped(SchemaInspect.OrgDiff d) {
        return "active".equals(d.status()) ? "" : " (org " + d.orgId() + " is " + d.status() + ", which a rollout skips: once it is active again)";
    }

    /** The manifest as a migrate-all is given it: its recorded hash, its file, or nothing (the built-in one). */
    private String manifestOption(SchemaInspect.OrgDiff d) {
        return schemaHash != null ? " --schema-hash " + d.manifestHash() : Summary.schemaOption(schema);
    }

    /** The manifest as a person names it: its file, or the built-in one. */
    private String manifestName() {
        return schemaHash != null ? "manifest " + schemaHash : schema == null ? "the built-in manifest" : String.valueOf(schema.getFileName());
    }

    /** "1 missing index", "2 missing indexes", "0 conflicts". */
    private static String plural(int n, String noun) {
        return n + " " + (n == 1 ? noun : noun.endsWith("x") ? noun + "es" : noun + "s");
    }

    private static int count(List<SchemaDiff.Difference> differences, SchemaDiff.Kind kind) {
        return (int) differences.stream().filter(x -> x.kind() == kind).count();
    }

    private static String describe(IndexSpec i) {
        return i == null ? null : i.describe();
    }
}
