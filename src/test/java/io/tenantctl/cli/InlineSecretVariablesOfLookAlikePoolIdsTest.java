package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming the pools surface: pool ids {@code pool-1} and {@code pool_1} are both valid and distinct, but
 * {@code --allow-inline-password} names the variable a secret moves into after the id with every non-alphanumeric
 * character as '_': both pools' passwords go to {@code ${TENANTCTL_POOL_POOL_1_PASSWORD}}, and the second add says
 * "set it wherever tenantctl connects to pool pool_1" without a word about pool-1 already reading it. Whatever value
 * the operator sets, one of the two pools connects with the other's password (it fails to authenticate, and setting
 * the variable for the new pool breaks the old one). Two pools must never be told to read their different secrets
 * from one variable.
 */
class InlineSecretVariablesOfLookAlikePoolIdsTest {

    @Test
    void twoPoolsWithLookAlikeIdsNeverShareTheVariableTheirInlinePasswordsMovedInto() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());

        JsonNode dash = strictJson(ok(cli, "pools", "add", "pool-1", "--uri", "mongodb://app:Dash-Secret-1@ferret-a:27017/",
                "--allow-inline-password", "--allow-unreachable", "-o", "json"));
        JsonNode underscore = strictJson(ok(cli, "pools", "add", "pool_1", "--uri", "mongodb://app:Under-Secret-2@ferret-b:27017/",
                "--allow-inline-password", "--allow-unreachable", "-o", "json"));

        List<String> first = texts(dash.get("variables_to_set"));
        List<String> second = texts(underscore.get("variables_to_set"));
        assertThat(first).as(dash.toPrettyString()).isNotEmpty();
        assertThat(second).as(underscore.toPrettyString()).isNotEmpty();
        assertThat(second).as("pool_1's password was moved into the variable pool-1's password is read from: "
                + "pool-1 %s, pool_1 %s", dash.get("uri"), underscore.get("uri")).doesNotContainAnyElementsOf(first);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
