package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code tenantctl init} refuses a catalog migrated by a newer tenantctl (exit 3, "upgrade
 * tenantctl"), but {@code init --dry-run} — what an operator runs first to see what the real one would do — skips that
 * check: it exits 0 and says "catalog … is at schema version 99; init would bring it to 9" (JSON: from_version 99,
 * to_version 9), a downgrade the real init never does. A dry run must predict the real run: here, its refusal.
 */
class InitDryRunOnANewerCatalogTest {

    @Test
    void initDryRunRefusesACatalogFromANewerTenantctlAsInitDoes() throws Exception {
        String url = CliFixture.catalogFromANewerTenantctl();
        Cli cli = Cli.withCatalog(url);
        Cli.Result real = cli.run("init");
        assertThat(real.exitCode()).as(real.toString()).isEqualTo(3);

        Cli.Result dry = cli.run("init", "--dry-run");
        Cli.Result dryJson = cli.run("init", "--dry-run", "-o", "json");

        assertThat(dry.exitCode()).as("the dry run predicts the real init's refusal: %s", dry).isEqualTo(3);
        assertThat(dry.err()).contains("99").contains("newer");
        assertThat(dry.out()).doesNotContain("would bring it to");
        assertThat(dryJson.exitCode()).as(dryJson.toString()).isEqualTo(3);
        JsonNode error = CliFixture.strictJson(dryJson).get("error");
        assertThat(error).as(dryJson.toString()).isNotNull();
        assertThat(error.get("message").asText()).contains("newer");
    }
}
