package io.tenantctl;

import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Found by a probing helper filling the disk: {@code tenantctl schema export > schema.json} on a full file system left an
 * empty schema.json and exited 0 (System.out's PrintWriter swallows the write error), so a script went on with a manifest
 * that was not there. Output that cannot be written is a failure, said in one line; a pipe its reader closed is not.
 */
class OutputLostToAFullDiskIsAFailureTest {

    @TempDir
    Path dir;

    @Test
    void aCommandWhoseOutputCannotBeWrittenFailsSayingSo() throws Exception {
        File full = new File("/dev/full"); // every write: ENOSPC, as a full disk
        assumeTrue(full.exists(), "needs Linux's /dev/full");
        ChildJvm.Exit e = ChildJvm.runWithStdout(dir.resolve("export"), full, Map.of("USER", "test"), 120, Main.class.getName(),
                "schema", "export");
        assertThat(e.code()).as(e.err()).isEqualTo(1);
        assertThat(e.err().strip().lines().filter(l -> l.startsWith("error:")).toList()).as(e.err()).singleElement().asString()
                .contains("could not be written to stdout").contains("No space left on device").contains("free space");
        assertThat(e.err()).doesNotContain("Exception");
    }

    @Test
    void aPipeItsReaderClosedIsNotAFailure() {
        Main.Stdout out = new Main.Stdout(new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        });
        java.io.PrintWriter w = new java.io.PrintWriter(out, true);
        w.println("ORG POOL");
        assertThat(w.checkError()).isTrue();
        assertThat(out.lostOutput()).as("| head closed it: its reader chose to").isNull();
    }
}
