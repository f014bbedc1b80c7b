package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code migrate-all --org a1,,a2} was refused ("org id is empty") but {@code --org a1,} was accepted,
 * its empty last item dropped without a word. An empty item anywhere is refused alike, naming the list meant.
 */
class EmptyItemInACommaListIsRefusedTest {

    @Test
    void anEmptyItemAnywhereInACommaListIsRefusedTheSameWay() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String list : new String[]{"a1,", "a1,,a2", ",a1"}) {
            Cli.Result r = cli.run("migrate-all", "--org", list, "--dry-run");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).as(r.toString()).contains("--org '" + list + "' has an empty ORG (a comma too many): give --org "
                    + list.replaceAll(",+", ",").replaceAll("^,|,$", ""));
        }
    }
}
