package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Help text shows ${VAR} placeholders as written: picocli would otherwise fill them in, secrets included. */
class HelpTextTest {

    private static final List<String> PLACEHOLDERS = List.of("ENV", "POOL3_PASSWORD", "REF_PASSWORD");

    @Test
    void noCommandsHelpExpandsAVariable() {
        // picocli looks a ${NAME} up in system properties before the environment: a property stands in for a secret
        PLACEHOLDERS.forEach(p -> System.setProperty(p, "leaked-" + p));
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            List<String> usages = new ArrayList<>();
            collect(TenantCtl.commandLine(ctx), usages);
            assertThat(String.join("\n", usages)).doesNotContain("leaked-")
                    .contains("${ENV}", "app:${POOL3_PASSWORD}", "app:${REF_PASSWORD}");
        } finally {
            PLACEHOLDERS.forEach(System::clearProperty);
        }
    }

    private static void collect(CommandLine cmd, List<String> out) {
        out.add(cmd.getUsageMessage());
        cmd.getSubcommands().values().forEach(sub -> collect(sub, out));
    }
}
