package io.tenantctl.ferretdb;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tests only where Testcontainers finds a Docker engine. Elsewhere each test is reported as skipped with
 * {@link #SKIP_MESSAGE}, and the message is printed once so it shows in the build log, not just in the XML report.
 *
 * <p>Any failure while looking for the engine (no socket, no client config, any Throwable from the client) counts
 * as "no engine": this condition never fails a build.
 *
 * <p>The decision is made per test method, not for the class: a class skipped before it starts has no test set in
 * Surefire, so anything printed while deciding would land in {@code null-output.txt} instead of the class's
 * {@code *-output.txt}. Suites using this condition must therefore start their containers lazily (or in
 * {@code @BeforeAll} guarded by {@link #dockerAvailable()}), never unconditionally.
 */
public final class RequiresDocker implements ExecutionCondition {

    static final String SKIP_MESSAGE =
            "No Docker engine found: skipping the real FerretDB suite (runs where Docker is available)";

    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();
    private static Boolean available;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("Docker engine availability is checked per test");
        }
        if (dockerAvailable()) {
            return ConditionEvaluationResult.enabled("Docker engine found");
        }
        if (ANNOUNCED.compareAndSet(false, true)) {
            announce();
        }
        return ConditionEvaluationResult.disabled(SKIP_MESSAGE);
    }

    /** Asked once per JVM: Testcontainers' own probe, which tries every configured way to reach an engine. */
    static synchronized boolean dockerAvailable() {
        if (available == null) {
            boolean found;
            try {
                found = DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable t) {
                found = false;
            }
            available = found;
        }
        return available;
    }

    /**
     * To System.err (Surefire files it with the class's test output) and to the process's own stderr: with
     * {@code redirectTestOutputToFile} System.err never reaches the console, and Surefire passes a forked JVM's
     * native stderr through to the build log, even under {@code mvn -q}. (Native stdout would corrupt Surefire's
     * channel, so never that.)
     */
    private static void announce() {
        System.err.println(SKIP_MESSAGE);
        System.err.flush();
        try {
            PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, Charset.defaultCharset());
            console.println(SKIP_MESSAGE);
            console.flush();
        } catch (RuntimeException ignored) {
            // the System.err line and the skip reason in the reports remain
        }
    }
}
