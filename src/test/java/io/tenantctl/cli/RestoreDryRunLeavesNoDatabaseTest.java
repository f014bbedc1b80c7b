package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code restore --to-org NEW --dry-run} writes nothing, on the stand-in pools too: asking whether org_NEW exists
 * listed its collections, which on the stand-in makes the database (pinned in WireConformanceTest), so the sandbox kept
 * an empty org_NEW that verify then reported as an orphan database, exit 4. Found by a probing helper.
 */
class RestoreDryRunLeavesNoDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aDryRunToANewOrgLeavesNoDatabaseAndVerifyStaysClean() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");

            Cli.Result dry = ok(f.cli, "restore", "--org", "acme", "--to-org", "beta", "--dry-run");
            assertThat(dry.out()).contains("org_beta");

            assertThat(f.databaseNames("pool-0")).contains("org_acme").doesNotContain("org_beta");
            Cli.Result verify = f.cli.run("verify");
            assertThat(verify.exitCode()).as(verify.toString()).isZero();
            ok(f.cli, "restore", "--org", "acme", "--to-org", "beta"); // and the real one is not refused by a leftover
            assertThat(f.databaseNames("pool-0")).contains("org_beta");
        }
    }
}
