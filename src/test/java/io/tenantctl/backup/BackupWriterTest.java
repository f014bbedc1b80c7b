package io.tenantctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.TenantctlException;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupWriterTest {

    @TempDir
    Path dir;

    @Test
    void manifestIsWrittenLastAndDescribesEveryFile() throws IOException {
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            String prefix = "backups/acme/" + id + "/";
            try (BackupWriter writer = BackupWriter.start(store, BackupFixture.LAYOUT,
                    new BackupWriter.Spec("acme", id, "pool-a", "org_acme", "sha256:abc", Compression.GZIP),
                    BackupFixture.CLOCK)) {
                BsonDocument index = BsonDocument.parse("{\"v\": 2, \"key\": {\"expiresAt\": 1}, \"name\": \"ttl\", "
                        + "\"expireAfterSeconds\": 0, \"partialFilterExpression\": {\"at\": {\"$gt\": {\"$date\": \"2020-01-01T00:00:00Z\"}}}}");
                try (CollectionWriter users = writer.openCollection("users", List.of(index))) {
                    users.write(BsonDocument.parse("{\"_id\": 1}"));
                    users.finish();
                }
                assertThat(store.exists(prefix + "users.ndjson.gz")).isTrue();
                assertThat(store.exists(prefix + "manifest.json")).isFalse();
                BackupWriter.Finished finished = writer.finish();

                assertThat(finished.manifestKey()).isEqualTo(prefix + "manifest.json");
                assertThat(finished.manifestSha256()).hasSize(64);
            }
            BackupManifest manifest = BackupReader.open(store, BackupFixture.LAYOUT, "acme", id).manifest();
            assertThat(manifest.formatVersion()).isEqualTo(1);
            assertThat(manifest.orgId()).isEqualTo("acme");
            assertThat(manifest.backupId()).isEqualTo(id);
            assertThat(manifest.sourcePool()).isEqualTo("pool-a");
            assertThat(manifest.sourceDatabase()).isEqualTo("org_acme");
            assertThat(manifest.schemaHash()).isEqualTo("sha256:abc");
            assertThat(manifest.startedAt()).isEqualTo(Instant.parse("2025-03-14T02:00:00Z"));
            assertThat(manifest.compression()).isEqualTo(Compression.GZIP);
            CollectionEntry users = manifest.collection("users").orElseThrow();
            ObjectInfo file = store.list(prefix + "users").get(0);
            assertThat(users.bytes()).isEqualTo(file.size());
            assertThat(users.indexes()).singleElement().satisfies(i -> {
                // exactly as listIndexes returned it: Int32 1 stays Int32, the date stays a date
                assertThat(i.get("key").asDocument().get("expiresAt").isInt32()).isTrue();
                assertThat(i.getDocument("partialFilterExpression").getDocument("at").get("$gt").isDateTime()).isTrue();
                assertThat(i).isEqualTo(BsonDocument.parse("{\"v\": 2, \"key\": {\"expiresAt\": 1}, \"name\": \"ttl\", "
                        + "\"expireAfterSeconds\": 0, \"partialFilterExpression\": {\"at\": {\"$gt\": {\"$date\": \"2020-01-01T00:00:00Z\"}}}}"));
            });
            String json;
            try (InputStream in = store.open(prefix + "manifest.json")) {
                json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertThat(json).contains("\"formatVersion\" : 1", "\"startedAt\" : \"2025-03-14T02:00:00Z\"",
                    "\"compression\" : \"gzip\"", "\"expiresAt\": {\"$numberInt\": \"1\"}");
        }
    }

    @Test
    void abandonedBackupLeavesNothingBehind() throws IOException {
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            try (BackupWriter writer = BackupWriter.start(store, BackupFixture.LAYOUT,
                    new BackupWriter.Spec("acme", id, "pool-a", "org_acme", null, Compression.ZSTD), BackupFixture.CLOCK)) {
                try (CollectionWriter done = writer.openCollection("done", List.of())) {
                    done.write(BsonDocument.parse("{\"_id\": 1}"));
                    done.finish();
                }
                CollectionWriter half = writer.openCollection("half", List.of());
                half.write(BsonDocument.parse("{\"_id\": 1}"));
                // the source fails here; the writer is closed without finish()
            }
            assertThat(store.list("")).isEmpty();
            assertThat(BackupReader.list(store, BackupFixture.LAYOUT, "acme")).isEmpty();
        }
    }

    @Test
    void finishRefusesWhileACollectionIsStillBeingWritten() throws IOException {
        try (ObjectStore store = new FileObjectStore(dir);
             BackupWriter writer = BackupWriter.start(store, BackupFixture.LAYOUT,
                     new BackupWriter.Spec("acme", BackupFixture.newBackupId(), "p", "d", null, Compression.NONE),
                     BackupFixture.CLOCK)) {
            writer.openCollection("users", List.of());
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("users");
            assertThatThrownBy(() -> writer.openCollection("users", List.of()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void existingBackupIdIsNotOverwritten() throws IOException {
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            BackupFixture.write(store, id, Compression.GZIP, Map.of("users", List.of()));
            assertThatThrownBy(() -> BackupFixture.write(store, id, Compression.GZIP, Map.of("users", List.of())))
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.FAILED))
                    .hasMessageContaining("already exists");
        }
    }

    @Test
    void listShowsBackupsOldestFirstWithCompleteness() throws IOException {
        try (ObjectStore store = new FileObjectStore(dir)) {
            String older = "20250101T000000Z-aaaaaa";
            String newer = "20250201T000000Z-bbbbbb";
            BackupFixture.write(store, newer, Compression.GZIP, Map.of("users", List.of(BsonDocument.parse("{}"))));
            BackupFixture.write(store, older, Compression.GZIP, Map.of("users", List.of()));
            store.delete("backups/acme/" + newer + "/manifest.json");
            store.put("backups/acme/not-a-backup/x", new byte[1]);

            assertThat(BackupReader.list(store, BackupFixture.LAYOUT, "acme"))
                    .extracting(BackupReader.Listing::backupId, BackupReader.Listing::complete)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(older, true),
                            org.assertj.core.groups.Tuple.tuple(newer, false));
        }
    }
}
