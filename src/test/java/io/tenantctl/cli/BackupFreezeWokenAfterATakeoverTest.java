package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper pausing workers with kill -STOP: a {@code backup --freeze} worker paused in its copy past its
 * lease; a takeover ({@code backup --resume RUN}) backed the org up and set it active again, the application wrote to
 * it; the woken worker finished its copy and recorded a second complete backup in the run, labelled frozen though the
 * org was writable during its copy. The pause is a latch, the leases expired by SQL; no sleeps.
 */
@Timeout(120)
class BackupFreezeWokenAfterATakeoverTest {

    @TempDir
    Path dir;

    @Test
    void aFreezeBackupThatLostItsOrgRecordsNoSecondCompleteBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--freeze", "--detach", "-o", "json")).get("run_id").asText();
            BackupFixture.StalledWorker stale = f.joinStalledAtCopy(runId, "acme");
            try {
                assertThat(stale.awaitReached()).as("the worker reached acme's copy").isTrue();
                assertThat(f.org("acme").get("status").asText()).as("frozen by the worker").isEqualTo("read_only");
                f.expireLeases();
                f.expireItemClaims();

                ok(f.cli, "backup", "--resume", runId, "-o", "json"); // the takeover backs acme up, and thaws it
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
                f.db("acme").getCollection("notes").insertOne(new Document("_id", "written after the takeover"));

                stale.wakeUp(); // kill -CONT
                Cli.Result woke = stale.result().get(60, TimeUnit.SECONDS);

                List<String[]> rows = new ArrayList<>();
                try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select status, coalesce(error, '') from backups where run_id = '" + runId
                             + "' order by started_at")) {
                    while (rs.next()) {
                        rows.add(new String[]{rs.getString(1), rs.getString(2)});
                    }
                }
                assertThat(rows.stream().filter(r -> r[0].equals("complete")).count()).as("one complete backup in the run (worker: %s)",
                        woke).isEqualTo(1);
                assertThat(rows).as(woke.toString()).anySatisfy(r -> assertThat(r[0] + " " + r[1]).startsWith("failed")
                        .contains("lost org acme").doesNotContain("no manifest was written"));
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            } finally {
                stale.wakeUp();
            }
        }
    }
}
