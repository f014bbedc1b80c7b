package io.tenantctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.store.ObjectStore;
import io.tenantctl.store.S3ProxyFixture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backup format composes with the S3 store: same documents back, incomplete backups refused. */
class BackupOverS3Test {

    private static S3ProxyFixture s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void backupRoundTripsThroughS3() throws IOException {
        List<BsonDocument> docs = new ArrayList<>(BsonRoundTripTest.everyType());
        try (ObjectStore store = s3.newStore("tenantctl")) {
            String id = BackupFixture.newBackupId();
            BackupFixture.write(store, id, Compression.ZSTD, Map.of("things", docs));

            assertThat(new ArrayList<BsonDocument>(BackupFixture.read(store, id).get("things"))).isEqualTo(docs);
            assertThat(BackupReader.list(store, BackupFixture.LAYOUT, "acme")).singleElement()
                    .satisfies(l -> assertThat(l.complete()).isTrue());

            store.delete("backups/acme/" + id + "/manifest.json");
            assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                    .isInstanceOf(BackupIncompleteException.class);
        }
    }
}
