package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a purge killed after it handed deleted orgs over, before it dropped their databases, left
 * them to verify as retained copies "within their 7d grace", with 'rebalance gc --older-than 7d' as the fix, which drops
 * nothing for a week. The next purge drops them at once: that is the fix verify names, and it works as written.
 */
class VerifyOfAPurgeThatDidNotDropTest {

    @TempDir
    Path dir;

    @Test
    void verifyNamesThePurgeThatDropsWhatAnEarlierPurgeHandedOver() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.handedOverByAPurgeThatDidNotDrop("acme"); // what a purge killed between the two leaves

            List<JsonNode> kept = findings(strictJson(f.cli.run("verify", "-o", "json")), "retained_copy");
            assertThat(kept).hasSize(1);
            String fix = kept.get(0).get("fix").asText();
            assertThat(fix).startsWith("tenantctl orgs purge");
            ok(f.cli, fix.split(" {3}")[0].substring("tenantctl ".length()).split(" "));

            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(findings(strictJson(ok(f.cli, "verify", "-o", "json")), "retained_copy")).isEmpty();
        }
    }
}
