package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper added a pool with --allow-inline-password and a password percent-encoded as a URI needs it
 * ({@code app:p%40ss-w0rd@…}, the password being p@ss-w0rd). tenantctl moved the literal out and said to set
 * TENANTCTL_POOL_POOL_1_PASSWORD, and nothing more: set to what was pasted, p%40ss-w0rd, it is encoded again when
 * connecting (p%2540ss-w0rd) and the pool refuses the credentials. The note says the value is the decoded one.
 */
@Timeout(60)
class AMovedOutPasswordThatWasPercentEncodedTest {

    @Test
    void theNoteSaysTheVariableHoldsThePasswordDecoded() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        Cli.Result add = cli.run("pools", "add", "pool-1", "--uri", "mongodb://app:p%40ss-w0rd@ferret-1:27017/?authMechanism=SCRAM-SHA-256",
                "--allow-inline-password", "--allow-unreachable", "--dry-run");
        assertThat(add.exitCode()).as(add.toString()).isZero();
        assertThat(add.err()).as(add.toString()).contains("TENANTCTL_POOL_POOL_1_PASSWORD")
                .contains("percent-decoded (%40 as @").doesNotContain("p%40ss").doesNotContain("p@ss");

        Cli.Result json = cli.run("pools", "add", "pool-1", "--uri", "mongodb://app:p%40ss-w0rd@ferret-1:27017/",
                "--allow-inline-password", "--allow-unreachable", "--dry-run", "-o", "json");
        assertThat(strictJson(json).get("variables_to_set").toString()).isEqualTo("[\"TENANTCTL_POOL_POOL_1_PASSWORD\"]");
        assertThat(json.err()).contains("percent-decoded");

        Cli.Result plain = cli.run("pools", "add", "pool-1", "--uri", "mongodb://app:plainpassword1@ferret-1:27017/",
                "--allow-inline-password", "--allow-unreachable", "--dry-run");
        assertThat(plain.err()).as(plain.toString()).contains("TENANTCTL_POOL_POOL_1_PASSWORD").doesNotContain("percent-decoded");
    }
}
