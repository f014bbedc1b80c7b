package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provision fails half-way (users and its email_1 built). The next release supersedes email_1 with a compound unique
 * index ("drop": ["email_1"]). Re-running provision with that manifest finishes the half-made database by creating
 * indexes only, ignoring "drop", and records the new manifest's hash on the org. From then on `schema diff` exits 4
 * ("superseded ... still present") while migrate-all — the deploy pipeline — selects by hash and never touches the org
 * again: the recorded hash claims a schema the org does not have.
 */
@Timeout(120)
class ProvisionResumedRecordsAHashItDidNotApplyTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void anOrgProvisionReportsActiveWithAManifestMatchesThatManifest(@TempDir Path dir) throws Exception {
        AtomicBoolean failMessages = new AtomicBoolean(true);
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog()).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (failMessages.get() && HookedPools.is(cmd, "createIndexes") && "messages".equals(cmd.getString("createIndexes"))) {
                throw new IllegalStateException("injected: createIndexes refused");
            }
        }));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path v1 = Files.writeString(dir.resolve("v1.json"), """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}}]},
                  {"name": "messages", "indexes": [{"name": "conv_1", "key": {"conversationId": 1}}]}]}
                """);
        Path v2 = Files.writeString(dir.resolve("v2.json"), """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "email_1_tenant_1", "key": {"email": 1, "tenant": 1}, "unique": true}],
                   "drop": ["email_1"]},
                  {"name": "messages", "indexes": [{"name": "conv_1", "key": {"conversationId": 1}}]}]}
                """);
        assertThat(cli.run("provision", "acme", "--schema", v1.toString()).exitCode()).isEqualTo(1);
        failMessages.set(false);

        Cli.Result resumed = cli.run("provision", "acme", "--schema", v2.toString());
        // the rollout a pipeline runs next; it selects orgs by recorded hash
        ok(cli, "migrate-all", "--schema", v2.toString());

        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", v2.toString());
        assertThat(diff.exitCode()).as("provision said: %s%nthen diff: %s", resumed, diff).isZero();
    }
}
