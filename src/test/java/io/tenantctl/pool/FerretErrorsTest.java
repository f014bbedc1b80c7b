package io.tenantctl.pool;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FerretErrorsTest {

    static MongoCommandException command(int code, String message) {
        return command(code, null, message);
    }

    static MongoCommandException command(int code, String codeName, String message) {
        BsonDocument response = new BsonDocument("ok", new BsonDouble(0))
                .append("code", new BsonInt32(code))
                .append("errmsg", new BsonString(message));
        if (codeName != null) {
            response.append("codeName", new BsonString(codeName));
        }
        return new MongoCommandException(response, new ServerAddress());
    }

    @ParameterizedTest(name = "code {0} \"{1}\" retryable={2}")
    @CsvSource(delimiter = '|', value = {
            "1        | ERROR: deadlock detected (SQLSTATE 40P01)            | true",
            "1        | Deadlock Detected while creating index               | true",
            "1        | could not serialize access due to concurrent update  | true",
            "1        | some other internal error                            | false",
            "16908292 | anything                                             | true",
            "16777220 | serialization failure                                | true",
            "50       | operation exceeded time limit                        | true",
            "11000    | E11000 duplicate key error (deadlock detected)       | false",
            "67       | cannot create index                                  | false",
            "85       | index options conflict                               | false",
            "86       | index key specs conflict                             | false",
            "2        | bad value                                            | false",
            "238      | rename across databases not implemented              | false",
            "59       | no such command: commitTransaction                   | false",
            "13       | unauthorized (deadlock detected)                     | false",
            "18       | authentication failed                                | false",
    })
    void classifiesCommandErrorsAsFerretDbDocumentsThem(int code, String message, boolean retryable) {
        assertThat(FerretErrors.isRetryable(command(code, message))).isEqualTo(retryable);
    }

    @ParameterizedTest
    @ValueSource(ints = {11000, 67, 85, 86, 2, 238, 59, 13, 18})
    void fatalCodesAreNeverRetriedWhateverTheMessage(int code) {
        assertThat(FerretErrors.isRetryable(command(code, "deadlock detected; could not serialize"))).isFalse();
    }

    @Test
    void networkErrorsAndTimeoutsAreRetried() {
        assertThat(FerretErrors.isRetryable(new MongoSocketException("connection reset", new ServerAddress()))).isTrue();
        assertThat(FerretErrors.isRetryable(new MongoSocketReadTimeoutException("read timed out", new ServerAddress(),
                new java.net.SocketTimeoutException()))).isTrue();
        assertThat(FerretErrors.isRetryable(new MongoTimeoutException("timed out waiting for a server"))).isTrue();
    }

    @Test
    void duplicateKeyWriteErrorIsNotRetried() {
        MongoWriteException dup = new MongoWriteException(new WriteError(11000, "E11000 duplicate key", new BsonDocument()),
                new ServerAddress(), Set.of());
        assertThat(FerretErrors.isRetryable(dup)).isFalse();
    }

    @Test
    void nonMongoErrorsAreNotRetried() {
        assertThat(FerretErrors.isRetryable(new IllegalStateException("deadlock detected"))).isFalse();
        assertThat(FerretErrors.isRetryable(new RuntimeException())).isFalse();
    }

    @Test
    void describeIsOneLineWithCodeAndName() {
        String d = FerretErrors.describe(command(85, "IndexOptionsConflict", "index email_1 exists with other options\nmore detail"));
        assertThat(d).isEqualTo("code 85 (IndexOptionsConflict): index email_1 exists with other options");
        assertThat(FerretErrors.describe(command(1, "deadlock detected"))).startsWith("code 1").contains("deadlock detected")
                .doesNotContain("\n");
        assertThat(FerretErrors.describe(new MongoTimeoutException("Timed out while waiting for a server. Client view of cluster state is {x}")))
                .startsWith("timed out").doesNotContain("Client view");
    }

    /**
     * The driver's server-selection timeout says why each server could not be reached only deep in its "Client view of
     * cluster state"; the operator's line keeps that (a closed port, a mistyped host), not the selector's toString.
     */
    @Test
    void aTimeoutSaysWhyEachServerCouldNotBeReached() {
        String prefix = "Timed out while waiting for a server that matches ReadPreferenceServerSelector{readPreference=primary}. "
                + "Client view of cluster state is {type=UNKNOWN, servers=[";
        assertThat(FerretErrors.describe(new MongoTimeoutException(prefix + "{address=127.0.0.1:1, type=UNKNOWN, state=CONNECTING, "
                + "exception={com.mongodb.MongoSocketOpenException: Exception opening socket}, caused by {java.net.ConnectException: "
                + "Connection refused}}]")))
                .isEqualTo("timed out waiting for the server (127.0.0.1:1: connection refused)");
        assertThat(FerretErrors.describe(new MongoTimeoutException(prefix + "{address=ferret-9:27017, type=UNKNOWN, state=CONNECTING, "
                + "exception={com.mongodb.MongoSocketException: ferret-9}, caused by {java.net.UnknownHostException: ferret-9}}, "
                + "{address=ferret-2:27017, type=UNKNOWN, state=CONNECTING, exception={com.mongodb.MongoSocketReadTimeoutException: "
                + "Timeout while receiving message}}]")))
                .isEqualTo("timed out waiting for the server (ferret-9:27017: unknown host ferret-9; ferret-2:27017: "
                        + "MongoSocketReadTimeoutException: Timeout while receiving message)");
    }

    /**
     * A write error from a real pool reads as the server's code and message, not the driver's "Bulk write operation
     * error on server … Write errors: [BulkWriteError{index=0, code=11000, …}]".
     */
    @Test
    void writeErrorsReadAsTheServersCodeAndMessage() {
        try (io.tenantctl.testing.TestPools pools = new io.tenantctl.testing.TestPools(1);
             com.mongodb.client.MongoClient c = com.mongodb.client.MongoClients.create(pools.uri(0))) {
            com.mongodb.client.MongoCollection<org.bson.Document> notes = c.getDatabase("org_acme").getCollection("notes");
            notes.insertOne(new org.bson.Document("_id", 1));
            Throwable bulk = org.assertj.core.api.Assertions.catchThrowable(() -> notes.insertMany(java.util.List.of(
                    new org.bson.Document("_id", 1), new org.bson.Document("_id", 2))));
            Throwable single = org.assertj.core.api.Assertions.catchThrowable(() -> notes.insertOne(new org.bson.Document("_id", 1)));
            assertThat(bulk).isInstanceOf(com.mongodb.MongoBulkWriteException.class);
            assertThat(FerretErrors.describe(bulk)).startsWith("code 11000: ").contains("duplicate key").doesNotContain("BulkWriteError");
            assertThat(single).isInstanceOf(MongoWriteException.class);
            assertThat(FerretErrors.describe(single)).startsWith("code 11000: ").contains("duplicate key").doesNotContain("WriteError");
        }
    }
}
