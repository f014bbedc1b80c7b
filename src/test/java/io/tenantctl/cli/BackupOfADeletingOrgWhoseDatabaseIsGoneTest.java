package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x2) of 757d642 ("backup --org takes a deleting org"). A deleting org whose database is already gone (dropped
 * by hand, or left behind by a credential rotation, which 635f312 allows) is now taken by {@code backup --org}; the copy
 * fails as it should, but its error says "'tenantctl restore --org acme' brings back its newest backup" — restore refuses
 * a deleting org (exit 2: its id is not reused) — and the run's next step for the org is "tenantctl backup --org acme",
 * which fails the same way for ever. The next steps a failure prints must work when typed as printed.
 */
@Timeout(120)
class BackupOfADeletingOrgWhoseDatabaseIsGoneTest {

    private static final Pattern QUOTED = Pattern.compile("'(tenantctl [^']+)'");

    @TempDir
    Path dir;

    @Test
    void theStepsABackupOfAGoneDeletingOrgPrintsWork() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");
            f.database("pool-0", "org_acme").drop();

            Cli.Result backup = f.cli.run("backup", "--org", "acme", "-o", "json");
            assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
            List<String> steps = new ArrayList<>();
            JsonNode report = strictJson(backup);
            for (JsonNode o : report.path("orgs")) {
                Matcher m = QUOTED.matcher(o.path("error").asText(""));
                while (m.find()) {
                    steps.add(m.group(1));
                }
            }
            for (JsonNode failed : report.path("failed")) {
                if (!failed.path("next_step").isNull() && !failed.path("next_step").isMissingNode()) {
                    steps.add(failed.path("next_step").asText());
                }
            }
            for (String step : steps) {
                // a placeholder the operator fills in (as NEW_ID in restore's own refusal): a fresh id
                Cli.Result r = f.cli.run(step.replace("NEW_ID", "acme-back").substring("tenantctl ".length()).split(" "));
                assertThat(r.exitCode()).as("'%s', printed by %s, typed as printed: %s", step, backup, r).isZero();
            }
        }
    }
}
