package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a delete killed during its final backup leaves its org read_only (frozen so that nothing
 * written after the backup is lost with the database). orgs show gave no next step and nobody held it, and verify said
 * clean: nothing told it from a suspension, while the tenant could not write. orgs show names the delete to run again
 * (or the resume that keeps the org), and verify reports it stuck once --stuck-after has passed.
 */
class OrgADeadDeleteFrozeTest {

    @TempDir
    Path dir;

    @Test
    void orgsShowAndVerifyNameTheDeleteThatFinishesIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 5);
            // what the killed delete left: frozen by it (recorded as active before the delete), nobody holding it, an hour ago
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', status_before_delete = 'active', "
                    + "updated_at = now() - interval '1 hour' where org_id = 'acme'");
            ok(f.cli, "orgs", "suspend", "globex"); // read_only on purpose: nothing to say

            assertThat(strictJson(ok(f.cli, "orgs", "show", "acme", "-o", "json")).get("next").asText())
                    .startsWith("tenantctl orgs delete acme   (a delete froze it and did not finish");
            assertThat(strictJson(ok(f.cli, "orgs", "show", "globex", "-o", "json")).has("next")).isFalse();

            Cli.Result verify = f.cli.run("verify", "-o", "json");
            assertThat(verify.exitCode()).as("%s", verify).isEqualTo(4);
            List<JsonNode> stuck = findings(strictJson(verify), "org_stuck");
            assertThat(stuck).hasSize(1);
            assertThat(stuck.get(0).get("org_id").asText()).isEqualTo("acme");
            assertThat(stuck.get(0).get("detail").asText()).contains("a delete froze it for its final backup and did not finish");

            String fix = stuck.get(0).get("fix").asText();
            ok(f.cli, fix.split(" {3}")[0].substring("tenantctl ".length()).split(" "));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            assertThat(findings(strictJson(f.cli.run("verify", "-o", "json")), "org_stuck")).isEmpty();
        }
    }
}
