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
                assertThat(x.get("detail").asText()).contains("${POOL4_PASSWORD}, which is not set in the environment");
                assertThat(x.get("fix").isNull()).as("a variable to set first: no command to paste").isTrue();
                assertThat(x.get("fix_note").asText()).as(r.toString())
                        .startsWith("export POOL4_PASSWORD=")
                        .contains("--config")
                        .endsWith("then: tenantctl verify --pool pool-4")
                        .doesNotContain("FerretDB and network").doesNotContain("pools drain");
            });
        }
    }
}
