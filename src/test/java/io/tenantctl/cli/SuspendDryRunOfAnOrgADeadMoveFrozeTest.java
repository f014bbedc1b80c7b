package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper comparing each --dry-run with the real command: a move killed (kill -9) while frozen leaves
 * its org read_only. {@code orgs suspend ORG --dry-run} said "org acme is already read_only: nothing to do" (changed
 * false), while the real suspend rolls the dead move back (the org active again) and then suspends it (active →
 * read_only, changed true). The dry run says the dead move it would put right first and plans from the state the real
 * command finds; so does {@code orgs resume --dry-run} (read_only → active, changed, as the real resume reports).
 */
class SuspendDryRunOfAnOrgADeadMoveFrozeTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunsSayTheDeadMoveAndPlanFromWhatItLeaves() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.frozenByADeadMove("acme");

            Cli.Result dry = f.cli.run("orgs", "suspend", "acme", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            JsonNode planned = strictJson(dry);
            assertThat(planned.get("status_before").asText()).as(dry.toString()).isEqualTo("active");
            assertThat(planned.get("changed").asBoolean()).as(dry.toString()).isTrue();
            assertThat(dry.err()).as("the dead move it would put right first").contains("acme").contains("move").contains("rolled back");

            Cli.Result dryText = f.cli.run("orgs", "suspend", "acme", "--dry-run");
            assertThat(dryText.out()).as(dryText.toString()).doesNotContain("nothing to do");

            Cli.Result dryResume = f.cli.run("orgs", "resume", "acme", "--dry-run", "-o", "json");
            JsonNode resumePlan = strictJson(dryResume);
            assertThat(resumePlan.get("status_before").asText()).as(dryResume.toString()).isEqualTo("read_only");
            assertThat(resumePlan.get("changed").asBoolean()).as(dryResume.toString()).isTrue();
            assertThat(dryResume.err()).contains("rolled back");
            assertThat(f.org("acme").get("status").asText()).as("the dry runs changed nothing").isEqualTo("read_only");

            Cli.Result real = f.cli.run("orgs", "suspend", "acme", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            JsonNode suspended = strictJson(real);
            assertThat(suspended.get("status_before").asText()).as("the dry run said what the real one did: %s", real)
                    .isEqualTo(planned.get("status_before").asText());
            assertThat(suspended.get("changed").asBoolean()).isEqualTo(planned.get("changed").asBoolean());
        }
    }

    /**
     * The same for {@code orgs delete --dry-run}: it said "org acme (read_only) would get a final backup …" with
     * status_before read_only, and nothing of the dead move, while the real delete rolls the move back first and reports
     * "org acme is deleting (was active)" — the status a later 'orgs resume' gives the org back.
     */
    @Test
    void theDeleteDryRunSaysTheDeadMoveAndTheStatusTheDeleteRecords() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.frozenByADeadMove("acme");

            Cli.Result dry = f.cli.run("orgs", "delete", "acme", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            assertThat(strictJson(dry).get("status_before").asText()).as(dry.toString()).isEqualTo("active");
            assertThat(dry.err()).as("the dead move it would put right first").contains("acme").contains("move").contains("rolled back");
            assertThat(f.cli.run("orgs", "delete", "acme", "--dry-run").out()).contains("org acme (active) would get a final backup");
            assertThat(f.org("acme").get("status").asText()).as("the dry runs changed nothing").isEqualTo("read_only");

            Cli.Result real = f.cli.run("orgs", "delete", "acme", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            assertThat(strictJson(real).get("status_before").asText()).as("the dry run said what the real one did: %s", real).isEqualTo("active");
        }
    }
}
