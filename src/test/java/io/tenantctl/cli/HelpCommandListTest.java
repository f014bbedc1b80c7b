package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command list (the root's "Commands:", a group's) shows only the first line of each command's description: that line
 * must say what the command does by itself, as a whole sentence, not stop in the middle of one.
 */
class HelpCommandListTest {

    @Test
    void theRootHelpListsVerifyWithAWholeSentence() {
        Cli.Result help = new Cli(Map.of("USER", "test")).run("--help");
        String verify = help.out().substring(help.out().indexOf("\n  verify ")).replaceAll("\\s+", " ");
        assertThat(verify).as(help.toString())
                .startsWith(" verify Check the fleet's health: each finding with a stable id and the command that fixes it. help ");
    }

    @Test
    void everyCommandsFirstDescriptionLineIsAWholeSentence() {
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            List<String> cut = new ArrayList<>();
            collect(TenantCtl.commandLine(ctx), cut);
            assertThat(cut).as("commands whose listed line stops mid-sentence").isEmpty();
        }
    }

    private static void collect(CommandLine cmd, List<String> cut) {
        for (CommandLine sub : cmd.getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            String first = description.length == 0 ? "" : description[0].strip();
            if (!first.matches(".*[.?!]")) {
                cut.add(sub.getCommandSpec().qualifiedName() + ": " + first);
            }
            collect(sub, cut);
        }
    }
}
