package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code restore --dry-run} recorded a damage mark in the catalog for the backup it found
 * damaged or gone — a dry run writing to the catalog. It says what it found (exit 1, as the restore would) and writes
 * nothing; the restore itself records the damage.
 */
class RestoreDryRunRecordsNoDamageTest {

    @TempDir
    Path dir;

    @Test
    void aDryRunSaysTheDamageAndRecordsNone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 10);
            f.notes("globex", "notes", 10);
            String gone = f.backup("acme");
            f.removeFromStore("acme", gone);
            String cut = f.backup("globex");
            Files.delete(f.files("globex", cut).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(java.util.Map.Entry::getValue).findFirst().orElseThrow());

            for (String org : new String[] {"acme", "globex"}) {
                Cli.Result dry = f.cli.run("restore", "--org", org, "--to-org", org + "-copy", "--dry-run");
                assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
                assertThat(ok(f.cli, "backups", "list", "--org", org, "-o", "json").out()).as("nothing recorded by the dry run of " + org)
                        .doesNotContain("damaged:");
            }
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json").out()).as("the restore records it")
                    .contains("damaged: recorded complete, but its files are gone from the store");
        }
    }
}
