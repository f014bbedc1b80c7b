package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A helper found that 'orgs delete X --no-backup' - verify's fix for an org deleted after the catalog's dump, whose
 * database purge already dropped - said its database "is kept until 'tenantctl orgs purge'" and that resume takes it
 * back: false, the database is gone. It says so now; a live org's delete still says what it keeps.
 */
@Timeout(120)
class DeleteOfAnOrgWhoseDatabaseIsGoneSaysSoTest {

    @TempDir
    Path dir;

    @Test
    void aNoBackupDeleteOfAnOrgWhoseDatabaseIsGoneDoesNotSayItIsKept() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.database("pool-0", "org_acme").drop();

            Cli.Result dry = ok(f.cli, "orgs", "delete", "acme", "--no-backup", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).doesNotContain("kept until").contains("already gone from pool pool-0");
            Cli.Result gone = ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            assertThat(gone.out()).as(gone.toString()).doesNotContain("kept until").doesNotContain("takes it back")
                    .contains("org_acme is already gone from pool pool-0");
            assertThat(f.org("acme").path("status").asText()).isEqualTo("deleting");

            Cli.Result kept = ok(f.cli, "orgs", "delete", "beta", "--no-backup", "-o", "json");
            assertThat(strictJson(kept).path("database_gone").asBoolean(true)).as(kept.toString()).isFalse();
            assertThat(ok(f.cli, "orgs", "resume", "beta").exitCode()).isZero();
            assertThat(ok(f.cli, "orgs", "delete", "beta", "--no-backup").out()).contains("is kept until 'tenantctl orgs purge'");
        }
    }
}
