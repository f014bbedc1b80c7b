package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x2) of 7075ba1 ("migrate-all waits only for orgs their holder froze … a suspended org a plain backup holds is
 * skipped as before, not failed as busy"). The sibling was missed: a restore of a <em>suspended</em> org. The org is
 * {@code restoring} while the restore copies, and {@code MigrateAll.frozenByItsHolder} takes every non-read_only frozen
 * org as frozen by its holder, so the deploy's rollout waits for the restore and, after --busy-timeout, fails the org and
 * exits 1 — for an org that goes back to read_only when the restore is done and is then skipped (README: read_only orgs
 * are skipped). The restore did not freeze it; the operator suspended it. Like the plain backup: skipped, exit 0.
 */
@Timeout(180)
class MigrateAllWithASuspendedOrgBeingRestoredTest {

    @TempDir
    Path dir;

    @Test
    void aSuspendedOrgIsSkippedEvenWhileARestoreRewritesIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 30);
            f.backup("acme");
            ok(f.cli, "orgs", "suspend", "acme");
            Path v2 = MigrateAllDuringAFrozenBackupTest.v2(f);
            String v2Hash = SchemaManifest.load(v2).hash();

            // the operator restores the suspended org (a bad import to undo)
            Cli.Result rollout = rolloutDuringARestoreOfAcme(f, v2);

            assertThat(f.org("acme").get("status").asText()).as("the restore puts the suspended org back").isEqualTo("read_only");
            assertThat(f.org("beta").get("schema_hash").asText()).as("beta got the release's manifest").isEqualTo(v2Hash);
            assertAcmeSkipped(rollout);
        }
    }

    /**
     * A restore of acme held while it fills its fresh database, the deploy's rollout of {@code v2} at that moment (a short
     * --busy-timeout stands for a restore longer than the default), then the restore let go and done; the rollout's result.
     */
    static Cli.Result rolloutDuringARestoreOfAcme(BackupFixture f, Path v2) throws Exception {
        BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
        CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "-o", "json");
        assertThat(held.awaitReached()).as("the restore fills acme's fresh database").isTrue();
        assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
        Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString(), "--busy-timeout", "1", "-o", "json");
        held.release();
        Cli.Result restored = restore.get(60, TimeUnit.SECONDS);
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        return rollout;
    }

    /** The rollout exited 0 with the suspended acme skipped, as the README says, not failed as busy. */
    static void assertAcmeSkipped(Cli.Result rollout) {
        JsonNode acme = null;
        for (JsonNode o : strictJson(rollout).path("orgs")) {
            if (o.path("org_id").asText().equals("acme")) {
                acme = o;
            }
        }
        assertThat(rollout.exitCode()).as("acme is suspended: skipped as the README says, not failed as busy; %s", rollout).isZero();
        assertThat(acme).as(rollout.toString()).isNotNull();
        assertThat(acme.path("outcome").asText()).as(acme.toString()).isEqualTo("skipped");
    }
}
