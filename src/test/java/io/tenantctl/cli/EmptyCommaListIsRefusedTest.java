package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --org ,} (a script's {@code --org "$LIST"} with nothing in the list but a comma) gave no value, and no --org
 * means every org: {@code backups prune --org ,} pruned the whole fleet's backups, {@code migrate-all --org ,} rolled out
 * to every org. Refused now, exit 2, before anything is read or written.
 */
class EmptyCommaListIsRefusedTest {

    @Test
    void aCommaSeparatedOptionThatNamesNothingIsAUsageError() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String[] args : new String[][]{
                {"backups", "prune", "--org", ",", "--keep-last", "0", "--keep-daily", "0", "--dry-run"},
                {"migrate-all", "--org", ",,", "--dry-run"},
                {"verify", "--pool", ","},
                {"backup", "--org", "acme", "--org", ","}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("names nothing: give at least one").contains("or leave");
            assertThat(r.err().strip().lines().count()).as("one line").isEqualTo(1);
        }
        Cli.Result json = cli.run("backups", "list", "--org", ",", "-o", "json");
        assertThat(json.exitCode()).isEqualTo(2);
        assertThat(strictJson(json).get("error").get("message").asText()).contains("--org ',' names nothing");
    }
}
