package io.tenantctl.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The whole crash suite (see {@link CrashSuite}): crash.seeds (default 20) seeds per verb from crash.base (default 1).
 * Tagged slow: only {@code scripts/test --slow} runs it.
 */
@Tag("slow")
class CrashSuiteSlowTest {

    @TestFactory
    Stream<DynamicTest> manySeedsPerVerb(@TempDir Path dir) {
        return CrashSuite.tests(CrashSuite.slowSeeds(), dir);
    }
}
