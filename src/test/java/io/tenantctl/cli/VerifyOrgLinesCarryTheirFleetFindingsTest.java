package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify -o json gave an org whose only problem is one the fleet checks find (backup_stale, about that org's backups)
 * "outcome": "problems" with "findings": [], the finding only in the top-level findings[]; runs show of the run called
 * the same org "clean", its detail's findings empty. A script reading orgs[].findings (or runs show's items) to see why
 * an org has problems saw nothing. Each finding that names an org is now in that org's line too, live and in runs show.
 */
class VerifyOrgLinesCarryTheirFleetFindingsTest {

    @Test
    void anOrgsLineNamesTheFleetFindingsAboutIt(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("globex"); // acme never backed up: its one problem is backup_stale, a fleet check's

            Cli.Result live = f.cli.run("verify", "-o", "json");
            assertThat(live.exitCode()).as(live.toString()).isEqualTo(4);
            JsonNode doc = strictJson(live);
            assertThat(CliFixture.findings(doc, "backup_stale")).as("the top-level list as before").singleElement()
                    .satisfies(x -> assertThat(x.get("org_id").asText()).isEqualTo("acme"));
            JsonNode acme = line(doc.get("orgs"), "acme");
            assertThat(acme.get("outcome").asText()).isEqualTo("problems");
            assertThat(kinds(acme.get("findings"))).as(live.toString()).containsExactly("backup_stale");
            assertThat(acme.get("findings").get(0).get("fix").asText()).startsWith("tenantctl backup --org acme");
            assertThat(acme.get("findings").get(0).get("detail").asText()).isEqualTo("org acme has no complete backup");
            assertThat(acme.get("findings").get(0).has("fleet")).as("what verify judges by is kept for the catalog, not shown").isFalse();
            JsonNode globex = line(doc.get("orgs"), "globex");
            assertThat(globex.get("outcome").asText()).isEqualTo("clean");
            assertThat(kinds(globex.get("findings"))).isEmpty();

            String runId = doc.get("run_id").asText();
            Cli.Result shown = f.cli.run("runs", "show", runId, "-o", "json");
            assertThat(shown.exitCode()).as(shown.toString()).isZero();
            JsonNode run = strictJson(shown);
            assertThat(run.get("counts").toString()).as("as the live verify counted them").isEqualTo("{\"clean\":1,\"problems\":1}");
            JsonNode item = line(run.get("items"), "acme");
            assertThat(item.get("outcome").asText()).as(shown.toString()).isEqualTo("problems");
            assertThat(kinds(item.get("detail").get("findings"))).containsExactly("backup_stale");

            // the run's fleet checks again (its --resume): the org's line names the finding once, not once per pass
            Cli.Result resumed = f.cli.run("verify", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(4);
            assertThat(kinds(line(strictJson(resumed).get("orgs"), "acme").get("findings"))).containsExactly("backup_stale");
            assertThat(CliFixture.findings(strictJson(resumed), "backup_stale")).hasSize(1);

            // acked, it no longer makes the org "problems" in runs show either (it is still listed, as in findings[])
            String id = CliFixture.findings(doc, "backup_stale").get(0).get("finding_id").asText();
            CliFixture.ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "backups start next week");
            Cli.Result acked = f.cli.run("verify", "-o", "json");
            assertThat(acked.exitCode()).as(acked.toString()).isZero();
            JsonNode ackedLine = line(strictJson(acked).get("orgs"), "acme");
            assertThat(ackedLine.get("outcome").asText()).isEqualTo("clean");
            assertThat(kinds(ackedLine.get("findings"))).containsExactly("backup_stale");
            JsonNode ackedRun = strictJson(CliFixture.ok(f.cli, "runs", "show", strictJson(acked).get("run_id").asText(), "-o", "json"));
            assertThat(line(ackedRun.get("items"), "acme").get("outcome").asText()).as(ackedRun.toString()).isEqualTo("clean");
        }
    }

    private static JsonNode line(JsonNode lines, String orgId) {
        for (JsonNode l : lines) {
            if (l.get("org_id").asText().equals(orgId)) {
                return l;
            }
        }
        throw new AssertionError("no line for " + orgId + " in " + lines);
    }

    private static List<String> kinds(JsonNode findings) {
        List<String> out = new ArrayList<>();
        findings.forEach(x -> out.add(x.get("kind").asText()));
        return out;
    }
}
