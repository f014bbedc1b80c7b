package io.tenantctl.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line scripts/tenantctl runs tenantctl with, for benchmarks that time it as a separate process. */
final class ShippedJvm {

    private ShippedJvm() {
    }

    /**
     * java, then the options scripts/tenantctl uses (ParallelGC, and the class data sharing archive scripts/bench
     * passes in BENCH_TENANTCTL_CDS), then {@code extra}, then BENCH_TENANTCTL_JAVA_OPTS (a profiler, say), then
     * {@code -jar JAR}.
     */
    static List<String> command(Path jar, String... extra) {
        List<String> cmd = options(extra);
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    /**
     * The same java and options, running {@code mainClass} of the benchmarks (this JVM's test classes) with tenantctl's
     * jar first on the class path, so the class data sharing archive still applies to the jar's classes.
     */
    static List<String> mainClass(Path jar, Class<?> mainClass, String... extra) {
        List<String> cmd = options(extra);
        String tests = Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        cmd.addAll(List.of("-cp", jar + java.io.File.pathSeparator + tests, mainClass.getName()));
        return cmd;
    }

    private static List<String> options(String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC"));
        cmd.addAll(words(System.getenv("BENCH_TENANTCTL_CDS")));
        cmd.addAll(List.of(extra));
        cmd.addAll(words(System.getenv("BENCH_TENANTCTL_JAVA_OPTS")));
        return cmd;
    }

    private static List<String> words(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }
}
