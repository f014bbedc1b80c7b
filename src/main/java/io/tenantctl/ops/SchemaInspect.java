package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.pool.PoolUri;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;

import java.util.List;
import java.util.Set;

/** The {@code schema} noun: what a manifest holds, and how one org's live database differs from it. */
public final class SchemaInspect {

    public record CollectionSummary(String name, int indexes) {
    }

    public record Summary(String source, String hash, int collections, int indexes, List<CollectionSummary> items) {
    }

    public record OrgDiff(String orgId, String poolId, String databaseName, String recordedHash, String manifestHash,
                          SchemaDiff diff) {
    }

    private final OpsContext ctx;

    public SchemaInspect(OpsContext ctx) {
        this.ctx = ctx;
    }

    public static Summary summarize(SchemaManifest m) {
        return new Summary(m.source(), m.hash(), m.collections().size(), m.indexCount(),
                m.collections().stream().map(c -> new CollectionSummary(c.name(), c.indexes().size())).toList());
    }

    /** Reads the org's collections and indexes from its pool and diffs them against {@code manifest}. */
    public OrgDiff diff(String orgId, SchemaManifest manifest) {
        Org org = ctx.catalog().orgs().get(orgId);
        Pool pool = ctx.catalog().pools().get(org.poolId());
        MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
        Retry.Attempts attempts = new Retry.Attempts();
        SchemaDiff diff;
        try {
            Set<String> existing = SchemaApply.collections(db, ctx.retry(), attempts);
            List<String> names = manifest.collections().stream().map(CollectionSpec::name).toList();
            diff = SchemaDiff.compute(manifest, existing, SchemaApply.indexes(db, existing, names, ctx.retry(), attempts));
        } catch (SchemaApply.StepFailure e) {
            throw TenantctlException.config("cannot read org " + orgId + "'s schema on pool " + pool.poolId() + " ("
                    + PoolUri.stored(pool.uri()).redacted() + "): " + e.getMessage()
                    + " — check the pool with 'tenantctl pools show " + pool.poolId() + "'", e);
        }
        return new OrgDiff(orgId, pool.poolId(), org.databaseName(), org.schemaHash(), manifest.hash(), diff);
    }
}
