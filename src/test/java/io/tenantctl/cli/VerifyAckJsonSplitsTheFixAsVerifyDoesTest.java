package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probe: {@code verify ack F-… -o json} had only the catalog's row, the fix's text, so its {@code fix} (the command
 * that runs as pasted) was null and the whole line was its {@code fix_note}, while {@code verify -o json} gave the same
 * finding its command in {@code fix} and the rest in {@code fix_note}. A script that runs a finding's {@code fix} got
 * nothing from the ack. The ack (and its dry run) splits the fix as verify did.
 */
class VerifyAckJsonSplitsTheFixAsVerifyDoesTest {

    @TempDir
    Path dir;

    @Test
    void theAckGivesTheFindingsFixAndFixNoteAsVerifyGaveThem() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String id = f.staleFinding("acme");
            JsonNode seen = null;
            for (JsonNode x : strictJson(f.cli.run("verify", "--org", "acme", "-o", "json")).get("findings")) {
                if (x.get("finding_id").asText().equals(id)) {
                    seen = x;
                }
            }
            assertThat(seen).isNotNull();
            assertThat(seen.get("fix").isTextual()).as("verify gives a command to run: %s", seen).isTrue();

            JsonNode dry = strictJson(ok(f.cli, "verify", "ack", id, "--until", "1d", "--reason", "r", "--dry-run", "-o", "json"));
            JsonNode acked = strictJson(ok(f.cli, "verify", "ack", id, "--until", "1d", "--reason", "r", "-o", "json"));
            for (JsonNode ack : new JsonNode[]{dry, acked}) {
                assertThat(ack.get("fix")).as("the command, as verify gave it: %s", ack).isEqualTo(seen.get("fix"));
                assertThat(ack.get("fix_note")).as("the rest, as verify gave it: %s", ack).isEqualTo(seen.get("fix_note"));
            }
        }
    }
}
