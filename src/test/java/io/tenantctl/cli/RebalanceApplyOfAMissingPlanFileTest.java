package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code rebalance apply --plan FILE} of a file that is not there says how to write it,
 * {@code 'tenantctl rebalance plan -o json > FILE'}, with the path as it is: a plan under "ops plans/" was written to a
 * file "ops" (the rest an argument plan refuses), and one with a quote in its name left bash waiting. The path is
 * now one shell word, so the pasted command writes the file the apply reads.
 */
class RebalanceApplyOfAMissingPlanFileTest {

    @TempDir
    Path dir;

    @Test
    void theCommandThatWritesTheMissingPlanWritesThatFile() throws Exception {
        Path plan = Files.createDirectories(dir.resolve("ops plans")).resolve("it's $HOME.json");
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog()));
        Cli.Result r = cli.run("rebalance", "apply", "--plan", plan.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        String said = r.err().trim();
        String command = said.substring(said.indexOf("'tenantctl rebalance plan") + 1, said.length() - 1);
        // the pasted command, tenantctl standing in as a function that prints a plan
        Process p = new ProcessBuilder("bash", "-c", "tenantctl() { echo '{\"moves\": []}'; }\n" + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", command, out).isZero();
        assertThat(plan).as(command).exists();
    }
}
