package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provision (or migrate-all) worker reads its pools once per run. When the operator re-points a pool with
 * {@code pools set-uri} while it runs (the pool's FerretDB moved host), the org's collections and indexes go to the
 * server the pool named before; marking the org active then would send applications to a server where its database has
 * none of them (no unique index: duplicates). The org is failed instead, and running provision again builds it on the
 * server the pool names now.
 */
class SetUriDuringProvisionTest {

    @Test
    void anOrgBuiltThroughAPoolsOldUriIsNotMarkedActiveAndProvisionAgainBuildsItOnTheNewServer(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir); TestPools newHost = new TestPools(1)) {
            AtomicBoolean once = new AtomicBoolean();
            Cli hooked = f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme") && HookedPools.is(cmd, "createIndexes") && once.compareAndSet(false, true)) {
                    ok(f.cli, "pools", "set-uri", "pool-0", "--uri", newHost.uri(0));
                }
            }));

            Cli.Result first = hooked.run("provision", "acme", "--schema", f.schema.toString());
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            assertThat(first.err() + first.out()).contains("URI was changed ('pools set-uri')");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");

            ok(f.cli, "provision", "acme", "--schema", f.schema.toString());
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            Cli.Result diff = f.cli.run("schema", "diff", "acme", "--schema", f.schema.toString());
            assertThat(diff.exitCode()).as("acme's collections and indexes on the server pool-0 names now: %s", diff).isZero();
        }
    }
}
