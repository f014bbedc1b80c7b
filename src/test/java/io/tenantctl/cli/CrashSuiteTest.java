package io.tenantctl.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The crash suite's fast slice, in the default build: one seed per verb (see {@link CrashSuite}). The full suite is
 * {@link CrashSuiteSlowTest}; replay any seed here with -Dcrash.verb=VERB -Dcrash.seed=N.
 */
class CrashSuiteTest {

    @TestFactory
    Stream<DynamicTest> oneSeedPerVerb(@TempDir Path dir) {
        return CrashSuite.tests(new long[]{Long.getLong("crash.fast.seed", 0)}, dir);
    }
}
