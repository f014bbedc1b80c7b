package io.tenantctl.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a child JVM with an environment of the test's choosing, for what an
 * in-process run cannot show: what the process reads from its real environment, and what it logs on its real stderr.
 */
public final class ChildJvm {

    /** What the child did: exit code, and its stdout and stderr as files. */
    public record Exit(int code, Path stdout, Path stderr) {
        public String out() throws IOException {
            return Files.readString(stdout);
        }

        public String err() throws IOException {
            return Files.readString(stderr);
        }
    }

    private ChildJvm() {
    }

    /**
     * Starts {@code mainClass} with exactly {@code env} as its environment (plus PATH, HOME and Cli's pool connect timeout) and waits for it at
     * most {@code timeoutSeconds}.
     */
    public static Exit run(Path dir, Map<String, String> env, long timeoutSeconds, String mainClass, String... args)
            throws IOException, InterruptedException {
        return run(dir, env, timeoutSeconds, List.of("-Xmx512m"), mainClass, args);
    }

    /** As {@link #run(Path, Map, long, String, String...)}, with these JVM options (the heap limit among them). */
    public static Exit run(Path dir, Map<String, String> env, long timeoutSeconds, List<String> jvmOptions, String mainClass, String... args)
            throws IOException, InterruptedException {
        Process p = start(dir, env, jvmOptions, mainClass, args);
        Path out = dir.resolve("child.stdout");
        Path err = dir.resolve("child.stderr");
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM " + mainClass + " did not finish within " + timeoutSeconds + " s; stderr: "
                    + Files.readString(err));
        }
        return new Exit(p.exitValue(), out, err);
    }

    /** As {@link #run(Path, Map, long, String, String...)}, its stdout written to {@code stdout} (/dev/full: a full disk). */
    public static Exit runWithStdout(Path dir, java.io.File stdout, Map<String, String> env, long timeoutSeconds, String mainClass,
            String... args) throws IOException, InterruptedException {
        Process p = start(dir, env, List.of("-Xmx512m"), ProcessBuilder.Redirect.to(stdout), mainClass, args);
        Path err = dir.resolve("child.stderr");
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM " + mainClass + " did not finish within " + timeoutSeconds + " s; stderr: "
                    + Files.readString(err));
        }
        return new Exit(p.exitValue(), stdout.toPath(), err);
    }

    /** Starts it and returns at once (to kill it at a chosen moment); its output goes to child.stdout / child.stderr in dir. */
    public static Process start(Path dir, Map<String, String> env, String mainClass, String... args) throws IOException {
        return start(dir, env, List.of("-Xmx512m"), mainClass, args);
    }

    /** As {@link #start(Path, Map, String, String...)}, with these JVM options. */
    public static Process start(Path dir, Map<String, String> env, List<String> jvmOptions, String mainClass, String... args)
            throws IOException {
        return start(dir, env, jvmOptions, ProcessBuilder.Redirect.to(dir.resolve("child.stdout").toFile()), mainClass, args);
    }

    private static Process start(Path dir, Map<String, String> env, List<String> jvmOptions, ProcessBuilder.Redirect stdout,
            String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (jvmOptions.stream().noneMatch(o -> o.contains("Tiered"))) {
            // a child lives a second or two: C2 compiling costs it more CPU than it saves (~0.45 s of 1.1 s user per start)
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Files.createDirectories(dir);
        Path err = dir.resolve("child.stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout).redirectError(err.toFile());
        pb.environment().clear();
        for (String keep : new String[]{"PATH", "HOME", "TMPDIR", "LANG"}) {
            String v = System.getenv(keep);
            if (v != null) {
                pb.environment().put(keep, v);
            }
        }
        pb.environment().putAll(env);
        // as in-process (Cli): a pool that does not answer is given up on after a second unless the test chose otherwise
        pb.environment().putIfAbsent(io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, Cli.QUICK_CONNECT_TIMEOUT_MS);
        return pb.start();
    }
}
