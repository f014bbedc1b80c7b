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

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a restore whose process died leaves its org {@code restoring} (not writable) under an expired lease.
 * {@code orgs show} says "expired: the next operation on the org recovers it", and the README says the next mutating
 * command rolls it back. The operator's next operation on a not-writable org is {@code orgs resume}; it refuses on the
 * org's status before it ever takes (and so recovers) the lease, exit 2, with the hint "see 'tenantctl orgs show acme'" —
 * which sends them back to the line that told them to run an operation. The hints go round in a circle while the
 * tenant cannot write.
 */
class ResumeAfterDeadRestoreTest {

    @Test
    void orgsResumeOfAnOrgADeadRestoreLeftRestoringRecoversItAsOrgsShowPromises(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 20_000);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            Map<String, String> env = new HashMap<>();
            env.put("TENANTCTL_CATALOG_URL", f.catalogUrl);
            env.put("TENANTCTL_STORE", dir.resolve("store").toUri().toString());
            env.put("USER", "crash-test");
            Process restore = ChildJvm.start(dir, env, Main.class.getName(), "restore", "--org", "acme", "--backup", backupId);
            String fresh = "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (f.database("pool-0", fresh).getCollection("notes").estimatedDocumentCount() < 1000) {
                assertThat(restore.isAlive()).as("the restore ended before it could be killed").isTrue();
                assertThat(Instant.now()).as("the restore never started copying").isBefore(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            restore.destroyForcibly(); // the node it ran on is lost
            assertThat(restore.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'")).isEqualTo(1); // 60 s later
            }
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("expired: the next operation on the org recovers it");

            // the on-call engineer does what the tenant needs: make the org writable again
            Cli.Result resumed = f.cli.run("orgs", "resume", "acme");
            assertThat(resumed.exitCode()).as("orgs resume after orgs show said the next operation recovers it: %s", resumed).isZero();
            JsonNode org = f.org("acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(org.get("database_name").asText()).isEqualTo("org_acme");
            f.assertHolds("acme", before);
            assertThat(f.databaseNames("pool-0")).as("the dead restore's partial database").doesNotContain(fresh);
        }
    }
}
