package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code schema diff} of an org whose database purge had dropped listed every collection
 * and index as missing, exit 4, without a word that the org was deleted — drift, to whoever was on call. It is refused
 * (exit 2) saying the org is deleted.
 */
class SchemaDiffOfADeletedOrgTest {

    @TempDir
    Path dir;

    @Test
    void aDeletedOrgHasNoSchemaToCompare() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            Cli.Result diff = f.cli.run("schema", "diff", "acme", "-o", "json");
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(2);
            assertThat(diff.err()).contains("org acme is deleted").contains("no schema to compare");
        }
    }
}
