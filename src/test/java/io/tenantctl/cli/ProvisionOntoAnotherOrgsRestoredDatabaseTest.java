package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: after a restore, org acme lives in {@code org_acme__r<backup>}, the database name of the
 * valid id {@code acme__r<backup>}. Provisioning that id (or restoring --to-org it) is refused, rightly, but the refusal
 * said "('-' and '_' are the same in database names)" — nothing to do with dashes. Said now only when the two ids differ
 * by '-' against '_'.
 */
class ProvisionOntoAnotherOrgsRestoredDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void theDashNoteIsOnlyForIdsThatDifferByADash() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "a-b");
            ok(f.cli, "restore", "--org", "acme", "--backup", f.backup("acme"));
            String db = f.org("acme").get("database_name").asText();
            String id = db.substring("org_".length());

            Cli.Result taken = f.cli.run("provision", "--schema", f.schema.toString(), id);
            assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(1); // that org failed, with its reason
            assertThat(taken.out() + taken.err()).contains("database " + db + " already belongs to org 'acme'").doesNotContain("'-' and '_'");

            Cli.Result toOrg = f.cli.run("restore", "--org", "acme", "--to-org", id);
            assertThat(toOrg.exitCode()).as(toOrg.toString()).isEqualTo(2);
            assertThat(toOrg.err()).contains("already belongs to org 'acme'").doesNotContain("'-' and '_'");

            Cli.Result lookAlike = f.cli.run("provision", "--schema", f.schema.toString(), "a_b");
            assertThat(lookAlike.exitCode()).as(lookAlike.toString()).isEqualTo(1);
            assertThat(lookAlike.out() + lookAlike.err()).contains("database org_a_b already belongs to org 'a-b' ('-' and '_' are the same in database names)");
        }
    }
}
