package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.BackupManifest;
import io.tenantctl.backup.CollectionEntry;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.store.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "show", description = {"One backup: its catalog record and, when complete, its manifest (collections, counts, sha256).",
        "Checks the manifest is the one recorded and each collection's file is in the store at its size (marked when not); "
        + "exits 4 when the backup is not restorable."})
final class BackupsShowCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "BACKUP_ID", description = "The backup (see 'tenantctl backups list').")
    String backupId;

    @ActsOn
    @Option(names = "--org", paramLabel = "ORG", description = "The org, for a backup the catalog does not know.")
    String org;

    BackupsShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        // its listing of the org (before anything is printed) is the check, as Stores.open's probe would be
        try (ObjectStore store = OpsContext.openStoreToList(ctx.resolveStoreUrl(), ctx.effectiveEnv())) {
            Backups.Detail d = new Backups(ctx.ops(), store, Stores.onLine(ctx)).show(backupId, org, Clock.systemUTC());
            Backups.Entry e = d.backup();
            if (ctx.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("backup", e);
                JsonNode manifest = d.manifest() == null ? null : Output.JSON.readTree(d.manifest().toJson());
                if (manifest != null && manifest.get("collections") instanceof com.fasterxml.jackson.databind.node.ArrayNode cs) {
                    cs.forEach(c -> ((com.fasterxml.jackson.databind.node.ObjectNode) c).put("problem",
                            d.fileProblems().get(c.path("name").asText())));
                }
                doc.put("manifest", manifest);
                doc.put("manifest_error", d.manifestError());
                doc.put("next_step", d.next() == null ? null : d.next().command()); // one command, or null; the rest in next_note
                doc.put("next_note", d.next() == null ? null : d.next().note());
                Output.json(ctx.out, doc);
                return exit(d);
            }
            List<String[]> fields = new java.util.ArrayList<>(List.of(new String[]{"backup", e.backupId()}, new String[]{"org", e.orgId()},
                    new String[]{"status", e.status()}, new String[]{"started", String.valueOf(e.startedAt())},
                    new String[]{"finished", e.finishedAt() == null ? null : e.finishedAt().toString()},
                    new String[]{"location", e.location()}, new String[]{"manifest sha256", e.sha256()},
                    new String[]{"note", e.error()},
                    new String[]{"manifest", d.manifestError() == null ? null : (d.manifest() == null && e.status().equals(Backups.COMPLETE) ? "does not read back: " : "not restorable: ") + d.manifestError()}));
            if (d.next() != null) { // what takes it off the list for good, as prune's reason says
                fields.add(new String[]{"next", d.next().text()});
            }
            Output.fields(ctx.out, fields);
            if (d.manifest() != null) {
                ctx.out.println("source " + d.manifest().sourcePool() + "/" + d.manifest().sourceDatabase() + ", schema "
                        + d.manifest().schemaHash() + ", compression " + d.manifest().compression().id());
                BackupManifest.OrgState then = d.manifest().org();
                if (then != null) { // what the catalog said of the org: what one rebuilt or restored from a dump may not know
                    ctx.out.println("when taken: tier " + then.tier() + ", " + then.status() + (then.deleted() ? ", the final backup of a delete" : ""));
                }
                Output.table(ctx.out, List.of("collection", "docs", "bytes", "indexes", "sha256", "file"),
                        d.manifest().collections().stream().map((CollectionEntry c) -> Arrays.asList(c.name(), String.valueOf(c.docs()),
                                String.valueOf(c.bytes()), String.valueOf(c.indexes().size()), c.sha256(),
                                d.fileProblems().getOrDefault(c.name(), "ok"))).toList());
            }
            return exit(d);
        }
    }

    /** A backup this check found not restorable is a problem found, as verify's and schema diff's are: exit 4. */
    private static int exit(Backups.Detail d) {
        return d.damaged() ? TenantCtl.EXIT_PROBLEMS : 0;
    }
}
