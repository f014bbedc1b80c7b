package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/backup-due-cronjob.yaml and the systemd timer run {@code backup --due} every hour and promise (README, "Scheduled
 * backups"; the CronJob's header) that "an hourly run keeps every tier on time": enterprise every 4 h.
 *
 * But --due selects an org only when its newest backup started a full frequency before the run's own start
 * (BackupPolicyRepository.due: {@code least(started_at, recorded_at) > now - frequency}), and an org's backup always starts
 * some time after the run that took it began (pod start, JVM, the queue of orgs before it: minutes on a full pool). Four
 * runs later the org is therefore a little short of 4 h old, is not due, and waits for the fifth run: on the shipped
 * schedule an enterprise org is backed up every 5 h (growth 13 h, starter 25 h), and for most of that extra hour verify
 * reports it {@code backup_stale}, a problem (exit 4) that the schedule was meant to prevent.
 */
class BackupDueOnTheShippedScheduleTest {

    @TempDir
    Path dir;

    @Test
    void onTheHourlyScheduleDeployShipsAnEnterpriseOrgIsNeverPastItsFourHours() throws Exception {
        // the schedule that ships: the CronJob fires once an hour (a fixed minute, every hour), as does the systemd timer
        JsonNode cron = new YAMLMapper().readTree(Path.of("deploy/backup-due-cronjob.yaml").toFile());
        assertThat(cron.at("/spec/schedule").asText()).as("the CronJob's schedule").matches("\\d{1,2} \\* \\* \\* \\*");
        List<String> args = new ArrayList<>();
        cron.at("/spec/jobTemplate/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        assertThat(args).as("the CronJob's command").startsWith("backup", "--due");
        assertThat(Files.readString(Path.of("deploy/systemd/tenantctl-backup-due.timer"))).contains("OnCalendar=hourly");

        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("enterprise", "pool-0", "acme"); // tier enterprise: a backup every 4 h
            f.notes("acme", "a_notes", 10);
            CliFixture.ok(f.cli, "backup", "--org", "acme");
            // That backup was taken by the hourly run of four hours ago, which reached acme 2 minutes after it started
            // (other orgs queued before it). Now is the start of this hour's run, exactly 4 h after that one.
            age(f, "3 hours 58 minutes");

            Cli.Result hourly = f.cli.run(args.toArray(String[]::new));
            assertThat(hourly.exitCode()).as(hourly.toString()).isZero();
            strictJson(hourly);

            // the next hourly run is an hour away; 58 minutes pass (every backup acme has gets 58 minutes older)
            age(f, "58 minutes");
            JsonNode verify = strictJson(f.cli.run("verify", "-o", "json"));
            List<String> stale = new ArrayList<>();
            verify.get("findings").forEach(x -> {
                if (x.get("kind").asText().equals("backup_stale") && x.get("severity").asText().equals("problem")) {
                    stale.add(x.get("org_id").asText() + ": " + x.get("detail").asText());
                }
            });
            assertThat(stale).as("between two runs of the shipped hourly schedule, acme (enterprise, 4 h) must not be stale; the "
                    + "run at 3 h 58 min left it out (%s), so its next backup comes at 4 h 58 min", hourly.out()).isEmpty();
        }
    }

    /** Every backup of acme (and its run) made older by {@code interval}, as if that much time had passed. */
    private static void age(BackupFixture f, String interval) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.executeUpdate("update backups set started_at = started_at - interval '" + interval + "', recorded_at = recorded_at - interval '"
                    + interval + "', finished_at = finished_at - interval '" + interval + "' where org_id = 'acme'");
        }
    }
}
