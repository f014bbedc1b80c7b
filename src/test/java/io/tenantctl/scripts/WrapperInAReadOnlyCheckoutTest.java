package io.tenantctl.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/tenantctl builds its class data sharing archive under the checkout's target/cds/ and, its comment says, runs
 * without it when that cannot be done. Run from a checkout the user cannot write in (one installed by root and run by
 * operators, a CI cache mounted read-only), its {@code mkdir -p target/cds} failed under {@code set -e}: the wrapper
 * exited 1 with "mkdir: cannot create directory" before tenantctl started. Here target/ is a file, so no user can
 * make the directory (the suite runs as root).
 */
class WrapperInAReadOnlyCheckoutTest {

    @TempDir
    Path dir;

    @Test
    void anArchiveThatCannotBeMadeIsLeftOutAndTenantctlStillRuns() throws Exception {
        Path root = dir.resolve("checkout");
        Files.createDirectories(root.resolve("scripts/lib"));
        Files.writeString(root.resolve("scripts/lib/tenantctl.classlist"), "java/lang/Object\n");
        Files.writeString(root.resolve("target"), "not a directory\n");
        Path jar = Files.writeString(dir.resolve("tenantctl.jar"), "");
        Path jvmSh = Path.of("scripts/lib/jvm.sh").toAbsolutePath();

        Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail; . \"$1\"; tenantctl_cds_opts \"$2\" \"$3\"; "
                + "echo \"opts=${CDS_OPTS[*]+${CDS_OPTS[*]}}\"", "bash", jvmSh.toString(), root.toString(), jar.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("no archive, no option, no complaint").isEqualTo("opts=\n");
    }
}
