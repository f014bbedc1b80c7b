package io.tenantctl.cli;

import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.SocketException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found running {@code rebalance plan} under {@code ulimit -n 20}: sizing the orgs (dbStats, 8 at a time) could not open
 * a socket for want of a file descriptor, and the plan ended "pool pool-1 stopped answering while the plan read org
 * org04's size: … paused because another operation failed; see 'tenantctl pools stats pool-1'": a pool that is fine
 * blamed, for this process's own limit. It says what ran out and what to do, exit 3, as every verb does.
 */
class RebalancePlanOutOfFileDescriptorsTest {

    @TempDir
    Path dir;

    @Test
    void aPlanThatCouldNotOpenASocketSaysTenantctlRanOutNotThatThePoolStopped() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "beta");
            Cli outOfDescriptors = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (cmd.containsKey("dbStats")) {
                    throw new MongoSocketOpenException("Exception opening socket", new ServerAddress("127.0.0.1", 27017),
                            new SocketException("Too many open files"));
                }
            }));

            Cli.Result r = outOfDescriptors.run("rebalance", "plan");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err().strip()).as("one line: what ran out and what to do").doesNotContain("\n")
                    .contains("ran out of file descriptors").contains("ulimit -n").doesNotContain("stopped answering")
                    .doesNotContain("pools stats");
        }
    }
}
