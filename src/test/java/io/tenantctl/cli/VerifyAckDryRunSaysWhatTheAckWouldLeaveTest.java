package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper comparing each --dry-run with the real command: {@code verify ack … --dry-run -o json} had no
 * {@code dry_run} field and showed {@code "state": "known"} next to a filled-in {@code acked_until} — neither what is
 * (nothing acked) nor what the ack would leave. The dry run says {@code dry_run: true} and the state the real ack leaves
 * ({@code acked}); the real one says {@code dry_run: false}, and the dry run writes nothing.
 */
class VerifyAckDryRunSaysWhatTheAckWouldLeaveTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunSaysItIsOneAndTheStateTheAckWouldLeave() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String id = f.staleFinding("acme");

            JsonNode dry = strictJson(ok(f.cli, "verify", "ack", id, "--until", "1d", "--reason", "r", "--dry-run", "-o", "json"));
            assertThat(dry.path("dry_run").isBoolean() && dry.path("dry_run").asBoolean()).as(dry.toString()).isTrue();
            assertThat(dry.path("state").asText()).as(dry.toString()).isEqualTo("acked");
            assertThat(dry.path("acked_until").isTextual()).as("an instant, as before: %s", dry).isTrue();
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).as("the dry run acked nothing").isEqualTo(4);

            JsonNode real = strictJson(ok(f.cli, "verify", "ack", id, "--until", "1d", "--reason", "r", "-o", "json"));
            assertThat(real.path("dry_run").isBoolean() && !real.path("dry_run").asBoolean()).as(real.toString()).isTrue();
            assertThat(real.path("state").asText()).isEqualTo("acked");
        }
    }

    /**
     * Found probing clocks: a duration was added to this host's clock, and the ack ends by the catalog's. From a host three
     * hours behind the catalog, {@code --until 1h} acked a finding until two hours ago: nothing silenced, verify still exit 4
     * (and from one ahead, a problem silenced for longer than asked).
     */
    @Test
    void aDurationRunsFromTheCatalogsClock() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String id = f.staleFinding("acme");
            io.tenantctl.testing.TestCatalog.skewClock(f.catalogUrl, java.time.Duration.ofHours(3)); // this host: 3 h behind it

            JsonNode acked = strictJson(ok(f.cli, "verify", "ack", id, "--until", "1h", "--reason", "r", "-o", "json"));

            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).as("acked for the next hour: %s", acked).isZero();
            java.time.Instant until = java.time.Instant.parse(acked.path("acked_until").asText());
            assertThat(until).as("an hour on from the catalog's now: %s", acked)
                    .isAfter(java.time.Instant.now().plus(java.time.Duration.ofMinutes(3 * 60 + 55)));
        }
    }
}
