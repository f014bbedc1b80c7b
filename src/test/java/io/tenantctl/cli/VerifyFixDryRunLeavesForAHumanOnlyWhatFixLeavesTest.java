package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code verify --fix --dry-run} said "would create … 1 index(es)" for an org missing an
 * index, and listed the same finding under "left for a human"; the real --fix created it and left nothing. The dry
 * run leaves for a human what the real run leaves.
 */
class VerifyFixDryRunLeavesForAHumanOnlyWhatFixLeavesTest {

    @TempDir
    Path dir;

    @Test
    void aFindingTheDryRunWouldFixIsNotLeftForAHuman() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme"); // no backup_stale: the missing index is the only problem
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1");

            Cli.Result dry = f.cli.run("verify", "--org", "acme", "--fix", "--dry-run", "-o", "json");
            JsonNode planned = strictJson(dry);
            assertThat(planned.get("fixed").toString()).as(dry.toString()).contains("org acme: would create 0 collection(s) and 1 index(es)");
            assertThat(planned.get("left_for_human")).as(dry.toString()).isEmpty();
            Cli.Result text = f.cli.run("verify", "--org", "acme", "--fix", "--dry-run");
            assertThat(text.out() + text.err()).doesNotContain("left for a human");

            Cli.Result real = f.cli.run("verify", "--org", "acme", "--fix", "-o", "json");
            assertThat(strictJson(real).get("left_for_human")).as(real.toString()).isEmpty();
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).isZero();
        }
    }
}
