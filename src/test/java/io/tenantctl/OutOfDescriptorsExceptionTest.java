package io.tenantctl;

import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.nio.file.FileSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whose want of file descriptors a failure is: this process's (its own socket or file could not be opened: exit 3, the
 * run stops, no finding) or a server's (PostgreSQL under FerretDB quoting its own EMFILE in an error it returns: the
 * pool's failure, as any other, reported on the org and never blamed on tenantctl's ulimit).
 */
class OutOfDescriptorsExceptionTest {

    @Test
    void aSocketOrFileThisProcessCouldNotOpenIsOurs() {
        assertThat(OutOfDescriptorsException.in(new RuntimeException("Exception opening socket", new SocketException("Too many open files"))))
                .hasValueSatisfying(o -> assertThat(o.getMessage()).contains("tenantctl ran out of file descriptors").contains("ulimit -n"));
        assertThat(OutOfDescriptorsException.in(new TenantctlException(TenantctlException.Category.FAILED, "cannot list org1/",
                new FileSystemException("/store/org1", null, "Too many open files")))).isPresent();
        // the driver's summary after its server selection timed out names the local socket exception in its text only
        assertThat(OutOfDescriptorsException.in(new RuntimeException("Timed out after 5000 ms while waiting to connect. Client view of "
                + "cluster state is {…, exception={com.mongodb.MongoSocketOpenException: Exception opening socket}, caused by "
                + "{java.net.SocketException: Too many open files}}]"))).isPresent();
    }

    @Test
    void aServersOwnErrorQuotingEmfileIsNotThisProcesssLimit() {
        RuntimeException fromThePool = new RuntimeException("Command failed with error 1 (InternalError): 'could not open file "
                + "\"base/16384/2619\": Too many open files' on server ferret-1:27017");
        assertThat(OutOfDescriptorsException.in(fromThePool)).isEmpty();
        assertThat(OutOfDescriptorsException.in(new TenantctlException(TenantctlException.Category.FAILED, "org acme: " + fromThePool.getMessage(),
                fromThePool))).isEmpty();
    }
}
