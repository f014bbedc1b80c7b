package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code backups show ID --org beta}, ID being acme's backup (an id pasted from another org's
 * list, with the --org of the org being looked at), said "org beta has no backup ID" — true, but it sends the operator to
 * beta's list, where it is not, while the catalog knows whose it is. As restore's refusal of another org's backup does, it
 * names the org whose backup it is and the show that works; that show, pasted, shows it.
 */
class BackupsShowWithAnotherOrgsIdSaysWhoseItIsTest {

    @TempDir
    Path dir;

    @Test
    void theRefusalNamesTheOwnerAndTheShowThatWorks() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 3);
            String id = f.backup("acme");

            Cli.Result shown = f.cli.run("backups", "show", id, "--org", "beta", "-o", "json");

            assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(2);
            String message = strictJson(shown).get("error").get("message").asText();
            String works = "'tenantctl backups show " + id + "'";
            assertThat(message).as(shown.toString()).contains("org acme's").contains(works);
            assertThat(ok(f.cli, works.substring("'tenantctl ".length(), works.length() - 1).split(" ")).out())
                    .containsPattern("org: +acme\n");
        }
    }
}
