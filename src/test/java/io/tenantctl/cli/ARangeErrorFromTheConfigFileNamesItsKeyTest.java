package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code per-pool=0} in the config file made {@code backup --org a1 --dry-run --config cfg}
 * say "error: --per-pool must be at least 1, not 0" as if it had been typed, where {@code per-pool=abc} said which key of
 * which file to fix. A range error of a value from the file (or of a variable the file gives) names its key and the
 * file too; and {@code per-pool=2 } (a trailing space) is read as 2, as durations were.
 */
class ARangeErrorFromTheConfigFileNamesItsKeyTest {

    @Test
    void aValueOutOfRangeFromTheFileNamesTheKeyAndTheFile(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = new Cli(Map.of("USER", "test"));
        Object[][] cases = {
                {"per-pool=0", "--per-pool must be at least 1, not 0", "key per-pool of", new String[]{"backup", "--org", "a1", "--dry-run"}},
                {"tenantctl.backup.concurrency=0", "--concurrency", "key tenantctl.backup.concurrency of",
                        new String[]{"backup", "--org", "a1", "--dry-run"}},
                {"rate=-1", "--rate", "key rate of", new String[]{"backup", "--org", "a1", "--dry-run"}},
                {"canary=-1", "--canary must not be negative", "key canary of", new String[]{"migrate-all", "--dry-run"}},
                // (the test CLI's environment sets the connect timeout, so the socket timeout stands for both)
                {"TENANTCTL_POOL_SOCKET_TIMEOUT_MS=0", "TENANTCTL_POOL_SOCKET_TIMEOUT_MS must be a whole number of milliseconds from 1 to 2147483647",
                        "key TENANTCTL_POOL_SOCKET_TIMEOUT_MS of", new String[]{"schema", "capture", "--from-uri", "mongodb://127.0.0.1:1/", "--database", "x"}},
        };
        for (Object[] c : cases) {
            Path config = Files.writeString(dir.resolve("cfg"), "catalog=" + url + "\n" + c[0] + "\n");
            String[] line = (String[]) c[3];
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(line), java.util.stream.Stream.of("--config",
                    config.toString())).toArray(String[]::new);
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(c[0] + ": " + r).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(c[0] + ": " + r).hasSize(1);
            assertThat(r.err()).as(c[0] + ": " + r).contains((String) c[1])
                    .contains("(not on the command line: the value comes from " + c[2] + " the config file " + config + ")");
        }
        // typed, the same value is said as typed
        Path config = Files.writeString(dir.resolve("cfg"), "catalog=" + url + "\nper-pool=0\n");
        Cli.Result typed = cli.run("backup", "--org", "a1", "--dry-run", "--per-pool", "0", "--config", config.toString());
        assertThat(typed.exitCode()).as(typed.toString()).isEqualTo(2);
        assertThat(typed.err()).contains("--per-pool must be at least 1, not 0").doesNotContain("config file");
    }

    @Test
    void aValueWithATrailingSpaceInTheFileIsReadAsWritten(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = Files.writeString(dir.resolve("cfg"), "catalog=" + url + "\nper-pool=2 \n");
        Cli.Result r = new Cli(Map.of("USER", "test")).run("backup", "--org", "a1", "--dry-run", "--config", config.toString());
        assertThat(r.err()).as(r.toString()).doesNotContain("is not an int");
    }
}
