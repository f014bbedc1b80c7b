package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore --to-org acme_copy} where org_acme_copy is another org's retired copy (kept by a restore until gc): a
 * refusal of the id typed, nothing written — exit 2, as for an existing --to-org org; it was exit 1, "failed".
 */
class RestoreToAnIdWhoseDatabaseNameIsRetiredTest {

    @TempDir
    Path dir;

    @Test
    void isAUsageError() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");
            ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy");
            f.backup("acme-copy");
            ok(f.cli, "restore", "--org", "acme-copy"); // writes a fresh database; org_acme_copy is kept, retired

            Cli.Result r = f.cli.run("restore", "--org", "acme", "--to-org", "acme_copy");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("org_acme_copy").contains("choose another id");
        }
    }
}
