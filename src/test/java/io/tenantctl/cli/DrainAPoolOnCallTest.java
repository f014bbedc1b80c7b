package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, On call, "Drain a pool": {@code pools drain pool-1}, {@code rebalance plan}, {@code rebalance apply --max-freeze
 * 30s}, {@code rebalance status}, later {@code rebalance gc}; "{@code tenantctl verify --pool pool-1} confirms nothing is
 * left".
 *
 * When the other pools have no room for every org of the drained pool, the plan says so in a note — but {@code rebalance
 * apply} without {@code --plan} (as the on-call line runs it) plans again, drops that note, moves what it can and exits 0
 * ("moved 1, failed 0"), and {@code verify --pool pool-1} then verifies the org still living there, finds it healthy and
 * exits 0, "clean". The step the README names as the confirmation that the pool is empty confirms it while an org lives on
 * it: the operator who then decommissions pool-1 loses that org. Every step of the procedure exits 0; at least one (the
 * apply that could not empty the pool, or the verify of a draining pool that still holds orgs) must not.
 */
class DrainAPoolOnCallTest {

    @Test
    void theOnCallDrainEndsInAConfirmationOnlyWhenThePoolIsEmpty(@TempDir Path dir) throws Exception {
        List<List<String>> steps = onCallDrainSteps();
        assertThat(steps.get(steps.size() - 1)).as("the drain's last step, its confirmation").startsWith("verify", "--pool", "pool-1");

        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 1, 2); // room for one more org only
            CliFixture.ok(cli, "provision", "--schema", schema.toString(), "--pool", "pool-1", "acme", "globex");

            StringBuilder transcript = new StringBuilder();
            List<Cli.Result> refusals = new ArrayList<>();
            for (List<String> step : steps) {
                Cli.Result last = cli.run(step.toArray(String[]::new));
                if (last.exitCode() != 0) {
                    refusals.add(last);
                }
                transcript.append("$ tenantctl ").append(String.join(" ", step)).append("   -> exit ").append(last.exitCode()).append('\n')
                        .append(last.out()).append(last.err());
            }
            List<String> left = CliFixture.orgIds(cli, "active").stream()
                    .filter(o -> CliFixture.strictJson(CliFixture.ok(cli, "orgs", "show", o, "-o", "json")).get("pool_id").asText().equals("pool-1"))
                    .toList();
            assertThat(left).as("precondition: pool-2 had room for one org, so one org is still on pool-1").hasSize(1);

            // the drain is not done: the confirmation ('verify --pool pool-1') must not pass, or the apply must say it
            // could not empty the pool; either way a step exits non-zero naming the org left behind
            assertThat(refusals).as("'verify --pool pool-1' is the README's confirmation that nothing is left on pool-1, but %s "
                    + "still lives there, and every step of the procedure exited 0:%n%s", left, transcript)
                    .anySatisfy(r -> assertThat(r.out() + r.err()).contains(left.get(0)));
        }
    }

    /** The tenantctl command lines of the README's On call "Drain a pool." paragraph, in order, as their words. */
    private static List<List<String>> onCallDrainSteps() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("**Drain a pool.**");
        assertThat(start).as("README's On call section has 'Drain a pool.'").isPositive();
        String paragraph = readme.substring(start, readme.indexOf("\n\n", start));
        List<List<String>> steps = new ArrayList<>();
        Matcher m = Pattern.compile("`tenantctl ([^`]+)`").matcher(paragraph);
        while (m.find()) {
            steps.add(List.of(m.group(1).trim().split("\\s+")));
        }
        assertThat(steps).as("the commands of %s", paragraph).hasSizeGreaterThanOrEqualTo(5);
        return steps;
    }
}
