package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: an org of a detached backup run is deleted ({@code orgs delete}, which takes its own final
 * backup) before the run's workers reach it. The worker that then claims it fails it ("org became deleting before it was
 * backed up") and prints, as every failed backup org's next step, {@code tenantctl backup --org ORG}. Followed literally
 * that command fails again, the same way, forever: a deleting org is never backed up. The next step must work (or there
 * must be none: the org has its final backup and is meant to be gone).
 */
class BackupRunOfADeletedOrgHintTest {

    @TempDir
    Path dir;

    @Test
    void theNextStepPrintedForAnOrgDeletedDuringTheRunWorksWhenFollowedLiterally() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("alpha", "bravo");
            f.notes("alpha", "notes", 10);
            f.notes("bravo", "notes", 10);
            String runId = strictJson(ok(f.cli, "backup", "--org", "alpha,bravo", "--detach", "-o", "json")).get("run_id").asText();

            // before any worker starts, the customer bravo leaves: deleted with its final backup
            JsonNode deleted = strictJson(ok(f.cli, "orgs", "delete", "bravo", "-o", "json"));
            assertThat(f.org("bravo").get("status").asText()).as(deleted.toString()).isEqualTo("deleting");

            Cli.Result worker = f.cli.run("backup", "--join", runId, "-o", "json");
            JsonNode doc = strictJson(worker);
            // alpha is backed up; bravo, deleting now, may be backed up again (its database is kept until purged) or fail
            assertThat(doc.get("backed_up").asInt()).as(worker.toString()).isGreaterThanOrEqualTo(1);
            assertThat(worker.exitCode() == 0 || doc.get("failed").size() == 1).as(worker.toString()).isTrue();
            for (JsonNode failed : doc.get("failed")) {
                String next = failed.get("next_step").isNull() ? null : failed.get("next_step").asText();
                if (next == null) {
                    continue;
                }
                String[] argv = next.trim().split("\\s+");
                assertThat(argv[0]).isEqualTo("tenantctl");
                Cli.Result followed = f.cli.run(Arrays.copyOfRange(argv, 1, argv.length));
                assertThat(followed.exitCode()).as("next step for %s, '%s', followed literally: %s", failed.get("org_id").asText(), next,
                        followed).isZero();
            }
        }
    }
}
