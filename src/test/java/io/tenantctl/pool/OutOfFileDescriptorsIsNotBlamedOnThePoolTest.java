package io.tenantctl.pool;

import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import org.junit.jupiter.api.Test;

import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper running {@code verify --concurrency 16} under {@code ulimit -n 24}: the driver could not open
 * a socket (EMFILE), and verify recorded pools that were fine as {@code pool_unreachable}, "pool pool-2 (…) is
 * unreachable: Exception opening socket", with the fix "check the pool's FerretDB and network". The line now says why,
 * and whose limit it is: this process's file descriptors, not the pool.
 */
class OutOfFileDescriptorsIsNotBlamedOnThePoolTest {

    private static final ServerAddress POOL = new ServerAddress("127.0.0.1", 44793);

    @Test
    void aSocketThisProcessCouldNotOpenSaysItRanOutOfFileDescriptors() {
        String line = FerretErrors.describe(new MongoSocketOpenException("Exception opening socket", POOL,
                new SocketException("Too many open files")));
        assertThat(line).startsWith("Exception opening socket: Too many open files")
                .contains("not the pool, is out of file descriptors").contains("ulimit -n");
    }

    @Test
    void soDoesAServerSelectionThatTimedOutForThatReason() {
        // the driver's own words when every attempt to connect failed so (MongoTimeoutException's "Client view of cluster state")
        String message = "Timed out while waiting for a server that matches ReadPreferenceServerSelector{readPreference=primary}."
                + " Client view of cluster state is {type=UNKNOWN, servers=[{address=127.0.0.1:44793, type=UNKNOWN, state=CONNECTING,"
                + " exception={com.mongodb.MongoSocketOpenException: Exception opening socket}, caused by"
                + " {java.net.SocketException: Too many open files}}]";
        String line = FerretErrors.describe(new MongoTimeoutException(message));
        assertThat(line).contains("127.0.0.1:44793: SocketException: Too many open files").contains("out of file descriptors");
    }

    @Test
    void aSocketRefusedForAnotherReasonKeepsItsCauseAndNoAdvice() {
        String line = FerretErrors.describe(new MongoSocketOpenException("Exception opening socket", POOL,
                new java.net.ConnectException("Connection refused")));
        assertThat(line).isEqualTo("Exception opening socket: Connection refused");
    }
}
