package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (g): "every hint/next command it prints must actually work when run". {@code backup --org acme,beta} where
 * acme is {@code failed} (its provisioning failed: it has no database to back up) fails acme with "org is failed: only
 * active or read_only orgs ... are backed up" and prints, as the next step, {@code tenantctl backup --org acme} — the
 * very command that just failed, which fails the same way every time it is run (BackupCommand.render only leaves out the
 * next step for deleting/deleted orgs). The way on for a failed org is to provision it again (or forget it), not to
 * back it up.
 */
@Timeout(120)
class BackupOfAFailedOrgHintTest {

    @TempDir
    Path dir;

    @Test
    void theNextStepForAFailedOrgIsNotTheBackupThatJustFailed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                catalog.orgs().setStatus("acme", OrgStatus.FAILED); // as a provision that failed leaves it
            }

            Cli.Result r = f.cli.run("backup", "--org", "acme,beta", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode doc = strictJson(r);
            JsonNode failed = doc.get("failed").get(0);
            assertThat(failed.get("org_id").asText()).isEqualTo("acme");
            String next = failed.get("next_step").isNull() ? null : failed.get("next_step").asText();
            if (next != null) {
                assertThat(next).startsWith("tenantctl ");
                String[] argv = next.substring("tenantctl ".length()).split(" ");
                Cli.Result followed = f.cli.run(argv);
                assertThat(followed.exitCode()).as("the next step '%s' printed for acme, followed: %s", next, followed).isZero();
            }
        }
    }
}
