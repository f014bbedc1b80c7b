package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

            RestoreCrashTest.killRestoreOnceCopying(f, dir, "org_clone", "--org", "acme", "--backup", backupId, "--to-org", "clone");
            assertThat(f.org("clone").get("status").asText()).as("left by the killed restore").isEqualTo("restoring");
            assertThat(f.expireLeases()).isEqualTo(1); // 60 s without the dead process's heartbeat

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
}
