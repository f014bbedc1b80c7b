package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every tenantctl command line the README's shell examples, deploy/'s manifests and its systemd units show is one this
 * tenantctl accepts: its command exists and every option it passes is known and takes the value shown. An operator
 * copies them at 3 a.m.; an option renamed in the code and not in the docs would be found then, not here. Placeholders
 * stand for values: [optional parts] are taken with their contents, N/D/W for numbers, "$RUN_ID" for a run id.
 */
class ReadmeCommandsParseTest {

    private static final Pattern COMMAND = Pattern.compile("(?:^|\\$\\(|\\|\\s*|&&\\s*|;\\s*)\\s*(tenantctl\\s[^|;)&>#]*)");

    @Test
    void everyCommandTheReadmeAndDeployShowParses() throws IOException {
        List<String> commands = new ArrayList<>();
        readmeCommands(Path.of("README.md"), commands);
        try (Stream<Path> files = Files.walk(Path.of("deploy"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                deployCommands(f, commands);
            }
        }
        try (Stream<Path> files = Files.walk(Path.of("deploy"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".service")).sorted().toList()) {
                unitCommands(f, commands);
            }
        }
        assertThat(commands).as("the examples found").hasSizeGreaterThan(60);
        List<String> refused = new ArrayList<>();
        for (String c : commands) {
            try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                    UnaryOperator.identity(), new CancelToken())) {
                List<String> args = words(c.substring(c.indexOf(": tenantctl ") + 2));
                TenantCtl.commandLine(ctx).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                refused.add(c + "  ->  " + e.getMessage());
            }
        }
        assertThat(refused).as("documented commands tenantctl refuses").isEmpty();
    }

    /** The tenantctl lines of the README's shell code blocks, each as "README.md:LINE: tenantctl …". */
    private static void readmeCommands(Path readme, List<String> out) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        boolean inBlock = false;
        String lang = "";
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                inBlock = !inBlock;
                lang = l.substring(3).trim();
                continue;
            }
            if (inBlock && (lang.equals("sh") || lang.equals("bash") || lang.isEmpty())) {
                Matcher m = COMMAND.matcher(l);
                while (m.find()) {
                    out.add(readme + ":" + (i + 1) + ": " + m.group(1).trim());
                }
            }
        }
    }

    /** The args of deploy/'s containers (args: ["verb", …]) and the tenantctl lines of their comments. */
    private static void deployCommands(Path yaml, List<String> out) throws IOException {
        List<String> lines = Files.readAllLines(yaml);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            Matcher args = Pattern.compile("^\\s*args:\\s*\\[(.*)]\\s*$").matcher(l);
            if (args.find()) {
                out.add(yaml + ":" + (i + 1) + ": tenantctl " + args.group(1).replaceAll("\"\\s*,\\s*\"", "\" \""));
                continue;
            }
            Matcher m = COMMAND.matcher(l.replaceFirst("^\\s*#\\s*", ""));
            while (m.find()) {
                out.add(yaml + ":" + (i + 1) + ": " + m.group(1).trim());
            }
        }
    }

    /**
     * A systemd unit's tenantctl lines: its ExecStart (continued lines joined), whose arguments after the image are
     * tenantctl's, and a {@code java -jar …/tenantctl.jar …} its header shows instead.
     */
    private static void unitCommands(Path unit, List<String> out) throws IOException {
        List<String> lines = Files.readAllLines(unit);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("ExecStart=")) {
                StringBuilder exec = new StringBuilder(l.substring("ExecStart=".length()));
                int at = i;
                while (exec.toString().endsWith("\\") && at + 1 < lines.size()) {
                    exec.setLength(exec.length() - 1);
                    exec.append(' ').append(lines.get(++at).strip());
                }
                Matcher m = Pattern.compile("\\S+/tenantctl:\\S+\\s+(.*)$").matcher(exec.toString().strip());
                assertThat(m.find()).as("%s:%d: ExecStart runs the image: %s", unit, i + 1, exec).isTrue();
                out.add(unit + ":" + (i + 1) + ": tenantctl " + m.group(1));
            }
            Matcher jar = Pattern.compile("java -jar \\S+/tenantctl\\.jar ([^`]*)").matcher(l);
            while (jar.find()) {
                out.add(unit + ":" + (i + 1) + ": tenantctl " + jar.group(1).strip());
            }
        }
    }

    /** Shell words: quotes kept together and removed, [optional] brackets dropped, placeholders given values. */
    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(line.replace("[", " ").replace("]", " "));
        while (m.find()) {
            String w = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            out.add(switch (w) {
                case "N", "D", "W" -> "3";
                case "$RUN_ID", "REPLACE_RUN_ID" -> "20261123T170102Z-1a2b";
                default -> w;
            });
        }
        return out;
    }
}
