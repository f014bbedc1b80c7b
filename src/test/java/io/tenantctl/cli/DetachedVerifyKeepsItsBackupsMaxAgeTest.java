package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README (Runs): options a detached run does not keep "typed with --detach, which records no worker, … are refused (exit
 * 2) rather than dropped"; (verify) "workers that join a detached verify check orgs … and verify --resume RUN — once they
 * are done — adds the fleet checks, records the findings and prints them", the checks including "each active org's
 * newest complete backup within its tier's frequency (or --backups-max-age)".
 *
 * {@code verify --detach --backups-max-age 1h} was accepted (exit 0) and the limit recorded nowhere: the run's
 * {@code --resume}, which makes the backup check, judges by the tier's 168 h and reports the fleet clean (exit 0) although
 * the org's newest backup is 3 h old, past the hour the operator asked for — the same verify run without --detach
 * reports it (exit 4). The run now records it, as README's verify section says.
 */
@Timeout(120)
class DetachedVerifyKeepsItsBackupsMaxAgeTest {

    @TempDir
    Path dir;

    @Test
    void aDetachedVerifysBackupsMaxAgeIsHonouredByItsResume() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            sql(f.catalogUrl, "update backups set started_at = started_at - interval '3 hours', finished_at = finished_at - interval '3 hours', "
                    + "recorded_at = recorded_at - interval '3 hours'");

            // not detached, the limit counts: acme's backup is 3 h old, past 1 h
            Cli.Result direct = f.cli.run("verify", "--backups-max-age", "1h", "-o", "json");
            assertThat(direct.exitCode()).as(direct.toString()).isEqualTo(4);
            assertThat(kinds(strictJson(direct))).contains("backup_stale");

            // the run records the limit (README, verify): its --resume judges by it
            Cli.Result detached = f.cli.run("verify", "--detach", "--backups-max-age", "1h", "-o", "json");
            assertThat(detached.exitCode()).as(detached.toString()).isZero();
            String runId = strictJson(detached).get("run_id").asText();
            ok(f.newCli(), "verify", "--join", runId);

            Cli.Result resumed = f.newCli().run("verify", "--resume", runId, "-o", "json");
            assertThat(resumed.exitCode()).as("the run was asked to judge backups by --backups-max-age 1h; acme's is 3 h old: "
                    + resumed).isEqualTo(4);
            assertThat(kinds(strictJson(resumed))).contains("backup_stale");
            assertThat(resumed.err()).as("its --resume made the fleet checks: not a run that redid nothing")
                    .doesNotContain("nothing was redone");
        }
    }

    private static List<String> kinds(JsonNode verify) {
        List<String> out = new ArrayList<>();
        verify.get("findings").forEach(x -> out.add(x.get("kind").asText()));
        return out;
    }
}
