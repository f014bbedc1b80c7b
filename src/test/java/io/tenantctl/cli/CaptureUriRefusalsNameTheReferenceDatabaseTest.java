package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code schema capture --from-uri 'mongodb://u:secretpw@127.0.0.1:1/'} was refused with "pool URI
 * mongodb://u:***@… has an inline password", though the URI is the reference database's, not a pool's. Its refusals
 * now name the reference database URI (--from-uri); the password stays masked.
 */
class CaptureUriRefusalsNameTheReferenceDatabaseTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    @Test
    void refusalsOfTheFromUriNameItNotAPool() {
        String[][] cases = {
                {"mongodb://u:secretpw@127.0.0.1:1/", "mongodb://u:***@127.0.0.1:1/ has an inline password"},
                {"http://u:secretpw@127.0.0.1:1/", "must start with mongodb://"},
                {"mongodb://127.0.0.1:notaport/", "is not a MongoDB connection string"},
        };
        for (String[] c : cases) {
            Cli.Result r = cli.run("schema", "capture", "--from-uri", c[0], "--database", "x");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("reference database URI (--from-uri)").contains(c[1])
                    .doesNotContain("pool URI").doesNotContain("secretpw");
        }
    }
}
