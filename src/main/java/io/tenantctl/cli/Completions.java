package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import picocli.AutoComplete;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Generates the bash completion script from the picocli model (zsh loads it through bashcompinit).
 * The build writes it to target/completions/; {@code scripts/completions} refreshes the committed copy.
 */
public final class Completions {

    private Completions() {
    }

    public static String bash() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        try (CliContext ctx = new CliContext(sink, sink, Map.of(), UnaryOperator.identity(), new CancelToken())) {
            return AutoComplete.bash("tenantctl", TenantCtl.commandLine(ctx));
        }
    }

    /** Writes the script to the path given as the only argument. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, bash());
    }
}
