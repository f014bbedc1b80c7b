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
 * must say what the command does by itself, as a whole sentence, not stop in the middle of one. And a command's own
 * help says what each of its arguments and options is, in paragraphs picocli wraps: none is a bare label.
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

    @Test
    void everyArgumentAndOptionOfEveryCommandIsDescribed() {
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            List<String> bare = new ArrayList<>();
            undescribed(TenantCtl.commandLine(ctx), bare);
            assertThat(bare).as("arguments and options --help lists with no description").isEmpty();
        }
    }

    /**
     * picocli wraps each element of a description on its own, so a paragraph written as several elements came out ragged
     * ("… dropped by the" / "same routine as …"): a command's description is its listed line and at most one paragraph,
     * an option's is one paragraph.
     */
    @Test
    void everyDescriptionIsOneParagraphThatPicocliWraps() {
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            List<String> ragged = new ArrayList<>();
            paragraphs(TenantCtl.commandLine(ctx), ragged);
            assertThat(ragged).as("descriptions picocli would break mid-paragraph").isEmpty();
        }
    }

    private static void paragraphs(CommandLine cmd, List<String> ragged) {
        String name = cmd.getCommandSpec().qualifiedName();
        if (cmd.getCommandSpec().usageMessage().description().length > 2) {
            ragged.add(name);
        }
        cmd.getCommandSpec().options().stream().filter(o -> o.description().length > 1)
                .forEach(o -> ragged.add(name + " " + o.longestName()));
        cmd.getSubcommands().values().forEach(sub -> paragraphs(sub, ragged));
    }

    private static void undescribed(CommandLine cmd, List<String> bare) {
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getCommandSpec().positionalParameters().stream()
                .filter(p -> !p.hidden() && String.join("", p.description()).isBlank())
                .forEach(p -> bare.add(name + " " + p.paramLabel()));
        cmd.getCommandSpec().options().stream()
                .filter(o -> !o.hidden() && String.join("", o.description()).isBlank())
                .forEach(o -> bare.add(name + " " + o.longestName()));
        cmd.getSubcommands().values().forEach(sub -> undescribed(sub, bare));
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
