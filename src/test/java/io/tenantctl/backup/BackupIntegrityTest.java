package io.tenantctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.tenantctl.TenantctlException;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A damaged, incomplete or too-new backup is refused with a message naming what is wrong. */
class BackupIntegrityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ObjectStore store;
    private String id;

    @BeforeEach
    void open() {
        store = new FileObjectStore(dir);
        id = BackupFixture.newBackupId();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private String write(Compression compression) throws IOException {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i)).append("name", new BsonString("user " + i * 7919)));
        }
        Map<String, List<BsonDocument>> collections = new LinkedHashMap<>();
        collections.put("users", docs);
        collections.put("convos", docs.subList(0, 10));
        BackupFixture.write(store, id, compression, collections);
        return "backups/acme/" + id + "/users.ndjson" + compression.extension();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void intactBackupVerifies(Compression compression) throws IOException {
        write(compression);
        assertThat(BackupReader.open(store, BackupFixture.LAYOUT, "acme", id).verify()).isEqualTo(2_010);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void oneFlippedByteIsRefusedNamingTheFile(Compression compression) throws IOException {
        String key = write(compression);
        byte[] bytes = bytes(key);
        bytes[bytes.length / 2] ^= 0x01;
        store.put(key, bytes);

        assertRefused(key);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void flippedByteInTheHeaderIsRefusedNamingTheFile(Compression compression) throws IOException {
        String key = write(compression);
        byte[] bytes = bytes(key);
        bytes[1] ^= 0x40;
        store.put(key, bytes);

        assertRefused(key);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void truncatedFileIsRefusedNamingTheFile(Compression compression) throws IOException {
        String key = write(compression);
        byte[] bytes = bytes(key);
        store.put(key, Arrays.copyOf(bytes, bytes.length - 10));

        assertRefused(key);
    }

    /** Lines over a megabyte are parsed as they are read (not held whole): the same documents come back, and a cut one is refused. */
    @ParameterizedTest
    @EnumSource(Compression.class)
    void longLinesComeBackExactlyAndACutOneIsRefused(Compression compression) throws IOException {
        List<BsonDocument> docs = List.of(
                new BsonDocument("_id", new BsonInt32(1)).append("s", new BsonString("short")),
                new BsonDocument("_id", new BsonInt32(2)).append("raw", new BsonString("\u0001".repeat(400_000))), // ~2.4 MB of JSON
                new BsonDocument("_id", new BsonInt32(3)).append("s", new BsonString("between")),
                new BsonDocument("_id", new BsonInt32(4)).append("text", new BsonString("é€".repeat(700_000))), // multi-byte UTF-8
                new BsonDocument("_id", new BsonInt32(5)).append("s", new BsonString("last")));
        BackupFixture.write(store, id, compression, Map.of("blobs", docs));
        List<BsonDocument> back = new ArrayList<>();
        try (CollectionReader reader = BackupReader.open(store, BackupFixture.LAYOUT, "acme", id).openCollection("blobs")) {
            reader.forEachRemaining(d -> back.add(d.decode(new org.bson.codecs.BsonDocumentCodec())));
        }
        assertThat(back).isEqualTo(docs);

        if (compression == Compression.NONE) { // cut inside the last long line: its end never comes
            String key = "backups/acme/" + id + "/blobs.ndjson";
            byte[] bytes = bytes(key);
            store.put(key, Arrays.copyOf(bytes, bytes.length - 1_000_000));
            assertRefused(key);
        }
    }

    @Test
    void fileCutAtALineBoundaryIsRefusedByCountAndChecksum() throws IOException {
        String key = write(Compression.NONE);
        byte[] bytes = bytes(key);
        int lastNewline = bytes.length - 2;
        while (bytes[lastNewline] != '\n') {
            lastNewline--;
        }
        store.put(key, Arrays.copyOf(bytes, lastNewline + 1));

        assertRefused(key).hasMessageContaining("1999 documents, the manifest says 2000");
    }

    @Test
    void appendedBytesAreRefused() throws IOException {
        String key = write(Compression.GZIP);
        byte[] bytes = bytes(key);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        store.put(key, longer);

        assertRefused(key);
    }

    @Test
    void documentCountThatDisagreesWithTheManifestIsRefused() throws IOException {
        String key = write(Compression.GZIP);
        editManifest(m -> ((ObjectNode) m.withArray("collections").get(0)).put("docs", 2_001));

        assertRefused(key).hasMessageContaining("2000 documents, the manifest says 2001");

        editManifest(m -> ((ObjectNode) m.withArray("collections").get(0)).put("docs", 1_999));
        assertRefused(key).hasMessageContaining("more documents than the 1999");
    }

    @Test
    void collectionFileMissingFromTheStoreIsRefused() throws IOException {
        String key = write(Compression.GZIP);
        store.delete(key);

        assertRefused(key).hasMessageContaining("missing");
    }

    @Test
    void backupWithoutManifestIsIncomplete() throws IOException {
        write(Compression.GZIP);
        store.delete("backups/acme/" + id + "/manifest.json");

        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOfSatisfying(BackupIncompleteException.class,
                        e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.FAILED))
                .hasMessage("backup " + id + " of org acme has no manifest.json: it is incomplete (interrupted?); "
                        + "choose another backup");
        assertThat(BackupReader.list(store, BackupFixture.LAYOUT, "acme"))
                .singleElement().satisfies(l -> assertThat(l.complete()).isFalse());
    }

    @Test
    void unknownBackupIdIsAUsageError() {
        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOfSatisfying(TenantctlException.class,
                        e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                .hasMessageContaining("org acme has no backup " + id);
        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", "../../etc"))
                .isInstanceOfSatisfying(TenantctlException.class,
                        e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                .hasMessageContaining("'../../etc'");
    }

    @Test
    void newerFormatVersionAsksToUpgrade() throws IOException {
        write(Compression.GZIP);
        editManifest(m -> m.put("formatVersion", 99).put("somethingNew", true));

        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOfSatisfying(TenantctlException.class,
                        e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                .hasMessageContaining("version 99")
                .hasMessageContaining("upgrade tenantctl");
    }

    @Test
    void malformedOrForeignManifestIsRefused() throws IOException {
        write(Compression.GZIP);
        String manifestKey = "backups/acme/" + id + "/manifest.json";
        editManifest(m -> m.put("orgId", "globex"));
        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("globex");

        editManifest(m -> m.put("orgId", "acme").put("compression", "lz4"));
        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining(manifestKey).hasMessageContaining("lz4");

        editManifest(m -> ((ObjectNode) m.put("compression", "gzip").withArray("collections").get(0))
                .put("file", "../../../etc/passwd"));
        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("invalid backup file name");

        store.put(manifestKey, "{\"formatVersion\": 1, \"orgId\": ".getBytes());
        assertThatThrownBy(() -> BackupReader.open(store, BackupFixture.LAYOUT, "acme", id))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("not valid JSON");
    }

    private org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String key) {
        BackupReader reader = BackupReader.open(store, BackupFixture.LAYOUT, "acme", id);
        return assertThatThrownBy(reader::verify)
                .isInstanceOfSatisfying(BackupIntegrityException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.FAILED);
                    assertThat(e.file()).isEqualTo(key);
                })
                .hasMessageContaining(key);
    }

    private byte[] bytes(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return in.readAllBytes();
        }
    }

    private void editManifest(java.util.function.Consumer<ObjectNode> edit) throws IOException {
        String key = "backups/acme/" + id + "/manifest.json";
        ObjectNode manifest = (ObjectNode) JSON.readTree(bytes(key));
        edit.accept(manifest);
        store.put(key, JSON.writeValueAsBytes(manifest));
    }
}
