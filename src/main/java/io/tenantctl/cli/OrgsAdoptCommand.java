package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Adopt;
import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "adopt", description = {"Register databases that already exist on a pool (made by the app or by scripts) as orgs.",
        "Inspects each one, records which known manifest it matches (or none), and never creates or drops anything. "
        + "--discover lists the databases of a pool that no org owns, as lines ready for --file. With a store (--store or "
        + "TENANTCTL_STORE), a new org takes the tier and suspension its newest backup records."})
final class OrgsAdoptCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ORG", description = "The org id the database becomes.")
    String orgId;

    @ActsOn
    @Option(names = "--pool", required = true, paramLabel = "POOL", description = "The pool the database lives on.")
    String pool;

    @ActsOn
    @Option(names = "--database", paramLabel = "NAME", description = "The database's name, when it is not org_<id> ('-' as '_').")
    String database;

    @ActsOn
    @Option(names = "--file", paramLabel = "FILE", description = "Adopt many: one 'ORG [DATABASE]' a line; '#' starts a comment.")
    Path file;

    @Option(names = "--schema", paramLabel = "FILE", description = "The manifest to compare with, instead of the built-in LibreChat model.")
    Path schema;

    @Option(names = "--tier", paramLabel = "TIER", description = "Tier recorded on the adopted orgs (default: the tier the org's "
            + "newest backup in the store records, else free; a failed row taken over keeps its provision's tier unless this is given).")
    String tier;

    @ActsOn
    @Option(names = "--discover", description = "List the pool's databases that no org owns; adopt nothing.")
    boolean discover;

    @Option(names = "--wait", description = "If another operation holds an org whose failed row is taken over, wait for it instead of exiting 3.")
    boolean waitForOrg;

    @Mixin
    DryRunOption dryRun;

    OrgsAdoptCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (discover) {
            if (orgId != null || file != null) {
                throw TenantctlException.usage("--discover lists candidates; it takes no ORG or --file");
            }
            return discover();
        }
        List<Adopt.Candidate> candidates = new ArrayList<>();
        if (orgId != null) {
            candidates.add(new Adopt.Candidate(orgId, database));
        } else if (database != null) {
            throw TenantctlException.usage("--database names the database of one ORG: give the ORG too");
        }
        if (file != null) {
            candidates.addAll(readFile(file));
        }
        // with a store, each new org takes the tier and status its newest backup says
        Adopt.Result r = new Adopt(ctx.ops()).run(new Adopt.Request(candidates, pool, tier, SchemaManifest.loadOrDefault(schema),
                Summary.schemaOption(schema), dryRun.on, waitForOrg, ctx.cancel, ctx.resolveStoreUrl(), ctx.effectiveEnv()));
        render(r);
        return r.failed().isEmpty() ? 0 : 1;
    }

    private int discover() {
        List<Adopt.Discovered> found = new Adopt(ctx.ops()).discover(pool);
        if (ctx.json()) {
            Output.json(ctx.out, Output.ordered("pool_id", pool, "databases", found));
            return 0;
        }
        if (found.isEmpty()) {
            ctx.note("every database on pool " + pool + " belongs to an org in the catalog");
            return 0;
        }
        for (Adopt.Discovered d : found) {
            ctx.out.println(d.suggestedOrgId() != null ? d.suggestedOrgId() + " " + d.databaseName()
                    : d.copyOf() != null ? "# " + d.copyOf() + " " + d.databaseName() + "  (" + d.whyNoId() + ")"
                    : d.whyNoId() != null ? "# " + d.databaseName() + "  (" + d.whyNoId() + ": write 'NEW_ID " + d.databaseName() + "')"
                    : "# " + d.databaseName() + "  (not an org_<id> name: write 'ID " + d.databaseName() + "')");
        }
        ctx.note(io.tenantctl.Counted.of(found.size(), "database") + " with no org; save the lines above to a file and run "
                + "'tenantctl orgs adopt --pool " + pool + " --file FILE --dry-run'");
        return 0;
    }

    private void render(Adopt.Result r) {
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("pool_id", r.poolId());
            doc.put("dry_run", r.dryRun());
            doc.put("schema_hash", r.schemaHash());
            // a dry run adopts nothing: its orgs are planned, counted as backup's and provision's dry runs count theirs
            doc.put("adopted", r.orgs().stream().filter(o -> o.outcome().equals(Adopt.ADOPTED)).count());
            doc.put("planned", r.orgs().stream().filter(o -> o.outcome().equals(Adopt.PLANNED)).count());
            doc.put("failed", r.failed().size());
            doc.put("capacity_warning", r.capacityWarning());
            doc.put("orgs", r.orgs());
            Output.json(ctx.out, doc);
        } else {
            Output.table(ctx.out, List.of("org", "database", "outcome", "matches", "collections", "missing", "conflicts", "extras", "error"),
                    r.orgs().stream().map(o -> Arrays.asList(o.orgId(), o.databaseName(), o.outcome().json(),
                            o.matchedHash() == null ? "none" : OrgsCommand.shortHash(o.matchedHash()) + " (" + o.matchedSource() + ")",
                            String.valueOf(o.collections()), String.valueOf(o.missing()), String.valueOf(o.conflicts()),
                            String.valueOf(o.extras()), o.error())).toList());
            if (r.dryRun()) {
                ctx.out.println("dry run: nothing written");
            }
            for (Adopt.OrgResult o : r.orgs()) {
                if (o.fromBackup() != null) {
                    ctx.note(o.orgId() + ": " + o.fromBackup());
                }
                if (o.next() != null) {
                    ctx.note("next for " + o.orgId() + ": " + o.next().text());
                }
            }
        }
        if (r.capacityWarning() != null) {
            ctx.warn(r.capacityWarning());
        }
    }

    static List<Adopt.Candidate> readFile(Path file) {
        return Adopt.readList(ProvisionCommand.read(file, "adopt file"), "adopt file " + file);
    }
}
