package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delete that died after its freeze leaves the org read_only (recorded as frozen from active). Run again, the delete
 * took that read_only for the org's own status: it said "deleting (was read_only)", and when it failed ("nothing
 * deleted") it put the org back to read_only, so an active org stayed unwritable after a delete that did nothing.
 */
class DeleteRerunAfterADeadFreezeTest {

    @TempDir
    Path dir;

    @Test
    void aRerunDeleteThatFailsPutsTheOrgBackActiveAndOneThatSucceedsSaysItWasActive() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                // as a delete killed right after its freeze leaves it (OrgRepository.freezeForDelete)
                s.execute("update orgs set status = 'read_only', status_before_delete = 'active', version = version + 1 where org_id = 'acme'");
            }
            Cli poolFails = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_acme")
                    ? HookedPools.failing(db, "listCollection", 1, "injected: the pool refused") : db));

            Cli.Result failed = poolFails.run("orgs", "delete", "acme");

            assertThat(failed.exitCode()).as(failed.toString()).isNotZero();
            assertThat(failed.err()).as(failed.toString()).contains("nothing deleted");
            assertThat(f.org("acme").get("status").asText()).as("it was active before the first delete: " + failed).isEqualTo("active");

            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.execute("update orgs set status = 'read_only', status_before_delete = 'active', version = version + 1 where org_id = 'acme'");
            }
            // its dry run says the status the delete reports and puts back, not the read_only of the freeze (it said '(read_only)')
            assertThat(ok(f.cli, "orgs", "delete", "acme", "--dry-run").out()).contains("dry run: org acme (active) would get a final backup");
            assertThat(ok(f.cli, "orgs", "delete", "acme").out()).contains("is deleting (was active)");
            ok(f.cli, "orgs", "resume", "acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
