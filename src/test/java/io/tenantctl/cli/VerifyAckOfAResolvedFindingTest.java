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

    /**
     * Found by a 3 a.m. audit: an id typed lowercase ({@code f-1f7a…}) or without its {@code F-} (the hex alone, as
     * copied from a narrow terminal) was "no finding f-1f7a…: see 'tenantctl verify'", which reads as if the finding were
     * gone. Both name the finding verify printed.
     */
    @Test
    void anIdTypedLowercaseOrWithoutItsPrefixNamesTheFinding() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String id = f.staleFinding("acme");

            io.tenantctl.testing.Cli.Result acked = f.cli.run("verify", "ack", id.toLowerCase(java.util.Locale.ROOT), "--until", "1d",
                    "--reason", "known", "-o", "json");
            assertThat(acked.exitCode()).as(acked.toString()).isZero();
            assertThat(CliFixture.strictJson(acked).get("finding_id").asText()).isEqualTo(id);

            io.tenantctl.testing.Cli.Result unacked = f.cli.run("verify", "unack", id.substring(2), "-o", "json");
            assertThat(unacked.exitCode()).as(unacked.toString()).isZero();
            assertThat(CliFixture.strictJson(unacked).get("was_acked").asBoolean()).as(unacked.toString()).isTrue();
        }
    }
}
