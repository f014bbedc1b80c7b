package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tenantctl builds the commands of the one top-level command a line names (picocli builds every command's model up
 * front, ~10 ms a run): whatever a line asks about the others still sees them all — the top-level help asked before a
 * command, the suggestions for a mistyped command after global options, and help through 'help'.
 */
class CommandTreeOfOneLineTest {

    private static final List<String> EVERY_COMMAND = List.of("init", "pools", "provision", "migrate-all", "orgs", "schema", "runs",
            "backup", "restore", "backups", "rebalance", "verify", "help");

    private final Cli cli = new Cli(Map.of("USER", "test"));

    @Test
    void theTopLevelHelpAskedBeforeACommandListsEveryCommand() {
        for (String help : List.of("-h", "--help")) {
            Cli.Result r = cli.run(help, "orgs");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).as(r.toString()).contains("Operate a database-per-organisation fleet");
            for (String command : EVERY_COMMAND) {
                assertThat(r.out()).as(r.toString()).containsPattern("(?m)^\\s+" + java.util.regex.Pattern.quote(command) + "\\s");
            }
        }
    }

    @Test
    void aMistypedCommandAfterGlobalOptionsIsOfferedTheCommandMeant() {
        // 'backup' is a command too: the line names none tenantctl would run, so every command is a candidate
        Cli.Result r = cli.run("--log-format", "text", "-q", "restor", "backup");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("restor").contains("Did you mean").contains("restore");
    }

    @Test
    void helpOfACommandThroughHelpAndAMistypedSubcommandStillFindTheirCommands() {
        Cli.Result help = cli.run("help", "pools", "add");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.out()).contains("pools add");
        Cli.Result typo = cli.run("--no-progress", "orgs", "lst");
        assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(2);
        assertThat(typo.err()).as(typo.toString()).contains("lst").contains("list");
    }
}
