package io.tenantctl.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/sandbox up --pools abc} printed "sandbox failed to start" and a NumberFormatException's stack trace, exit 3,
 * as if the sandbox had broken. A value the sandbox cannot take is now one line naming the option and what it takes,
 * exit 2, before anything starts.
 */
class SandboxOptionsTest {

    @TempDir
    Path dir;

    /** The script itself, from a checkout whose classes are this build's (so nothing is built). */
    @Test
    void aBadPoolsValueIsOneLineExit2NamingTheOption() throws Exception {
        Path root = dir.resolve("checkout");
        Files.createDirectories(root.resolve("scripts"));
        Files.createDirectories(root.resolve("target"));
        Files.copy(Path.of("scripts/sandbox"), root.resolve("scripts/sandbox"));
        Files.createSymbolicLink(root.resolve("target/test-classes"), Path.of("target/test-classes").toAbsolutePath());
        Files.createSymbolicLink(root.resolve("target/classes"), Path.of("target/classes").toAbsolutePath());
        Files.writeString(root.resolve("target/sandbox.classpath"), System.getProperty("java.class.path"));

        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/sandbox").toString(), "up", "--pools", "abc")
                .redirectErrorStream(true);
        pb.environment().put("SANDBOX_DIR", dir.resolve("sb").toString());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        assertThat(out).as(out).isEqualTo("sandbox: --pools takes a whole number of pools, 1 or more (got 'abc')\n");
        assertThat(dir.resolve("sb/pg")).as("nothing started").doesNotExist();
    }

    @Test
    void everyValueItCannotTakeIsSaidAsWhatTheOptionTakes() {
        assertThatThrownBy(() -> Sandbox.Options.parse("d", "--pools", "0"))
                .hasMessage("--pools takes a whole number of pools, 1 or more (got '0')");
        assertThatThrownBy(() -> Sandbox.Options.parse("d", "--pools"))
                .hasMessage("--pools needs a value: a whole number of pools, 1 or more");
        assertThatThrownBy(() -> Sandbox.Options.parse("d", "--latency-ms", "5ms"))
                .hasMessage("--latency-ms takes a whole number of milliseconds, 0 or more (got '5ms')");
        assertThatThrownBy(() -> Sandbox.Options.parse("d", "--pool", "3"))
                .hasMessage("unknown sandbox option '--pool': it takes scripts/sandbox up [--pools N] [--latency-ms MS] [--memory]");
        assertThat(Sandbox.Options.parse("d", "--pools", "3", "--latency-ms", "20", "--memory"))
                .isEqualTo(new Sandbox.Options(Path.of("d").toAbsolutePath(), 3, 20, true));
    }
}
