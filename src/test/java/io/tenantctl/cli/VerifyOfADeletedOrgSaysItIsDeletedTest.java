package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A helper found that 'verify --org b5' for an org purged to deleted said "no org named 'b5'" while 'orgs list' shows
 * it: the refusal now says what the org is.
 */
@Timeout(120)
class VerifyOfADeletedOrgSaysItIsDeletedTest {

    @TempDir
    Path dir;

    @Test
    void verifyOfAPurgedOrgSaysItIsDeletedNotUnknown() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("b5");
            ok(f.cli, "orgs", "delete", "b5", "--no-backup");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.org("b5").path("status").asText()).isEqualTo("deleted");

            Cli.Result r = f.cli.run("verify", "--org", "b5");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("org b5 is deleted").doesNotContain("no org named");
            assertThat(f.cli.run("verify", "--org", "nosuch").err()).contains("no org named 'nosuch'");
        }
    }
}
