package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.tenantctl.cli.CliFixture.addPool;
import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found verify's pool_unreachable finding for a pool whose URI references a variable this environment
 * does not set: the detail said so ("its URI references ${POOL4_PASSWORD}, which is not set in the environment"), but
 * the fix said "check the pool's FerretDB and network; then: tenantctl verify --pool pool-4" (or drain it), though the
 * server is fine and only this shell lacks the variable. The fix now says to set it.
 */
@Timeout(60)
class VerifyOfAPoolWithAnUnsetVariableTest {

    @Test
    void theFixOfAPoolWhoseVariableIsUnsetSaysToSetIt() {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            addPool(cli, "pool-0", pools.uri(0), 10, 1);
            addPool(cli, "pool-4", "mongodb://app:${POOL4_PASSWORD}@127.0.0.1:1/", 10, 2);

            Cli.Result r = cli.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            assertThat(findings(doc, "pool_unreachable")).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-4");
                assertThat(x.get("detail").asText()).contains("${POOL4_PASSWORD}, which is not set in the environment")
                        .as("what to do is the fix's, said once").doesNotContain("export");
                assertThat(x.get("fix").isNull()).as("a variable to set first: no command to paste").isTrue();
                assertThat(x.get("fix_note").asText()).as(r.toString())
                        .startsWith("export POOL4_PASSWORD=")
                        .contains("--config")
                        .endsWith("then: tenantctl verify --pool pool-4")
                        .doesNotContain("FerretDB and network").doesNotContain("pools drain");
            });
        }
    }

    /**
     * A pool whose URI the catalog holds is one the driver refuses (a port out of range, an authMechanism it does not know,
     * a number its client refuses; stored before pools add checked it so, or a variable's value that breaks it) was filed
     * as pool_unreachable, which sends an operator to the network and the server, when no packet was ever sent. It is its
     * own finding, pool_uri_invalid: the line says the URI is refused and why, masked, and the fix note is pools set-uri
     * (or the variable to check); a literal password kept in such a URI is never shown.
     */
    @Test
    void aPoolWhoseStoredUriTheDriverRefusesIsPoolUriInvalidNotUnreachable() {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test", "PW", "s3cret-pw", "HOST", "127.0.0.1:notaport"));
            addPool(cli, "pool-0", pools.uri(0), 10, 1);
            String[][] bad = {{"pool-1", "mongodb://app:hunter2literal@127.0.0.1:99999/", "99999"},
                    {"pool-2", "mongodb://app:${PW}@127.0.0.1:1/?authMechanism=BOGUS", "BOGUS"},
                    {"pool-3", "mongodb://app:${PW}@127.0.0.1:1/?maxPoolSize=-1", "maxPoolSize"},
                    {"pool-5", "mongodb://app:${PW}@${HOST}/", "${HOST}"}};
            for (String[] b : bad) {
                CliFixture.sql(url, "insert into pools (pool_id, uri, capacity, priority) values ('" + b[0] + "', '" + b[1] + "', 10, 2)");
            }

            Cli.Result r = cli.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            assertThat(findings(doc, "pool_unreachable")).as(r.toString()).isEmpty();
            assertThat(findings(doc, "pool_uri_invalid")).as(r.toString()).hasSize(bad.length);
            for (String[] b : bad) {
                assertThat(findings(doc, "pool_uri_invalid")).filteredOn(x -> x.get("pool_id").asText().equals(b[0])).singleElement().satisfies(x -> {
                    assertThat(x.get("severity").asText()).isEqualTo("problem");
                    assertThat(x.get("detail").asText()).as(b[0]).contains(b[2]).containsAnyOf("is not a MongoDB connection string", "is not valid once")
                            .doesNotContain("unreachable").doesNotContain("does not answer");
                    assertThat(x.get("fix").isNull()).as("a URI to write first: no command to paste").isTrue();
                    assertThat(x.get("fix_note").asText()).as(b[0]).contains("tenantctl pools set-uri " + b[0] + " --uri")
                            .endsWith("then: tenantctl verify --pool " + b[0]).doesNotContain("network").doesNotContain("pools drain");
                });
            }
            assertThat(findings(doc, "pool_uri_invalid")).filteredOn(x -> x.get("pool_id").asText().equals("pool-5")).singleElement()
                    .satisfies(x -> assertThat(x.get("fix_note").asText()).contains("${HOST}"));

            Cli.Result text = cli.run("verify");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).contains("pool_uri_invalid").doesNotContain("pool_unreachable");
            for (Cli.Result each : new Cli.Result[]{r, text}) {
                assertThat(each.out() + each.err()).doesNotContain("hunter2literal").doesNotContain("s3cret-pw");
            }
        }
    }
}
