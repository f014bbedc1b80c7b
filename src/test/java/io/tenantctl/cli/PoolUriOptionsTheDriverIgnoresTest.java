package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper added a production pool as its TLS guide writes it, {@code ?tls=true&tlsCAFile=/etc/ssl/ferret-ca.pem}:
 * accepted without a word, though the Java driver reads no CA file from a URI (it logs "unsupported option" only at
 * -v) and connects trusting the JVM's store alone, so every command then failed with "PKIX path building failed". pools
 * add and set-uri now name such options and say where a CA goes instead.
 */
@Timeout(60)
class PoolUriOptionsTheDriverIgnoresTest {

    @Test
    void poolsAddAndSetUriNameTheOptionsTheDriverDoesNotRead() {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            String uri = pools.uri(0) + "/?tls=false&tlsCAFile=/etc/ssl/ferret-ca.pem&appName=ops";
            Cli.Result add = cli.run("pools", "add", "pool-1", "--uri", uri, "-o", "json");
            assertThat(add.exitCode()).as(add.toString()).isZero();
            JsonNode doc = strictJson(add);
            assertThat(doc.get("ignored_options").toString()).isEqualTo("[\"tlsCAFile\"]");
            assertThat(add.err()).contains("warning: pool pool-1's URI option tlsCAFile is not read by tenantctl's MongoDB driver")
                    .contains("javax.net.ssl.trustStore");

            Cli.Result set = cli.run("pools", "set-uri", "pool-1", "--uri", pools.uri(0) + "/?tlsCertificateKeyFile=/k.pem", "--dry-run");
            assertThat(set.exitCode()).as(set.toString()).isZero();
            assertThat(set.err()).contains("option tlsCertificateKeyFile is not read");

            Cli.Result plain = cli.run("pools", "add", "pool-2", "--uri", pools.uri(0) + "/?appName=ops", "--dry-run", "-o", "json");
            assertThat(plain.exitCode()).as(plain.toString()).isZero();
            assertThat(strictJson(plain).has("ignored_options")).isFalse();
            assertThat(plain.err()).doesNotContain("is not read");
        }
    }
}
