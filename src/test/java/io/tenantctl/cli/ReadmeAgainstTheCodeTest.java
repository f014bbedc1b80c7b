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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the README names against what the code has, for the claims that are cheap to check by reading both: the section
 * links resolve, every TENANTCTL_ variable it names is one tenantctl (or its scripts) reads, and every option a command's
 * --help lists is told where the README speaks of that command. ReadmeCommandsParseTest checks that the shown command
 * lines parse; an option added to a command and never mentioned where the operator reads about the verb is found here.
 */
class ReadmeAgainstTheCodeTest {

    /** The run engine's options, described once for every fan-out verb (README: Runs, Metrics and logs). */
    private static final Set<String> RUN_ENGINE = Set.of("--per-pool", "--concurrency", "--rate", "--wait", "--busy-timeout",
            "--detach", "--join", "--resume", "--metrics-file");

    private static String readme() throws IOException {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void everySectionLinkResolves() throws IOException {
        String readme = readme();
        Set<String> anchors = new TreeSet<>();
        boolean inBlock = false;
        for (String line : readme.split("\n")) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (!inBlock && line.matches("#{1,6} .*")) {
                anchors.add(line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'));
            }
        }
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("]\\(#([^)]+)\\)").matcher(readme);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertThat(links).as("the README links sections").isNotEmpty();
        assertThat(links).as("links to sections the README has (" + anchors + ")").allMatch(anchors::contains);
    }

    @Test
    void everyTenantctlVariableTheReadmeNamesIsRead() throws IOException {
        Set<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("TENANTCTL_[A-Z0-9_]*[A-Z0-9]").matcher(readme());
        while (m.find()) {
            named.add(m.group());
        }
        StringBuilder code = new StringBuilder();
        for (String dir : new String[]{"src/main", "src/test/java/io/tenantctl/testing", "scripts"}) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    code.append(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)).append('\n');
                }
            }
        }
        // the variables tenantctl makes up for a pool's moved-out secret: TENANTCTL_POOL_<POOL>_<NAME>, e.g. …_POOL_3_PASSWORD
        List<String> unread = named.stream().filter(v -> !v.matches("TENANTCTL_POOL_POOL_\\d+_PASSWORD(_\\d+)?"))
                .filter(v -> !code.toString().contains(v)).toList();
        assertThat(named).as("variables found").contains("TENANTCTL_CATALOG_URL", "TENANTCTL_STORE");
        assertThat(unread).as("TENANTCTL_ variables the README names and nothing reads").isEmpty();
    }

    @Test
    void everyOptionOfACommandIsToldWhereTheReadmeSpeaksOfIt() throws IOException {
        List<String> blocks = new ArrayList<>();
        for (String paragraph : readme().split("\n\\s*\n")) {
            blocks.addAll(Arrays.asList(paragraph.split("\n(?=\\s*- |\\d+\\. )")));
        }
        List<String> untold = new ArrayList<>();
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            CommandLine root = TenantCtl.commandLine(ctx);
            Set<String> global = root.getCommandSpec().options().stream().flatMap(o -> Arrays.stream(o.names())).collect(Collectors.toSet());
            leaves(root, "", (path, cl) -> {
                String leaf = path.substring(path.lastIndexOf(' ') + 1);
                Pattern command = Pattern.compile("(?<![\\w-])" + Pattern.quote(path) + "(?![\\w-])|\\*\\*" + Pattern.quote(leaf) + "\\*\\*");
                boolean fanOut = cl.getCommandSpec().findOption("--join") != null;
                for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
                    String name = o.longestName();
                    if (o.hidden() || global.contains(name) || fanOut && RUN_ENGINE.contains(name) || name.equals("--dry-run")) {
                        continue; // --dry-run: "Every mutating verb has --dry-run"
                    }
                    Pattern option = Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])");
                    if (blocks.stream().noneMatch(b -> command.matcher(b).find() && option.matcher(b).find())) {
                        untold.add(path + " " + name);
                    }
                }
            });
        }
        assertThat(untold).as("options --help lists that no README paragraph about their command mentions").isEmpty();
    }

    private static void leaves(CommandLine cl, String path, java.util.function.BiConsumer<String, CommandLine> each) {
        if (cl.getSubcommands().isEmpty()) {
            each.accept(path, cl);
            return;
        }
        if (!path.isEmpty()) {
            each.accept(path, cl); // verify has options of its own besides verify ack
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                leaves(sub, (path + " " + name).strip(), each);
            }
        });
    }
}
