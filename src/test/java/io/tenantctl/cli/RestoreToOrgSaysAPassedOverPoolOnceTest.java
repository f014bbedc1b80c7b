package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.addPool;
import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code restore --to-org} printed its "pool passed over" line twice on stderr (the target
 * is decided once before the org's lease is taken and again under it, each time telling the pools it passes over),
 * where provision prints it once. Said once.
 */
class RestoreToOrgSaysAPassedOverPoolOnceTest {

    @TempDir
    Path dir;

    @Test
    void aPoolWhoseVariableIsUnsetIsNamedOnce() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            addPool(f.cli, "pool-4", "mongodb://app:${POOL4_PASSWORD}@127.0.0.1:1/?authSource=admin", 10, 0);
            ok(f.cli, "provision", "--schema", f.schema.toString(), "--pool", "pool-0", "acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");

            Cli.Result r = ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy");
            String line = "org acme-copy is placed on the other pools";
            assertThat(r.err()).as(r.toString()).contains("${POOL4_PASSWORD}").contains(line);
            assertThat(r.err().lines().filter(l -> l.contains(line)).count()).as(r.err()).isEqualTo(1);
        }
    }
}
