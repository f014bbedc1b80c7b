package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left by an earlier session: TENANTCTL_POOL_CONNECT_TIMEOUT_MS=2147483648 (one past an int) was refused as "must be a
 * positive number of milliseconds, got '2147483648'" — a positive number. Every value out of range, of either pool
 * timeout, now gets one line naming the variable and the range it takes, exit 2 (a usage error, nothing done).
 */
class APoolTimeoutOutOfRangeIsRefusedTest {

    @Test
    void aPoolTimeoutPastAnIntNamesTheVariableAndItsRange() {
        String url = CliFixture.initialisedCatalog();
        for (String name : new String[]{"TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "TENANTCTL_POOL_SOCKET_TIMEOUT_MS"}) {
            for (String value : new String[]{"2147483648", "99999999999999999999", "0", "-1", "3s"}) {
                Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", url, name, value));
                Cli.Result r = cli.run("schema", "capture", "--from-uri", "mongodb://127.0.0.1:1/", "--database", "x");
                assertThat(r.exitCode()).as(name + "=" + value + ": " + r).isEqualTo(2);
                assertThat(r.err().strip().lines()).as(name + "=" + value + ": " + r).hasSize(1);
                assertThat(r.err()).as(name + "=" + value + ": " + r)
                        .contains(name + " must be a whole number of milliseconds from 1 to 2147483647, not '" + value + "'");
            }
        }
    }
}
