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
 * Found by a probing helper: a move killed (kill -9) while frozen leaves its org read_only; {@code orgs resume ORG}
 * rolled the move back — the org writable again — and said "org acme is already active: nothing to do", its JSON
 * {@code status_before: active, changed: false}. It says what it did: the org was read_only, and the dead move was
 * rolled back.
 */
class ResumeOfAnOrgADeadMoveFrozeTest {

    @TempDir
    Path dir;

    @Test
    void resumeSaysTheDeadMoveWasRolledBackAndTheOrgWasReadOnly() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.frozenByADeadMove("acme");

            Cli.Result r = f.cli.run("orgs", "resume", "acme", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode resumed = strictJson(r);
            assertThat(resumed.get("status_before").asText()).as(r.toString()).isEqualTo("read_only");
            assertThat(resumed.get("changed").asBoolean()).isTrue();
            assertThat(r.err()).contains("m-1").contains("rolled back");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");

            Cli.Result again = ok(f.cli, "orgs", "resume", "acme");
            assertThat(again.out()).contains("already active: nothing to do");
        }
    }
}
