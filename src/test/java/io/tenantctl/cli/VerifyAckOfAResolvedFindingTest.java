package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code verify ack} of a finding already resolved said "acked until …", exit 0, and did
 * nothing — a finding that comes back after it was resolved starts anew, unacked, so verify exited 4 on it the next
 * time. The ack is refused, saying the finding was resolved; an open finding is acked as before.
 */
class VerifyAckOfAResolvedFindingTest {

    @TempDir
    Path dir;

    @Test
    void aResolvedFindingIsNotAckedAndAnOpenOneIs() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            String acme = f.staleFinding("acme");
            String globex = f.staleFinding("globex");
            f.backup("acme");
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).as("acme's finding resolved").isZero();

            Cli.Result resolved = f.cli.run("verify", "ack", acme, "--until", "1d", "--reason", "after it was resolved", "-o", "json");
            assertThat(resolved.exitCode()).as(resolved.toString()).isEqualTo(2);
            assertThat(resolved.err()).contains("finding " + acme).contains("was resolved").contains("nothing to ack");
            assertThat(f.cli.run("verify", "ack", acme, "--until", "1d", "--reason", "x", "--dry-run").exitCode()).isEqualTo(2);

            JsonNode acked = strictJson(ok(f.cli, "verify", "ack", globex, "--until", "1d", "--reason", "restored from elsewhere", "-o", "json"));
            assertThat(acked.toString()).contains("acked");
            assertThat(f.cli.run("verify", "--org", "globex").exitCode()).as("acked: not a problem that fails verify").isZero();
        }
    }
}
