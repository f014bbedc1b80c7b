package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: the next step of an org whose database name is another org's read
 * "provision it under another id   (acme_x cannot be used)": the three spaces set a command off from its note, and
 * this next step is no command.
 */
class ProvisionUnderAnotherIdHintSpacingTest {

    @Test
    void theNextStepOfAnIdWhoseDatabaseIsTakenHasNoStraySpaces(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Path schema = CliFixture.smallSchema(dir);
            ok(cli, "provision", "acme-x", "--schema", schema.toString());

            Cli.Result r = cli.run("provision", "acme_x", "--schema", schema.toString(), "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("next_step").isNull()).as(failed.toString()).isTrue(); // no command: a value to choose
            assertThat(failed.get("next_note").asText()).isEqualTo("provision it under another id (acme_x cannot be used)");
            Cli.Result text = cli.run("provision", "acme_x", "--schema", schema.toString());
            assertThat(text.err()).as(text.toString()).contains("provision it under another id (acme_x cannot be used)");
        }
    }
}
