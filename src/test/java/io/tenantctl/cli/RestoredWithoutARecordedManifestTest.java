package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing restores across schema versions: a backup taken of an org a rollout stopped part-way on records no
 * manifest, and neither does the org restored from it (to a new id: no rollout ever worked on it). restore and
 * {@code orgs show} named the migrate-all that brings it up to the last rollout, while verify's {@code no_schema_record}
 * said only {@code migrate-all --org X --schema MANIFEST}, a placeholder. verify now names the same catch-up, and
 * following it leaves the org on the rollout's manifest, {@code schema diff} clean, its documents as backed up.
 */
class RestoredWithoutARecordedManifestTest {

    @Test
    void verifyNamesTheCatchUpRestoreAndOrgsShowNameForAnOrgRestoredWithoutAManifest(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            MigrateAllFixture.provision(f.cli, v1, List.of("acme", "globex"));
            f.db("acme").getCollection("messages").insertMany(List.of(new Document("_id", 1).append("text", "a"),
                    new Document("_id", 2).append("text", "b")));
            Cli failing = f.cli.decoratePools(real -> MigrateAllFixture.stoppingOnAcme(real, () -> true));
            Cli.Result rollout = failing.run("migrate-all", "--schema", v2.toString(), "-o", "json");
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            String hash = strictJson(rollout).get("schema_hash").asText();
            assertThat(f.org("acme").get("schema_hash").isNull()).as("stopped part-way on acme").isTrue();

            ok(f.cli, "backup", "--org", "acme");
            Cli.Result restored = ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy");
            String catchUp = "tenantctl migrate-all --org acme-copy --schema-hash " + hash;
            assertThat(restored.err()).as(restored.toString()).contains("next for acme-copy: " + catchUp);
            assertThat(f.org("acme-copy").get("schema_hash").isNull()).isTrue();
            assertThat(f.org("acme-copy").get("next").asText()).startsWith(catchUp);

            Cli.Result verified = f.cli.run("verify", "--org", "acme-copy", "-o", "json");
            JsonNode record = finding(strictJson(verified), "acme-copy", "no_schema_record");
            assertThat(record).as(verified.toString()).isNotNull();
            assertThat(record.get("fix").asText()).as("the catch-up restore and orgs show name, not a placeholder").isEqualTo(catchUp);

            Cli.Result followed = ok(f.cli, record.get("fix").asText().substring("tenantctl ".length()).split(" "));
            assertThat(followed.out()).as(followed.toString()).contains("migrated 1");
            assertThat(f.org("acme-copy").get("schema_hash").asText()).isEqualTo(hash);
            ok(f.cli, "schema", "diff", "acme-copy", "--schema", v2.toString());
            assertThat(f.db("acme-copy").getCollection("messages").find().sort(new Document("_id", 1)).into(new ArrayList<>()))
                    .isEqualTo(f.db("acme").getCollection("messages").find().sort(new Document("_id", 1)).into(new ArrayList<>()));
            Cli.Result again = f.cli.run("verify", "--org", "acme-copy", "-o", "json");
            assertThat(finding(strictJson(again), "acme-copy", "no_schema_record")).as(again.toString()).isNull();
        }
    }

    private static JsonNode finding(JsonNode doc, String orgId, String kind) {
        for (JsonNode f : doc.get("findings")) {
            if (orgId.equals(f.path("org_id").asText(null)) && kind.equals(f.get("kind").asText())) {
                return f;
            }
        }
        return null;
    }
}
