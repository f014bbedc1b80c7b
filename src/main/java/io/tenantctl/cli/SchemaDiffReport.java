package io.tenantctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.NextStep;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaDiff;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code schema diff} shows one org's diff: the table and its advice, or the {@code -o json} document, both with the
 * same next steps ({@link SchemaInspect.OrgDiff#next}). {@code schemaOption}: the manifest as a migrate-all is given it;
 * {@code manifestName}: as a person names it.
 */
final class SchemaDiffReport {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final SchemaInspect.OrgDiff d;
    private final List<SchemaDiff.Difference> differences;
    private final boolean strict;
    private final int problems;
    private final String schemaOption;
    private final String manifestName;

    SchemaDiffReport(SchemaInspect.OrgDiff d, boolean strict, String schemaOption, String manifestName) {
        this.d = d;
        this.differences = d.diff().differences();
        this.strict = strict;
        this.problems = d.diff().problems(strict);
        this.schemaOption = schemaOption;
        this.manifestName = manifestName;
    }

    /** What decides exit 4: anything missing, conflicting or superseded, an extra that refuses writes or deletes documents (and any extra with --strict). */
    int problems() {
        return problems;
    }

    Map<String, Object> json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("org_id", d.orgId());
        doc.put("pool_id", d.poolId());
        doc.put("database_name", d.databaseName());
        doc.put("database_exists", d.databaseExists());
        doc.put("recorded_hash", d.recordedHash());
        doc.put("manifest_hash", d.manifestHash());
        doc.put("up_to_date", problems == 0); // as the exit code says: an extra that refuses writes (or any, --strict) is not up to date
        doc.put("strict", strict);
        doc.put("problems", problems);
        putNext(doc, d.next(schemaOption));
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (SchemaDiff.Kind k : SchemaDiff.Kind.values()) {
            counts.put(k.label(), count(k));
        }
        doc.put("counts", counts);
        List<Map<String, Object>> list = new ArrayList<>();
        for (SchemaDiff.Difference x : differences) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("kind", x.kind().label());
            item.put("collection", x.collection());
            item.put("index", x.index());
            item.put("problem", x.problem(strict));
            item.put("expected", spec(x.expected()));
            item.put("actual", spec(x.actual()));
            // an extra that refuses writes or deletes documents the manifest would not: not harmless (null for any other)
            SchemaDiff.Extra extra = x.kind() == SchemaDiff.Kind.EXTRA ? new SchemaDiff.Extra(x.collection(), x.actual()) : null;
            String effect = extra == null ? null : extra.effect(manifestName);
            item.put("effect", effect);
            putNext(item, effect == null ? null : d.unlessSkipped(d.wayBack(extra, schemaOption)));
            list.add(item);
        }
        doc.put("differences", list);
        return doc;
    }

    private static void putNext(Map<String, Object> m, NextStep next) {
        m.put("next_step", next == null ? null : next.command());
        m.put("next_note", next == null ? null : next.note());
    }

    /** The index exactly as a manifest would write it, or null. */
    private static JsonNode spec(IndexSpec i) {
        try {
            return i == null ? null : Output.JSON.readTree(i.canonical().toJson(RELAXED));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render index " + i.name(), e);
        }
    }

    void print(PrintWriter out) {
        out.println("org " + d.orgId() + " on " + d.poolId() + " (" + d.databaseName() + ")");
        out.println("recorded schema hash " + (d.recordedHash() != null ? d.recordedHash() : "none (no manifest is recorded as applied to it)")
                + "; manifest hash " + d.manifestHash());
        if (!d.databaseExists()) { // not drift: a rollout or --fix would make an empty database where the org's data should be
            out.println("database " + d.databaseName() + " is not on pool " + d.poolId() + " at all: the org's data is not where the "
                    + "catalog says; 'tenantctl verify --org " + d.orgId() + "' says where a copy may be and how to bring it back");
        }
        if (differences.isEmpty()) {
            out.println("up to date: nothing missing, conflicting, superseded or extra");
            return;
        }
        Output.table(out, List.of("kind", "collection", "index", "manifest", "database"), differences.stream()
                .map(x -> Arrays.asList(x.kind().label(), x.collection(), x.index(), describe(x.expected()), describe(x.actual()))).toList());
        List<SchemaDiff.Extra> constraining = d.diff().constraining();
        int extras = count(SchemaDiff.Kind.EXTRA) - constraining.size(); // the harmless ones
        int extraCollections = count(SchemaDiff.Kind.EXTRA_COLLECTION);
        String found = String.join(", ", plural(count(SchemaDiff.Kind.MISSING_COLLECTION), "missing collection"),
                plural(count(SchemaDiff.Kind.MISSING), "missing index"), plural(count(SchemaDiff.Kind.CONFLICT), "conflict"),
                plural(count(SchemaDiff.Kind.SUPERSEDED), "superseded index") + " still present");
        if (problems == 0) {
            out.println("no problems: " + found);
            if (extras > 0) {
                out.println(plural(extras, "extra index") + " not in the manifest: harmless unless superseded (then list "
                        + (extras == 1 ? "it" : "them") + " under the collection's \"drop\"); --strict fails on extras");
            }
            if (extraCollections > 0) {
                out.println(plural(extraCollections, "extra collection") + " not in the manifest: harmless (tenantctl never drops a "
                        + "collection); --strict fails on " + (extraCollections == 1 ? "it" : "them"));
            }
        } else {
            out.println(plural(problems, "problem") + ": " + found + (strict && extras > 0 ? ", " + plural(extras, "extra index")
                    + " (--strict)" : ", " + plural(extras, "extra index") + " (harmless unless superseded)")
                    + (constraining.isEmpty() ? "" : ", " + plural(constraining.size(), "extra index") + (constraining.size() == 1
                    ? " that refuses writes or deletes documents" : " that refuse writes or delete documents"))
                    + (extraCollections == 0 ? "" : ", " + plural(extraCollections, "extra collection") + (strict ? " (--strict)" : " (harmless)")));
            if (d.databaseExists() && !d.diff().upToDate()) {
                out.println("to build what is missing" + d.skipped() + ": " + d.rollout(schemaOption).text());
            }
        }
        for (SchemaDiff.Extra x : constraining) { // left by a rollback, say: the application the manifest is for fails on it
            NextStep back = d.wayBack(x, schemaOption);
            out.println("extra index " + x.collection() + "." + x.index().name() + " " + x.index().describe() + " is not harmless: "
                    + x.effect(manifestName) + (back.command() == null ? "; " + back.note() : "; the way back" + d.skipped() + ": " + back.text()));
        }
    }

    /** "1 missing index", "2 missing indexes", "0 conflicts". */
    private static String plural(int n, String noun) {
        return n + " " + (n == 1 ? noun : noun.endsWith("x") ? noun + "es" : noun + "s");
    }

    private int count(SchemaDiff.Kind kind) {
        return (int) differences.stream().filter(x -> x.kind() == kind).count();
    }

    private static String describe(IndexSpec i) {
        return i == null ? null : i.describe();
    }
}
