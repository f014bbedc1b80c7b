package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: an operator who deleted the wrong org (or a customer who comes back) tries to bring it back
 * under its own id from its final backup. {@code restore --org acme} is refused ("org acme is deleting: restore works on
 * active, read_only, failed or (re-run) restoring orgs", no way on); {@code restore --org acme --to-org acme} is refused
 * with "org acme already exists (deleting): … to restore into an existing org leave out --to-org" — which, followed,
 * is the first command again, refused again. The same circle after the purge ("deleted"). The hint must be one that
 * works (for a deleting or deleted org: --to-org with a new id, or an undelete), not the command just refused.
 */
class RestoreOfADeletedOrgHintTest {

    @TempDir
    Path dir;

    @Test
    void leavingOutToOrgForADeletingOrgWorksWhenTheRefusalSaysTo() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");

            assertThat(f.cli.run("restore", "--org", "acme").err()).as("while its database is kept")
                    .contains("tenantctl orgs resume acme");
            assertLeavingOutToOrgWorks(f);
        }
    }

    @Test
    void leavingOutToOrgForAPurgedOrgWorksWhenTheRefusalSaysTo() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");
            ok(f.cli, "orgs", "purge", "--older-than", "0");

            assertThat(f.cli.run("restore", "--org", "acme").err()).as("its database dropped").doesNotContain("orgs resume");
            assertLeavingOutToOrgWorks(f);
        }
    }

    /** Another org's backup restored to a deleted org's id: the refusal is about the id, not about bringing that org back. */
    @Test
    void anotherOrgsRestoreToADeletedOrgsIdIsToldToChooseAnotherId() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "wayne");
            f.backup("acme");
            ok(f.cli, "orgs", "delete", "wayne", "--no-backup");
            Cli.Result r = f.cli.run("restore", "--org", "acme", "--to-org", "wayne");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("--to-org wayne is the id of a deleting org").contains("choose another id")
                    .contains("tenantctl restore --org acme --to-org NEW_ID").doesNotContain("orgs resume");
        }
    }

    private static void assertLeavingOutToOrgWorks(BackupFixture f) {
        for (String[] tried : new String[][]{{"restore", "--org", "acme", "--to-org", "acme"}, {"restore", "--org", "acme"}}) {
            Cli.Result refused = f.cli.run(tried);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).as("no circle of hints").doesNotContain("leave out --to-org")
                    .contains("tenantctl restore --org acme --to-org NEW_ID");
        }
        // the way on it names works: the deleted org's data back under a new id
        ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-back");
        assertThat(f.db("acme-back").getCollection("notes").countDocuments()).isEqualTo(5);
        f.assertClean("acme-back");
    }
}
