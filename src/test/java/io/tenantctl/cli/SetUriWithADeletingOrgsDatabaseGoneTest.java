package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming today's {@code pools set-uri} server check (commit 179c8d8) against today's verify change
 * (commit ba047b3): a deleting org whose database is already gone is "information … nothing to do" for verify (its final
 * backup holds it; purge finishes). But set-uri counts that org among the pool's living orgs and refuses every URI
 * change of the pool, even to the very same server (a rotated credential), exit 2: "has no database of 1 of the pool's 2
 * org(s): org_acme (org acme) … check the host, or pass --force if their data is to be restored there". The host is
 * right and nothing is to be restored; the only way on is --force, which turns the check off for the orgs that do live
 * there. A deleting org's database is not one the pool's routing serves.
 */
class SetUriWithADeletingOrgsDatabaseGoneTest {

    @TempDir
    Path dir;

    @Test
    void aDeletingOrgWhoseDatabaseIsGoneDoesNotBlockAUriChangeToTheSameServer() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            ok(f.cli, "orgs", "delete", "acme");
            f.database("pool-0", "org_acme").drop(); // gone already (as verify reports: nothing to do)
            assertThat(strictJson(f.cli.run("verify", "--org", "acme", "-o", "json")).toString())
                    .as("verify: information, nothing to do").contains("nothing to do");

            // spelled otherwise (its URI given as it is changes nothing, and is not checked)
            Cli.Result r = f.cli.run("pools", "set-uri", "pool-0", "--uri", f.pools.uri(0) + "/");
            assertThat(r.exitCode()).as("the new URI is the same server, which holds every database the pool serves: %s", r).isZero();
            assertThat(r.out()).as("%s", r).startsWith("changed pool pool-0");
        }
    }
}
