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
 * Left by an earlier session: while a live move holds acme (status moving), 'restore --org acme --dry-run --wait' said on
 * stderr it would wait for the move, then failed, exit 1, "org acme is moving: restore works on active, read_only, …" —
 * while the real restore --wait is not refused for that passing status: it waits for the move and restores the org as
 * the move leaves it. The dry run now plans as its line says ("planned here as it is now"), the move's passing status
 * aside, exit 0.
 */
class RestoreDryRunWaitOfAnOrgAMoveHoldsTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunSaysItWouldWaitAndPlans() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.heldBy("acme", "move");
            CliFixture.sql(f.catalogUrl, "update orgs set status = 'moving' where org_id = 'acme'"); // frozen by the live move

            BackupFixture.refusedAsBusy(f.cli.run("restore", "--org", "acme", "--dry-run", "-o", "json"), "acme", "move");
            Cli.Result dry = f.cli.run("restore", "--org", "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            assertThat(dry.err()).as(dry.toString()).contains("would wait (--wait)").contains("org acme is busy: move by")
                    .doesNotContain("is moving: restore works on");
            JsonNode plan = strictJson(dry);
            assertThat(plan.get("dry_run").asBoolean()).as(plan.toString()).isTrue();
            assertThat(plan.get("pool_id").asText()).as(plan.toString()).isEqualTo("pool-0");
            assertThat(f.org("acme").get("status").asText()).as("a dry run changes nothing").isEqualTo("moving");
        }
    }
}
