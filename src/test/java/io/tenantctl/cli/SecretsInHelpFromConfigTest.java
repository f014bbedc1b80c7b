package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The config file may hold the catalog URL with its password (README, Security: "The catalog URL may carry
 * user:password@ (it comes from the environment or --config)"), and help text is output like any other: no command's
 * --help, help COMMAND or --help -o json may show it. picocli's "Default:" column shows what the config file's default
 * provider gives an option, so every command's --catalog line is checked, the commands taken from the picocli tree.
 */
class SecretsInHelpFromConfigTest {

    private static final String PASSWORD = "Cfg-HelpSentinel-91Zq";

    @Test
    void noHelpShowsTheConfigFilesCatalogPassword(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, "catalog=postgres://tenantctl:" + PASSWORD + "@catalog.internal:5432/fleet\n");
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CONFIG", config.toString()));

        List<List<String>> commands = new ArrayList<>();
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            collect(TenantCtl.commandLine(ctx), new ArrayList<>(), commands);
        }
        assertThat(commands).hasSizeGreaterThan(40);

        List<String> leaks = new ArrayList<>();
        for (List<String> path : commands) {
            List<List<String>> forms = new ArrayList<>();
            forms.add(with(path, "--help"));
            forms.add(with(path, "--help", "-o", "json"));
            List<String> help = new ArrayList<>(List.of("help"));
            help.addAll(path);
            forms.add(help);
            for (List<String> args : forms) {
                Cli.Result r = cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(r.toString()).isZero();
                if ((r.out() + r.err()).contains(PASSWORD)) {
                    leaks.add(String.join(" ", args));
                }
            }
        }
        assertThat(leaks).as("help that prints the config file's catalog password").isEmpty();
    }

    private static List<String> with(List<String> path, String... tail) {
        List<String> args = new ArrayList<>(path);
        args.addAll(List.of(tail));
        return args;
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> sub : cmd.getSubcommands().entrySet()) {
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            collect(sub.getValue(), next, out);
        }
    }
}
