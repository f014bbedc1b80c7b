package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x2) of 3fe99fc ("verify --deep still reads a deleting org's final backup back, the one thing that holds the
 * org once purged"). When the deleting org's database is already gone from its pool (dropped by hand, or a credential
 * rotation onto a server without it, which 635f312 now allows), that final backup is already the only copy — yet
 * verify returns at its {@code missing_database} info before {@code --deep} reads anything, and even says "its final
 * backup … holds what it had" without having read it. A final backup that does not read back passes every deep verify
 * (exit 0), the purge follows, and the org's data is lost for good when the customer asks for it back.
 */
@Timeout(120)
class VerifyDeepOfADeletingOrgWhoseDatabaseIsGoneTest {

    @TempDir
    Path dir;

    @Test
    void deepReadsTheFinalBackupEvenWhenTheDatabaseIsGone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            f.flipABit("acme", finalBackup, "notes"); // the bucket lost a bit
            f.database("pool-0", "org_acme").drop(); // the kept database is gone: the final backup is the only copy now

            Cli.Result deep = f.cli.run("verify", "--deep", "-o", "json");
            JsonNode corrupt = null;
            for (JsonNode x : strictJson(deep).get("findings")) {
                if (x.get("kind").asText().equals("backup_corrupt") && x.get("org_id").asText().equals("acme")) {
                    corrupt = x;
                }
            }
            assertThat(corrupt).as("verify --deep must read back the only copy of deleting org acme: %s", deep).isNotNull();
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
        }
    }
}
