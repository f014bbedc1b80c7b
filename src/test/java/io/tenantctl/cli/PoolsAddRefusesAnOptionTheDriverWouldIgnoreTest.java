package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: {@code pools add NAME --uri 'mongodb://h:27017/?ssl=maybe'} was accepted and
 * stored; the MongoDB driver's ConnectionString does not throw on a boolean option it cannot read, it drops it (ssl=maybe
 * connected without TLS). pools add, and its --dry-run, now refuse it (exit 2) naming the option, never the password.
 */
class PoolsAddRefusesAnOptionTheDriverWouldIgnoreTest {

    @Test
    void aBooleanOptionThatIsNeitherTrueNorFalseIsRefused() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String[] args : new String[][]{
                {"pools", "add", "p1", "--uri", "mongodb://h:27017/?ssl=maybe"},
                {"pools", "add", "p1", "--uri", "mongodb://h:27017/?ssl=maybe", "--dry-run"},
                {"pools", "add", "p1", "--uri", "mongodb://h:27017/?connectTimeoutMS=5000&retryWrites=sometimes"},
                {"pools", "add", "p1", "--uri", "mongodb://app:Hunter2Secret@h:27017/?tls=maybe", "--allow-inline-password"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).as(r.toString()).containsPattern("option (ssl|retryWrites|tls) must be true or false")
                    .doesNotContain("Hunter2Secret");
        }
        assertThat(ok(cli, "pools", "list").out()).as("nothing stored").doesNotContain("p1");

        ok(cli, "pools", "add", "p1", "--uri", "mongodb://h:27017/?tls=true&retryWrites=false&directConnection=true", "--dry-run",
                "--allow-unreachable");
        ok(cli, "pools", "add", "p1", "--uri", "mongodb://h:27017/?ssl=false", "--allow-unreachable");
    }
}
