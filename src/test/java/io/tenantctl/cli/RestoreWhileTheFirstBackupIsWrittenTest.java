package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: a restore of an org whose first backup was still being written said "has no complete backup …
 * see backups list" (exit 2), as if there were none. It says the backup is being written and to restore once it is
 * complete (exit 3, as an org another operation holds).
 */
class RestoreWhileTheFirstBackupIsWrittenTest {

    @TempDir
    Path dir;

    @Test
    void saysTheBackupIsBeingWrittenNotThatThereIsNone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String writing = "20261203T230000Z-abcd12";
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.execute("insert into backups (backup_id, org_id, location, pool_id, database_name, started_at, status) values ('"
                        + writing + "', 'acme', 'x', 'pool-0', 'org_acme', now(), 'running')");
            }
            Cli.Result r = f.cli.run("restore", "--org", "acme");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).contains("no complete backup yet").contains("backup " + writing + " of it is being written now");

            Cli.Result none = f.cli.run("restore", "--org", "globex");
            assertThat(none.err()).as(none.toString()).doesNotContain("being written");
        }
    }
}
