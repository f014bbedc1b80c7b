package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ARCHITECTURE: whichever operation mutates an org holds its lease; "a second operation is refused naming the holder".
 * {@code orgs forget} deletes the org's catalog row but takes no lease: run while a provision resumes the failed org (the
 * very next step tenantctl prints for a failed org), it removes the row under the provision, which then fails blaming a
 * 'pools set-uri' that never happened, and leaves a built database that no org owns.
 */
class ForgetOfAFailedOrgBeingProvisionedTest {

    @TempDir
    Path dir;

    @Test
    void forgetIsRefusedNamingTheProvisionThatHoldsTheOrg() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            // a provision that failed at its first create: acme is 'failed', its database empty
            Cli createFails = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "create") && db.equals("org_acme")) {
                    throw HookedPools.commandError(13, "not authorized (test)");
                }
            }));
            Cli.Result failed = createFails.run("provision", "--schema", f.schema.toString(), "--pool", "pool-0", "acme");
            assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("failed");

            // the operator re-runs the provision (its printed next step) and, in another shell, forgets the org
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.equals("org_acme"));
            CompletableFuture<Cli.Result> provision = held.cli().start("provision", "--schema", f.schema.toString(), "--pool", "pool-0",
                    "acme");
            assertThat(held.awaitReached()).isTrue();
            Cli.Result forget = f.cli.run("orgs", "forget", "acme", "-o", "json");
            held.release();
            Cli.Result provisioned = provision.get(60, TimeUnit.SECONDS);

            assertThat(forget.exitCode()).as("forget while a provision holds the org: %s", forget).isEqualTo(3);
            assertThat(strictJson(forget).get("error").get("message").asText()).contains("provision");
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertClean("acme");
        }
    }
}
