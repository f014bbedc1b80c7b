package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Help as -o json asks for it: one {"command", "usage"} document on stdout, however the help was reached. */
class HelpJsonTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    @Test
    void noSubcommandWithJsonPrintsTheJsonHelpDocument() {
        Cli.Result bare = cli.run("-o", "json");
        assertThat(bare.exitCode()).as(bare.toString()).isZero();
        JsonNode doc = strictJson(bare);
        assertThat(doc.get("command").asText()).isEqualTo("tenantctl");
        assertThat(doc.get("usage").asText()).contains("Usage: tenantctl").contains("verify");
        assertThat(bare.err()).isEmpty();

        Cli.Result help = cli.run("--help", "-o", "json");
        assertThat(strictJson(help)).as("the same document as --help -o json").isEqualTo(doc);

        Cli.Result text = cli.run();
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).startsWith("Usage: tenantctl").isEqualTo(cli.run("--help").out());
    }

    /** Found by a probing helper: a command without subcommands listed "its commands: " and nothing after it. */
    @Test
    void helpOfAnArgumentOfACommandWithoutSubcommandsSaysWhereItsHelpIs() {
        Cli.Result r = cli.run("help", "backups", "show", "20261204T175039Z-szd1n8", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(strictJson(r).get("error").get("message").asText()).isEqualTo("no command '20261204T175039Z-szd1n8' under "
                + "'tenantctl backups show': it has no subcommands; 'tenantctl help backups show' shows its help");
        assertThat(cli.run("help", "backups", "nope").err()).contains("its commands: list, show, prune");
    }
}
