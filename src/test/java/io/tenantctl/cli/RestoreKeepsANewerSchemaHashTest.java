package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a restore records the backup's schema hash on the org (the database now has the backup's
 * collections and indexes), but through {@code schema_hash = coalesce(?, schema_hash)}: a backup taken while the org had
 * no recorded manifest (an org adopted with a schema no known manifest matched) leaves the org's <em>current</em> hash in
 * place. After adopt → backup → migrate-all M → restore, the catalog says M is applied while the restored database has
 * none of what M created (its unique index included); the next {@code migrate-all --schema M} selects nothing
 * ("unchanged") and only {@code verify} notices. The restored org must record what the backup recorded — no manifest —
 * so that the next rollout brings it forward without --force.
 */
class RestoreKeepsANewerSchemaHashTest {

    @TempDir
    Path dir;

    @Test
    void aBackupTakenWithNoRecordedManifestDoesNotLeaveTheNewerOneRecorded() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            // a legacy database: one collection, none of the indexes a known manifest has
            f.database("pool-0", "org_legacy").getCollection("users").insertOne(new Document("_id", 1).append("email", "a@x"));
            ok(f.cli, "orgs", "adopt", "legacy", "--pool", "pool-0", "--schema", f.schema.toString());
            assertThat(f.org("legacy").get("schema_hash").isNull()).as(f.org("legacy").toPrettyString()).isTrue();
            String id = f.backup("legacy");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("legacy"));
            ok(f.cli, "migrate-all", "--org", "legacy", "--schema", f.schema.toString());
            CliFixture.assertClean(f.catalogUrl, f.schema, List.of("legacy"));

            ok(f.cli, "restore", "--org", "legacy", "--backup", id);
            assertThat(BackupFixture.contents(f.db("legacy"))).isEqualTo(backedUp);

            // the operator's next rollout of the same manifest brings the restored database to it, without --force
            JsonNode mig = strictJson(ok(f.cli, "migrate-all", "--schema", f.schema.toString(), "-o", "json"));
            Cli.Result verify = f.cli.run("verify", "--org", "legacy");
            assertThat(verify.exitCode()).as("after restore + migrate-all (%s), verify: %s", mig.toPrettyString(), verify).isZero();
            CliFixture.assertClean(f.catalogUrl, f.schema, List.of("legacy"));
        }
    }
}
