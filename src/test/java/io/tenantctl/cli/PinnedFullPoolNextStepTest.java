package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming the pools surface: {@code provision acme --pool pool-0} on an active pool that is full fails
 * "no capacity: pool pool-0 is full (1/1)" with next step
 * "tenantctl pools add … / pools enable …, then: tenantctl provision acme … --pool pool-0". Neither remedy can work:
 * the org is pinned to pool-0, so another pool does not help, and pool-0 is already active, so enabling it changes
 * nothing — the "then" command fails exactly as before. The one command that does it, {@code pools set-capacity pool-0
 * --capacity N}, is not offered (the unpinned message names it). Every printed next step must work when run.
 */
class PinnedFullPoolNextStepTest {

    @Test
    void theNextStepOfAnOrgPinnedToAFullActivePoolRaisesThatPoolsCapacity(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 1, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "--schema", schema, "--pool", "pool-0");

            Cli.Result full = cli.run("provision", "globex", "--schema", schema, "--pool", "pool-0", "-o", "json");
            assertThat(full.exitCode()).as(full.toString()).isEqualTo(1);
            JsonNode failed = strictJson(full).get("failed").get(0);
            assertThat(failed.get("error").asText()).contains("no capacity");
            assertThat(failed.get("next_step").isNull()).as("a capacity to choose first: %s", failed).isTrue();
            String next = failed.get("next_note").asText();

            Matcher raise = Pattern.compile("tenantctl (pools set-capacity pool-0 --capacity \\S+)").matcher(next + " " + failed.get("error").asText());
            assertThat(raise.find()).as("the org is pinned to an active, full pool-0: only raising its capacity lets the "
                    + "'then' command succeed, and the next step does not say so: %s", next).isTrue();
            List<String> command = new ArrayList<>(Arrays.asList(raise.group(1).split("\\s+")));
            command.replaceAll(w -> w.equals("N") ? "2" : w);
            ok(cli, command.toArray(String[]::new));
            Matcher then = Pattern.compile("then: tenantctl (provision .*)$").matcher(next);
            assertThat(then.find()).as(next).isTrue();
            Cli.Result again = cli.run(then.group(1).strip().split("\\s+"));
            assertThat(again.exitCode()).as("the next step, followed: %s", again).isZero();
        }
    }
}
