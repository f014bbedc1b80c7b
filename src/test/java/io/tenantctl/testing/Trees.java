package io.tenantctl.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory trees in tests. */
public final class Trees {

    private Trees() {
    }

    /**
     * A new temporary directory (named {@code prefix}…) deleted with everything in it when the JVM exits, on Ctrl-C too:
     * for benchmarks, whose files (a generated collection, its backups) run to a gigabyte a run.
     */
    public static Path scratch(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                delete(dir);
            } catch (IOException | RuntimeException e) {
                System.err.println("could not delete " + dir + ": " + e.getMessage());
            }
        }, "scratch-cleanup"));
        return dir;
    }

    /** Deletes {@code root} and everything under it, deepest first. */
    public static void delete(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
