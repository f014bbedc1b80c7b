package io.tenantctl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract gap: a Ctrl-C in the JVM's first moments, before tenantctl put in its signal handler, exited 130 with an
 * empty stdout (the JVM's own handler), so {@code tenantctl … -o json | jq} got nothing to parse. The handler is now put
 * in first of all, and a signal that comes before the command started is said by the command line's own refusal: exit
 * 130, one line on stderr, and under -o json the one error document every other failure prints.
 */
class ACtrlCBeforeTheCommandStartsTest {

    @Test
    void aCtrlCAsSoonAsTheHandlerIsInExits130WithOneJsonDocumentAndOneLine(@TempDir Path dir) throws Exception {
        Process child;
        try (ServerSocket ready = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ready.setSoTimeout(60_000);
            child = ChildJvm.start(dir, Map.of("USER", "test"), List.of("-Xmx128m", "-Dready.port=" + ready.getLocalPort()),
                    HeldAtStart.class.getName(), "orgs", "list", "-o", "json");
            try (Socket held = ready.accept()) {
                assertThat(held.getInputStream().read()).as("the child is held at its start").isEqualTo('R');
                Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).inheritIO().start();
                assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
        assertRefusedBeforeItStarted(dir, child);
    }

    /**
     * The operator stuck before the command starts (a config file that does not answer) presses Ctrl-C twice: the second
     * still quits at once, but says the same refusal as the first would have, and -o json still gets its one document
     * (before: the second halted the process with stdout empty, or, once the command line was set up, said "the orgs in
     * flight were stopped" of orgs that never were).
     */
    @Test
    void aSecondCtrlCBeforeTheCommandStartsQuitsAtOnceWithTheSameOneJsonDocumentAndOneLine(@TempDir Path dir) throws Exception {
        Process child;
        try (ServerSocket ready = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ready.setSoTimeout(60_000);
            child = ChildJvm.start(dir, Map.of("USER", "test"), List.of("-Xmx128m", "-Dready.port=" + ready.getLocalPort()),
                    HeldThroughTwoSignals.class.getName(), "orgs", "list", "-o", "json");
            try (Socket held = ready.accept()) {
                held.setSoTimeout(60_000);
                assertThat(held.getInputStream().read()).as("the child is held at its start").isEqualTo('R');
                kill(child);
                assertThat(held.getInputStream().read()).as("the first Ctrl-C is in, the child still held").isEqualTo('C');
                kill(child);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the second Ctrl-C quits at once").isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
        assertRefusedBeforeItStarted(dir, child);
    }

    /** Exit 130, exactly one JSON document (the interrupted error) on stdout and one line on stderr, saying nothing was done. */
    private static void assertRefusedBeforeItStarted(Path dir, Process child) throws Exception {
        String out = Files.readString(dir.resolve("child.stdout"));
        String err = Files.readString(dir.resolve("child.stderr"));
        assertThat(child.exitValue()).as(err).isEqualTo(130);
        JsonNode doc;
        try {
            doc = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(out);
        } catch (Exception e) {
            throw new AssertionError("stdout is not exactly one JSON document: [" + out + "], stderr: " + err, e);
        }
        assertThat(doc != null && doc.isObject()).as("one JSON document on stdout, which was [" + out + "]; stderr: " + err).isTrue();
        JsonNode error = doc.get("error");
        assertThat(error.get("code").asInt()).as(out).isEqualTo(130);
        assertThat(error.get("category").asText()).isEqualTo("interrupted");
        assertThat(error.get("message").asText()).contains("before the command started").contains("nothing was done");
        assertThat(err.strip().lines().toList()).as(err).singleElement().asString()
                .startsWith("error: interrupted by Ctrl-C").contains("nothing was done").contains("run it again");
    }

    private static void kill(Process child) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /**
     * tenantctl's main held once its signal handlers are in, as a config file that does not answer holds it: tells the test
     * 'R', then 'C' once the first signal has cancelled it, and stays held (until the process ends) for the second.
     */
    public static final class HeldThroughTwoSignals {
        public static void main(String[] args) {
            Main.main(args, cancel -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.getInteger("ready.port"))) {
                    s.getOutputStream().write('R');
                    s.getOutputStream().flush();
                    cancel.pause(TimeUnit.SECONDS.toNanos(60)); // until the first signal's handler has cancelled it
                    s.getOutputStream().write('C');
                    s.getOutputStream().flush();
                    s.setSoTimeout(60_000);
                    s.getInputStream().read(); // held: the test closes the socket only once the process is gone
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    /** tenantctl's main, held once its signal handlers are in until the test has sent its signal (told on a socket). */
    public static final class HeldAtStart {
        public static void main(String[] args) {
            Main.main(args, cancel -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.getInteger("ready.port"))) {
                    s.getOutputStream().write('R');
                    s.getOutputStream().flush();
                    cancel.pause(TimeUnit.SECONDS.toNanos(60)); // until the signal's handler has cancelled it
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }
}
