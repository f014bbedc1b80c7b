package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a {@code restore --org acme --to-org clone} killed mid-copy leaves {@code clone} restoring. Once
 * nobody holds it, {@code verify} reports it {@code org_stuck} with the fix "tenantctl restore --org clone (re-run; a
 * dead restore is rolled back first)". Followed literally, that is not a re-run of the dead restore: clone has no
 * backups of its own, so it exits 2 "org clone has no complete backup" (after its sweep quietly deleted clone) and the
 * clone the operator asked for is never made. The fix of a restoring org made by a --to-org restore must name that
 * restore ({@code tenantctl restore --org acme --backup ID --to-org clone}, which takes it up again).
 */
class StuckToOrgRestoreHintTest {

    @Test
    void verifysFixForAToOrgRestoreThatDiedWorksWhenFollowedLiterally(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 20_000);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));

            killToOrgRestoreMidCopy(f, dir, backupId);
            assertThat(f.org("clone").get("status").asText()).as("left by the killed restore").isEqualTo("restoring");
            expireLeases(f.catalogUrl); // 60 s without the dead process's heartbeat

            Cli.Result v = f.cli.run("verify", "--stuck-after", "0s", "-o", "json");
            String fix = null;
            for (JsonNode x : strictJson(v).get("findings")) {
                if (x.get("kind").asText().equals("org_stuck") && x.toString().contains("clone")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as("verify reports clone stuck: %s", v).isNotNull();

            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(fix));

            assertThat(followed.exitCode()).as("verify's fix '%s', followed literally: %s", fix, followed).isZero();
            f.assertHolds("clone", backedUp);
            f.assertHolds("acme", backedUp);
        }
    }

    /** Starts {@code restore --org acme --backup ID --to-org clone} in a child JVM and kills it (SIGKILL) once it is copying. */
    private static void killToOrgRestoreMidCopy(BackupFixture f, Path dir, String backupId) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("TENANTCTL_CATALOG_URL", f.catalogUrl);
        env.put("TENANTCTL_STORE", dir.resolve("store").toUri().toString());
        env.put("USER", "crash-test");
        Process restore = ChildJvm.start(dir, env, Main.class.getName(), "restore", "--org", "acme", "--backup", backupId,
                "--to-org", "clone");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (f.database("pool-0", "org_clone").getCollection("notes").estimatedDocumentCount() < 1000) {
            assertThat(restore.isAlive()).as("the restore ended before it could be killed").isTrue();
            assertThat(Instant.now()).as("the restore never started copying").isBefore(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        restore.destroyForcibly(); // the node it ran on is lost
        assertThat(restore.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private static void expireLeases(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'")).isEqualTo(1);
        }
    }
}
