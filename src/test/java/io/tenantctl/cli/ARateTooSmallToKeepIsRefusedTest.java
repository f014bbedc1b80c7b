package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Probing helper: '--rate 1e-10' provisioned four orgs at once. The start interval (1e9 / rate nanoseconds) did not fit
 * in a long, saturated, and the next slot (now + interval) overflowed into the past, so the smallest rates meant "no
 * limit". A rate below 0.0001 a second (one org every ~2.8 hours) is now refused, as a negative one is.
 */
class ARateTooSmallToKeepIsRefusedTest {

    private static TestPools pools;
    private static String url;
    private static Cli cli;

    @BeforeAll
    static void setUp() {
        pools = new TestPools(1);
        url = CliFixture.initialisedCatalog();
        cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
    }

    @AfterAll
    static void tearDown() {
        pools.close();
    }

    private static void assertRefusedNamingTheRate(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("--rate").contains("1.0E-10").contains("0.0001");
        assertThat(strictJson(ok(cli, "orgs", "list", "-o", "json")).get("orgs")).isEmpty();
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).isEmpty();
    }

    @Test
    void aRateWhoseIntervalDoesNotFitIsRefusedNotUnlimited(@TempDir Path dir) {
        Path schema = CliFixture.smallSchema(dir);
        // the old code provisioned all four at once; a bound keeps a hang from stalling the suite
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("provision", "r1", "r2", "r3", "r4",
                "--schema", schema.toString(), "--pool", "pool-1", "--per-pool", "1", "--concurrency", "1", "--rate", "1e-10"));
        assertRefusedNamingTheRate(r);
        Cli.Result dry = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("provision", "r1", "r2", "r3", "r4",
                "--schema", schema.toString(), "--pool", "pool-1", "--rate", "1e-10", "--dry-run"));
        assertRefusedNamingTheRate(dry);
    }

    @Test
    void aConfigFilesRateIsRefusedTheSameWay(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("tenantctl.conf");
        Files.writeString(config, "schema=" + CliFixture.smallSchema(dir) + "\nrate=1e-10\n");
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("provision", "r1", "r2",
                "--pool", "pool-1", "--per-pool", "1", "--concurrency", "1", "--config", config.toString()));
        assertRefusedNamingTheRate(r);
    }

    @Test
    void theSmallestRateAcceptedStillWorks(@TempDir Path dir) {
        Path schema = CliFixture.smallSchema(dir);
        // one org: its start is now, the next slot hours away is never waited for
        ok(cli, "provision", "one", "--schema", schema.toString(), "--pool", "pool-1", "--rate", "0.0001", "--dry-run");
    }
}
