package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: an org whose every problem finding was acked kept the outcome {@code problems} although
 * verify exited 0 on it, so the summary counted it a problem and {@code verify --changed-only} checked it on every run.
 * Acked problems are silenced: the org is {@code clean} in -o json, the counts and for --changed-only, until its ack
 * runs out (then --changed-only checks it again).
 */
class VerifyOrgWithEveryProblemAckedIsCleanTest {

    @TempDir
    Path dir;

    @Test
    void anOrgWhoseProblemsAreAllAckedIsCleanAndSkippedByChangedOnly() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("acme");
            f.backup("globex");
            f.db("acme").getCollection("users").dropIndex("email_1");
            Cli.Result found = f.cli.run("verify", "-o", "json");
            assertThat(found.exitCode()).as(found.toString()).isEqualTo(4);
            String id = findings(strictJson(found), "schema_missing").get(0).get("finding_id").asText();
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "index rebuilt by the app tonight");

            JsonNode doc = strictJson(ok(f.cli, "verify", "-o", "json"));
            Map<String, String> outcomes = new java.util.TreeMap<>();
            doc.get("orgs").forEach(o -> outcomes.put(o.get("org_id").asText(), o.get("outcome").asText()));
            assertThat(outcomes).as(doc.toString()).containsEntry("acme", "clean").containsEntry("globex", "clean");
            assertThat(doc.get("counts").has("problems")).as(doc.toString()).isFalse();
            assertThat(ok(f.cli, "verify").out()).contains("verified 2 orgs: clean").contains("1 acked");

            JsonNode changedOnly = strictJson(ok(f.cli, "verify", "--changed-only", "-o", "json"));
            assertThat(changedOnly.get("skipped_unchanged").asInt()).as(changedOnly.toString()).isEqualTo(2);

            // the ack runs out: --changed-only looks at acme again and finds the problem
            sql(f.catalogUrl, "update findings set acked_until = now() - interval '1 second' where finding_id = '" + id + "'");
            Cli.Result expired = f.cli.run("verify", "--changed-only", "-o", "json");
            assertThat(expired.exitCode()).as(expired.toString()).isEqualTo(4);
            assertThat(strictJson(expired).get("orgs")).extracting(o -> o.get("org_id").asText()).containsExactly("acme");
        }
    }
}
