package io.tenantctl.ops;

import com.mongodb.MongoException;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.pool.FerretErrors;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.pool.PoolUri;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.Capture;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import org.bson.Document;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code schema} noun: what a manifest holds, how one org's live database differs from it, and the manifest a
 * reference database implies.
 */
public final class SchemaInspect {

    /** How messages name the database schema capture reads (a connection name with a space is never a pool id). */
    static final String REFERENCE = "reference database";

    public record CollectionSummary(String name, int indexes) {
    }

    public record Summary(String source, String hash, int collections, int indexes, List<CollectionSummary> items) {
    }

    /**
     * {@code databaseExists}: false when the pool has no database by the org's name (its diff then lists everything missing);
     * {@code poolUri}: the pool's, printed only redacted (see {@link #dropByHand}).
     */
    public record OrgDiff(String orgId, String poolId, String databaseName, String recordedHash, String manifestHash,
                          SchemaDiff diff, boolean databaseExists, String status, PoolUri poolUri) {

        /** The mongosh line, to paste, that drops {@code x} on the org's pool (as verify and migrate-all give it). */
        public String dropByHand(SchemaDiff.Extra x) {
            return poolUri.mongosh(SchemaDiff.dropByHand(databaseName, x));
        }

        /**
         * What to do next ({@code -o json}'s next_step and next_note): for a database not on its pool, the verify that says
         * where its data may be; for anything missing, conflicting or superseded, the rollout that builds it ({@link #rollout});
         * else null. {@code schemaOption}: the manifest as a migrate-all is given it (" --schema FILE", " --schema-hash H", "").
         */
        public NextStep next(String schemaOption) {
            return !databaseExists ? NextStep.run("tenantctl verify --org " + orgId, "says where a copy of the org's data may be and how "
                    + "to bring it back") : diff.upToDate() ? null : unlessSkipped(rollout(schemaOption));
        }

        /** The rollout that builds what is missing; --force: a recorded hash equal to the manifest's selects nothing without it. */
        public NextStep rollout(String schemaOption) {
            return NextStep.run("tenantctl migrate-all --org " + orgId + schemaOption + " --force" + (diff.conflicts().isEmpty() ? ""
                    : " --replace-conflicting") + " --dry-run", "then without --dry-run");
        }

        /**
         * The way back of an extra index that refuses writes or deletes documents (left by a rollback, say): the rollout
         * with --prune, or, on a collection the manifest does not list (which no rollout touches), its drop by hand.
         */
        public NextStep wayBack(SchemaDiff.Extra x, String schemaOption) {
            return diff.unlisted(x) ? NextStep.note("its collection is not in the manifest, which no rollout touches: if its documents "
                    + "are to be kept, drop it on the pool: " + dropByHand(x)) : NextStep.run("tenantctl migrate-all --org " + orgId
                    + schemaOption + " --force --prune --dry-run", "shows every index --prune would drop; then without --dry-run");
        }

        /** "" for an active org; else why a rollout's advice waits (a rollout skips an org that is read_only, deleting, moving…). */
        public String skipped() {
            return "active".equals(status) ? "" : " (org " + orgId + " is " + status + ", which a rollout skips: once it is active again)";
        }

        /** {@code step}, a rollout, as is for an active org; for one a rollout skips no command (pasted, it does nothing): a note. */
        public NextStep unlessSkipped(NextStep step) {
            return step == null || step.command() == null || skipped().isEmpty() ? step
                    : NextStep.note("org " + orgId + " is " + status + ", which a rollout skips: once it is active again, " + step.text());
        }
    }

    private final OpsContext ctx;

    public SchemaInspect(OpsContext ctx) {
        this.ctx = ctx;
    }

    public static Summary summarize(SchemaManifest m) {
        return new Summary(m.source(), m.hash(), m.collections().size(), m.indexCount(),
                m.collections().stream().map(c -> new CollectionSummary(c.name(), c.indexes().size())).toList());
    }

    /** The manifest the catalog recorded under {@code hash} (every run's), or a usage error saying where hashes are. */
    public SchemaManifest recorded(String given) {
        if (given.isBlank()) { // --schema-hash "$HASH" with the variable empty: not "the catalog records no manifest :"
            throw TenantctlException.usage("--schema-hash is empty: give a recorded manifest's hash (orgs show's schema hash, or runs "
                    + "show's), or leave --schema-hash out for the built-in LibreChat model");
        }
        // as lists show it: the first 12 characters (8 at least, and one manifest only), upper case too
        String hash = given.toLowerCase(java.util.Locale.ROOT);
        if (hash.length() < 8 && hash.matches("[0-9a-f]+")) { // not "records no manifest": it may, under a longer name
            throw TenantctlException.usage("--schema-hash " + given + " is too short: give at least 8 of its characters (orgs show and "
                    + "runs show print 12)");
        }
        if (hash.length() >= 8 && hash.length() < 64 && ctx.catalog().manifests().body(hash).isEmpty()) {
            java.util.List<String> matches = ctx.catalog().manifests().hashesStartingWith(hash, 3);
            if (matches.size() > 1) {
                throw TenantctlException.usage("--schema-hash " + given + " starts more than one recorded manifest (" + String.join(", ", matches)
                        + (matches.size() > 2 ? ", …" : "") + "): give more of it");
            }
            hash = matches.isEmpty() ? hash : matches.get(0);
        }
        String full = hash;
        return ctx.catalog().manifests().body(full).map(b -> SchemaManifest.parse(b, "catalog manifest " + full))
                .orElseThrow(() -> TenantctlException.usage("the catalog records no manifest " + given + ": 'tenantctl runs show RUN' "
                        + "names the one a run applies"));
    }

    /** Reads the org's collections and indexes from its pool and diffs them against {@code manifest}. */
    public OrgDiff diff(String orgId, SchemaManifest manifest) {
        Org org = ctx.catalog().orgs().get(orgId);
        if (org.status().equals(Org.DELETED)) { // its database was dropped: every collection "missing" would read as drift
            throw TenantctlException.usage("org " + orgId + " is deleted: purge dropped its database, so there is no schema to compare "
                    + "(see 'tenantctl orgs show " + orgId + "')");
        }
        Pool pool = ctx.catalog().pools().get(org.poolId());
        MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
        Retry.Attempts attempts = new Retry.Attempts();
        try { // a silent pool costs one connect timeout, not every retry of every read below
            PoolHealth.ping(ctx, pool);
        } catch (RuntimeException e) {
            io.tenantctl.OutOfDescriptorsException.throwIfOurs(e); // this process's want of a socket, not a silent pool
            throw FerretErrors.notAnswering(e) ? silent(orgId, pool, e) : e; // else already one line: credentials refused, a variable unset
        }
        SchemaDiff diff;
        boolean exists;
        try {
            // asked first: the org's data gone is not drift (and listCollections makes a missing database on the stand-in pools)
            exists = databaseExists(pool, org.databaseName(), attempts);
            Set<String> existing = exists ? SchemaApply.collections(db, ctx.retry(), attempts) : Set.of();
            List<String> names = new ArrayList<>(manifest.collections().stream().map(CollectionSpec::name).toList());
            names.addAll(SchemaDiff.unlistedCollections(manifest, existing)); // a TTL index there deletes
            diff = SchemaDiff.compute(manifest, existing, SchemaApply.indexes(db, existing, names, ctx.retry(), attempts));
        } catch (SchemaApply.StepFailure e) {
            if (FerretErrors.notAnswering(e) && !Retry.cutShort(e)) { // it answered the ping, then stopped
                throw silent(orgId, pool, e);
            }
            throw TenantctlException.config("cannot read org " + orgId + "'s schema on pool " + pool.poolId() + " ("
                    + PoolUri.stored(pool.uri()).redacted() + "): " + e.getMessage()
                    + " — check the pool with 'tenantctl pools stats " + pool.poolId() + "' (it pings it)", e);
        }
        return new OrgDiff(orgId, pool.poolId(), org.databaseName(), org.schemaHash(), manifest.hash(), diff, exists, org.status().db(),
                PoolUri.stored(pool.uri()));
    }

    /** A pool that does not answer, said as every single-org command says it (exit 3): "pool P does not answer: … — see 'tenantctl pools stats P'". */
    private static TenantctlException silent(String orgId, Pool pool, RuntimeException e) {
        return TenantctlException.config("cannot read org " + orgId + "'s schema: pool " + pool.poolId() + " does not answer: "
                + PoolHealth.why(e) + " — see 'tenantctl pools stats " + pool.poolId() + "'; once it answers, run the diff again", e);
    }

    /** Whether {@code pool} lists {@code name}; true when its user may not list databases (code 13): its collections then say. */
    private boolean databaseExists(Pool pool, String name, Retry.Attempts attempts) {
        try {
            return SchemaApply.databaseNames(ctx.pools().database(pool.poolId(), pool.uri(), "admin"), ctx.retry(), attempts).contains(name);
        } catch (SchemaApply.StepFailure e) {
            if (e.getCause() instanceof com.mongodb.MongoCommandException c && c.getErrorCode() == 13) {
                return true;
            }
            throw e;
        }
    }

    /**
     * Reads a reference database (one the application has built its indexes in) and returns its manifest: every
     * collection but {@code system.*}, every index but {@code _id_}. Needs no catalog. {@code uri} is checked like a
     * pool's (inline secrets refused unless {@code allowInlinePassword}; it is used once, never stored); its
     * {@code ${ENV}} placeholders are resolved by {@code pools}.
     */
    public static SchemaManifest capture(PoolConnector pools, Retry retry, String uri, boolean allowInlinePassword, String database) {
        uri = PoolUri.parseOneOff(uri, allowInlinePassword).raw();
        if (!io.tenantctl.catalog.OrgId.isDatabaseName(database)) {
            throw TenantctlException.usage("--database '" + database + "' is not a database name (1 to 63 bytes, none of /\\. \"$*<>:|?)");
        }
        pools.ping(REFERENCE, uri);
        MongoDatabase db = pools.database(REFERENCE, uri, database);
        Retry.Attempts attempts = new Retry.Attempts();
        String step = "listCollections";
        try {
            // asked first: listing the collections of a database that does not exist makes it on the stand-in pools
            // (WireConformanceTest pins it), which then showed up in 'orgs adopt --discover'
            boolean exists = SchemaApply.databaseNames(pools.database(REFERENCE, uri, "admin"), retry, attempts).contains(database);
            List<Document> collections = !exists ? List.of() : retry.call(attempts, () -> db.listCollections().into(new ArrayList<>()));
            Map<String, List<Document>> indexes = new LinkedHashMap<>();
            for (Document info : collections) {
                String name = info.getString("name");
                if (!name.startsWith("system.") && (info.get("type") == null || "collection".equals(info.get("type")))) {
                    step = "listIndexes on " + name;
                    indexes.put(name, retry.call(attempts, () -> db.getCollection(name).listIndexes().into(new ArrayList<>())));
                }
            }
            return Capture.manifest(REFERENCE + " '" + database + "'", "captured from database " + database, collections, indexes);
        } catch (MongoException e) {
            throw TenantctlException.config(REFERENCE + " '" + database + "': " + step + " failed: " + FerretErrors.describe(e), e);
        } catch (SchemaApply.StepFailure e) { // listDatabases, asked as everywhere else: "listDatabases: why"
            throw TenantctlException.config(REFERENCE + " '" + database + "': " + e.getMessage(), e);
        }
    }
}
