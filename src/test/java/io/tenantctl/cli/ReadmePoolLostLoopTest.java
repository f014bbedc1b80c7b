package io.tenantctl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's loop that brings a lost pool's orgs back, run as printed against a stand-in tenantctl. A Ctrl-C reaches
 * the restore in flight, which rolls back and exits 130; the shell, seeing a child that exited rather than died of the
 * signal, went on to the next org: an operator could not stop a 500-org loop but by pressing Ctrl-C 500 times.
 */
class ReadmePoolLostLoopTest {

    @TempDir
    Path dir;

    @Test
    void anInterruptedRestoreStopsTheLoopAndIsKeptToTryAgain() throws Exception {
        List<String> restored = run(130);
        assertThat(restored).as("no restore after the interrupted one").containsExactly("acme");
        assertThat(Files.readAllLines(dir.resolve("restore-failed.txt"))).containsExactly("acme");
    }

    @Test
    void aFailedRestoreIsKeptAndTheLoopGoesOn() throws Exception {
        List<String> restored = run(1);
        assertThat(restored).containsExactly("acme", "beta");
        assertThat(Files.readAllLines(dir.resolve("restore-failed.txt"))).containsExactly("acme");
    }

    /** Runs the README's loop with acme's restore exiting {@code acmeExit}; returns the orgs whose restore ran. */
    private List<String> run(int acmeExit) throws Exception {
        assumeTrue(new java.io.File("/usr/bin/jq").canExecute() || new java.io.File("/usr/local/bin/jq").canExecute(), "jq");
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("**A pool lost for good**");
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        String loop = readme.substring(start, readme.indexOf("```", start));
        assertThat(loop).contains("restore-failed.txt");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path stub = bin.resolve("tenantctl");
        Files.writeString(stub, "#!/bin/sh\ncase \"$1\" in\n"
                + "orgs) echo '{\"orgs\":[{\"org_id\":\"acme\",\"status\":\"active\"},{\"org_id\":\"beta\",\"status\":\"read_only\"},"
                + "{\"org_id\":\"gone\",\"status\":\"deleted\"}]}' ;;\n"
                + "restore) echo \"$3\" >> restores.log; [ \"$3\" = acme ] && exit " + acmeExit + "; exit 0 ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", loop).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return Files.readAllLines(dir.resolve("restores.log"));
    }
}
