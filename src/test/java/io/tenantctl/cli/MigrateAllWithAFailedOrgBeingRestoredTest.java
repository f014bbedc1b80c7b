package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x3) of 5c871cd ("migrate-all does not wait for a restore of a suspended org"). {@code MigrateAll.frozenByItsHolder}
 * now waits for a {@code restoring} org only when the status the restore puts back ({@code previous_status}) is
 * {@code active}. But a restore of a {@code failed} org (a provision that failed, restore allows it) ends {@code active}
 * too: Restore.restore sets FAILED -> ACTIVE. migrate-all skips it ("migrate it once it is active again") with exit 0, and
 * a moment later it is active on the backup's (old) manifest — exactly what the README says never happens ("never left
 * on the old manifest with exit 0"). Before 5c871cd every restoring org was waited for.
 */
@Timeout(180)
class MigrateAllWithAFailedOrgBeingRestoredTest {

    @TempDir
    Path dir;

    @Test
    void aFailedOrgThatARestoreMakesActiveIsWaitedForNotSkipped() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 30);
            f.backup("acme");
            String oldHash = f.org("acme").get("schema_hash").asText();
            // acme's provision re-run failed (say); the operator brings it back from its backup, which makes it active
            sql(f, "update orgs set status = 'failed', version = version + 1, updated_at = now() where org_id = 'acme'");
            Path v2 = MigrateAllDuringAFrozenBackupTest.v2(f);
            String v2Hash = SchemaManifest.load(v2).hash();

            Cli.Result rollout = MigrateAllWithASuspendedOrgBeingRestoredTest.rolloutDuringARestoreOfAcme(f, v2);

            assertThat(f.org("acme").get("status").asText()).as("restoring a failed org makes it active").isEqualTo("active");
            assertThat(f.org("beta").get("schema_hash").asText()).isEqualTo(v2Hash);
            JsonNode doc = strictJson(rollout);
            boolean leftOnOldManifest = f.org("acme").get("schema_hash").asText().equals(oldHash);
            assertThat(leftOnOldManifest && rollout.exitCode() == 0)
                    .as("acme is active on the old manifest and the rollout said exit 0 (acme %s); README: frozen for a moment by "
                            + "its holder is waited for (refused after the busy timeout, exit 1), never left on the old manifest with exit 0",
                            doc.path("orgs"))
                    .isFalse();
        }
    }

    private static void sql(BackupFixture f, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
