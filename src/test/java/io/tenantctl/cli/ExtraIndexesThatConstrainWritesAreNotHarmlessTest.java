package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that after a deploy rollback (migrate-all --schema v2, then --schema v1) the unique index only v2
 * had stays, by design (pruning is opt-in), but schema diff called it "extra … harmless unless superseded", verify's
 * schema_extra "harmless; the application may make its own", and the rollback's dry run only counted it among the extras:
 * the old application's inserts then fail on it (E11000). An extra that refuses writes (unique) or deletes documents (TTL)
 * is not harmless: each place says what it does and names the way back, the prune's dry run.
 */
class ExtraIndexesThatConstrainWritesAreNotHarmlessTest {

    private static final String V2 = CliFixture.smallSchemaWithUniqueUsername(true);

    @TempDir
    Path dir;

    @Test
    void aRollbackSaysTheNewerManifestsUniqueIndexRefusesWritesAndNamesTheWayBack() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v1 = Files.writeString(dir.resolve("v1.json"), CliFixture.SMALL_SCHEMA);
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            ok(f.cli, "provision", "--schema", v1.toString(), "a1", "a2");
            ok(f.cli, "migrate-all", "--schema", v2.toString());
            String wayBack = "tenantctl migrate-all --schema " + v1 + " --force --prune --dry-run";

            Cli.Result dry = ok(f.cli, "migrate-all", "--schema", v1.toString(), "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("users.username_1 (unique", "refuses writes").contains(wayBack);
            Cli.Result rollback = ok(f.cli, "migrate-all", "--schema", v1.toString());
            assertThat(rollback.out()).as(rollback.toString()).contains("users.username_1 (unique", "refuses writes").contains(wayBack);

            // by hand: a plain extra (harmless) and a TTL one (deletes documents)
            f.db("a1").getCollection("users").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));
            f.db("a1").getCollection("users").createIndex(new Document("lastSeen", 1),
                    new IndexOptions().name("lastSeen_1").expireAfter(3600L, TimeUnit.SECONDS));
            // the application v1 is for fails on them: a problem (exit 4), --strict or not; the plain extra is not one
            Cli.Result diff = f.cli.run("schema", "diff", "a1", "--schema", v1.toString());
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
            String orgWayBack = "tenantctl migrate-all --org a1 --schema " + v1 + " --force --prune --dry-run";
            assertThat(diff.out()).as(diff.toString())
                    .contains("2 problems: ", "1 extra index (harmless unless superseded), 2 extra indexes that refuse writes or delete documents")
                    .containsPattern("username_1 .*refuses writes that v1.json allows.*" + java.util.regex.Pattern.quote(orgWayBack))
                    .containsPattern("lastSeen_1 .*deletes documents 3600 s after their lastSeen")
                    .doesNotContain("to build what is missing");
            Cli.Result diffJson = f.cli.run("schema", "diff", "a1", "--schema", v1.toString(), "-o", "json");
            assertThat(diffJson.exitCode()).as(diffJson.toString()).isEqualTo(4);
            JsonNode doc = strictJson(diffJson);
            assertThat(doc.get("problems").asInt()).as(doc.toPrettyString()).isEqualTo(2);
            // a script reading up_to_date is told what the exit code says: not fine (it said true beside exit 4)
            assertThat(doc.get("up_to_date").asBoolean()).as(doc.toPrettyString()).isFalse();
            assertThat(doc.get("next_step").isNull()).as("nothing for a rollout to build: the way back is on each extra").isTrue();
            Map<String, JsonNode> effects = new HashMap<>();
            Map<String, Boolean> problem = new HashMap<>();
            doc.get("differences").forEach(d -> {
                effects.put(d.get("index").asText(), d.get("effect"));
                problem.put(d.get("index").asText(), d.get("problem").asBoolean());
            });
            assertThat(effects.get("legacy_1").isNull()).isTrue();
            assertThat(effects.get("username_1").asText()).contains("refuses writes that v1.json allows");
            assertThat(problem).containsExactlyInAnyOrderEntriesOf(Map.of("legacy_1", false, "username_1", true, "lastSeen_1", true));

            // a2, backed up, verified clean since its last change by a verify that did not yet look for such an index (a tenantctl
            // before schema_extra_constraining, whose catalog recorded no version of verify's checks): --changed-only skipped it,
            // exit 0, though it was never checked for it. It is checked, and the problem found.
            f.backup("a2");
            CliFixture.sql(f.catalogUrl, "insert into org_verifications (org_id, verified_at, org_version) "
                    + "select org_id, now(), version from orgs where org_id = 'a2'");
            Cli.Result verify = f.cli.run("verify", "--org", "a2", "--changed-only", "-o", "json");
            assertThat(verify.exitCode()).as("a problem, as schema diff says: %s", verify).isEqualTo(4);
            assertThat(strictJson(verify).get("skipped_unchanged").asInt()).as(verify.toString()).isZero();
            assertThat(findings(strictJson(verify), "schema_extra")).as("no plain extra on a2").isEmpty();
            List<JsonNode> extra = findings(strictJson(verify), "schema_extra_constraining");
            assertThat(extra).as(verify.toString()).hasSize(1);
            assertThat(extra.get(0).get("severity").asText()).isEqualTo("problem");
            assertThat(extra.get(0).get("detail").asText()).as(extra.get(0).toString()).doesNotContain("harmless;")
                    .contains("users.username_1 (unique: refuses writes that its manifest allows)");
            assertThat(extra.get(0).get("fix").asText()).as(extra.get(0).toString())
                    .isEqualTo("tenantctl migrate-all --org a2 --schema " + v1 + " --force --prune --dry-run");
        }
    }
}
