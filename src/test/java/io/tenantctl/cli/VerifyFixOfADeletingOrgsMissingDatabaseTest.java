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
 * Found by red-teaming: verify checks {@code deleting} orgs too. When a deleting org's database is gone from its pool (a
 * pool-side drop, the pool's PostgreSQL restored from an older snapshot), verify reports {@code missing_database} with the
 * fix {@code tenantctl restore --org ORG}, because a backup (the delete's final one) exists. Followed literally, that
 * restore is refused (exit 1, "org acme is deleting: restore works on active, read_only, failed or (re-run) restoring
 * orgs"), run after run, and verify exits 4 on it until the purge. The fix must be a command that works (the org is
 * deleted and its final backup holds its data: 'orgs purge' for it, or no problem at all).
 */
class VerifyFixOfADeletingOrgsMissingDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void theFixVerifyPrintsForADeletingOrgsLostDatabaseWorksWhenFollowed() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "keeper");
            f.notes("acme", "notes", 5);
            f.backup("keeper");
            ok(f.cli, "orgs", "delete", "acme");
            f.database("pool-0", "org_acme").drop(); // gone on the pool side while acme waits for its purge

            Cli.Result v = f.cli.run("verify", "-o", "json");
            // nothing is lost (the final backup holds it) and nothing is to be done before the purge: said, not a problem
            assertThat(v.exitCode()).as(v.toString()).isZero();
            assertThat(strictJson(v).get("findings").toString()).contains("is deleting and its database org_acme is already gone")
                    .contains("its final backup");
            for (JsonNode finding : strictJson(v).get("findings")) {
                if (!"acme".equals(finding.path("org_id").asText()) || !finding.path("severity").asText().equals("problem")) {
                    continue;
                }
                String command = finding.get("fix").asText(); // the command alone; its note is fix_note
                assertThat(command).as("fix of %s", finding).startsWith("tenantctl ");
                String[] argv = command.trim().split("\\s+");
                Cli.Result followed = f.cli.run(Arrays.copyOfRange(argv, 1, argv.length));
                assertThat(followed.exitCode()).as("verify's fix for %s '%s', followed literally: %s", finding.get("kind").asText(), command,
                        followed).isZero();
            }
        }
    }
}
