package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
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

    /** A noun typed alone ('tenantctl orgs') names the commands it has, not just "Missing required subcommand". */
    @Test
    void aNounAloneNamesItsCommands() {
        Cli.Result orgs = new Cli(Map.of("USER", "test")).run("orgs");
        assertThat(orgs.exitCode()).isEqualTo(2);
        assertThat(orgs.err()).as(orgs.toString()).contains("tenantctl orgs needs a command: list, show, adopt, forget")
                .contains("Run 'tenantctl orgs --help'");
    }

    @Test
    void everyCommandsFirstDescriptionLineIsAWholeSentence() {
        assertThat(everyCommand((spec, cut) -> {
            String[] description = spec.usageMessage().description();
            String first = description.length == 0 ? "" : description[0].strip();
            if (spec.parent() != null && !first.matches(".*[.?!]")) { // the root is in no command list
                cut.add(spec.qualifiedName() + ": " + first);
            }
        })).as("commands whose listed line stops mid-sentence").isEmpty();
    }

    @Test
    void everyArgumentAndOptionOfEveryCommandIsDescribed() {
        assertThat(everyCommand((spec, bare) -> {
            spec.positionalParameters().stream().filter(p -> !p.hidden() && String.join("", p.description()).isBlank())
                    .forEach(p -> bare.add(spec.qualifiedName() + " " + p.paramLabel()));
            spec.options().stream().filter(o -> !o.hidden() && String.join("", o.description()).isBlank())
                    .forEach(o -> bare.add(spec.qualifiedName() + " " + o.longestName()));
        })).as("arguments and options --help lists with no description").isEmpty();
    }

    /**
     * picocli wraps each element of a description on its own, so a paragraph written as several elements came out ragged
     * ("… dropped by the" / "same routine as …"): a command's description is its listed line and at most one paragraph,
     * an option's is one paragraph.
     */
    @Test
    void everyDescriptionIsOneParagraphThatPicocliWraps() {
        assertThat(everyCommand((spec, ragged) -> {
            if (spec.usageMessage().description().length > 2) {
                ragged.add(spec.qualifiedName());
            }
            spec.options().stream().filter(o -> o.description().length > 1).forEach(o -> ragged.add(spec.qualifiedName() + " " + o.longestName()));
        })).as("descriptions picocli would break mid-paragraph").isEmpty();
    }

    /** What {@code check} adds for each command of the tree, the root included. */
    private static List<String> everyCommand(BiConsumer<CommandSpec, List<String>> check) {
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            List<String> found = new ArrayList<>();
            walk(TenantCtl.commandLine(ctx), check, found);
            return found;
        }
    }

    private static void walk(CommandLine cmd, BiConsumer<CommandSpec, List<String>> check, List<String> found) {
        check.accept(cmd.getCommandSpec(), found);
        cmd.getSubcommands().values().forEach(sub -> walk(sub, check, found));
    }
}
