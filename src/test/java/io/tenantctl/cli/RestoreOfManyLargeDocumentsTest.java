package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.Main;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupWriter;
import io.tenantctl.backup.CollectionWriter;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.store.ObjectStores;
import io.tenantctl.testing.ChildJvm;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (memory and scale): "documents stream: memory must not grow with collection size" holds for
 * small documents only. Restore collects {@code Restore.BATCH} = 1,000 documents before each insertMany and reads two
 * more chunks of 1,000 ahead ({@code new ReadAhead<>(file, file, name, BATCH, 2)}), whatever their size: a collection of
 * fewer than 1,000 documents of 1 MB (attachments, embedded images) is held whole, and one of more is held ~3,000
 * documents at a time. Under a heap far larger than any one document the restore runs out of memory.
 */
@org.junit.jupiter.api.Tag("slow") // hundreds of MB or 50,000 rows in a child JVM
class RestoreOfManyLargeDocumentsTest {

    private static final int DOCS = 200;
    private static final int DOC_CHARS = 1 << 20;

    @TempDir
    Path dir;

    /**
     * 200 documents of 1 MB (200 MB) in one collection, backed up by tenantctl's own BackupWriter (the stand-in pools do
     * not cap a find reply at 16 MB as MongoDB does, so a tenantctl backup of them cannot be taken in a test), restored
     * to a new org as the shipped process under -Xmx128m: 128 MB is 128 such documents.
     */
    @Test
    void aRestoreOfTwoHundredOneMegabyteDocumentsFitsInAHeapOfAHundredAndTwentyEightMegabytes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String backupId = writeBackup(f, "acme");

            ChildJvm.Exit restore = child(f, "restore", "-Xmx128m", "restore", "--org", "acme", "--backup", backupId,
                    "--to-org", "acme-copy", "-o", "json");

            assertThat(restore.code()).as("restore under -Xmx128m: %s", restore.err()).isZero();
            JsonNode copy = f.org("acme-copy");
            assertThat(copy.get("status").asText()).isEqualTo("active");
            assertThat(digest(f.db("acme-copy"))).isEqualTo(expectedDigest());
        }
    }

    /** The backup tenantctl backup would write of acme with {@link #DOCS} documents in "blobs", recorded complete in the catalog. */
    static String writeBackup(BackupFixture f, String orgId) throws Exception {
        JsonNode org = f.org(orgId);
        String backupId = BackupIds.newId(Clock.systemUTC(), new SecureRandom());
        try (ObjectStore store = ObjectStores.open(f.storeDir.toUri().toString(), Map.of());
             Catalog catalog = Catalog.connect(f.catalogUrl)) {
            BackupRepository backups = new BackupRepository(catalog);
            String location = f.storeDir.toUri() + BackupLayout.root().backupPrefix(orgId, backupId);
            assertThat(backups.start(backupId, orgId, location, org.get("pool_id").asText(), org.get("database_name").asText(),
                    java.time.Instant.now(), org.path("schema_hash").asText(null), null).recorded()).isTrue();
            BackupWriter.Spec spec = new BackupWriter.Spec(orgId, backupId, org.get("pool_id").asText(), org.get("database_name").asText(),
                    org.path("schema_hash").asText(null), Compression.of("zstd"));
            try (BackupWriter writer = BackupWriter.start(store, BackupLayout.root(), spec, Clock.systemUTC())) {
                MongoDatabase db = f.db(orgId);
                for (String name : db.listCollectionNames()) { // the provisioned (empty) collections, with their indexes
                    List<BsonDocument> indexes = db.getCollection(name).listIndexes(BsonDocument.class).into(new java.util.ArrayList<>());
                    writer.openCollection(name, indexes).finish();
                }
                CollectionWriter blobs = writer.openCollection("blobs", List.of(new BsonDocument("v", new BsonInt32(2))
                        .append("key", new BsonDocument("_id", new BsonInt32(1))).append("name", new BsonString("_id_"))));
                for (int i = 0; i < DOCS; i++) {
                    blobs.write(doc(i));
                }
                blobs.finish();
                BackupWriter.Finished done = writer.finish();
                // as a backup worker records it (complete() asks for the org's lease, which nothing holds here)
                io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "update backups set status = 'complete', finished_at = now(), docs = "
                        + done.manifest().totalDocs() + ", bytes = " + done.manifest().totalBytes() + ", sha256 = '"
                        + done.manifestSha256() + "' where backup_id = '" + backupId + "'");
            }
        }
        return backupId;
    }

    private static RawBsonDocument doc(int i) {
        String body = Integer.toString(i).repeat(DOC_CHARS / Integer.toString(i).length());
        return RawBsonDocument.parse(new BsonDocument("_id", new BsonInt32(i)).append("body", new BsonString(body)).toJson());
    }

    private static String expectedDigest() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < DOCS; i++) {
            sha.update(doc(i).getByteBuffer().asNIO());
        }
        return DOCS + ":" + HexFormat.of().formatHex(sha.digest());
    }

    /** The documents of the org's "blobs" in _id order: their count and the SHA-256 of their BSON bytes. */
    static String digest(MongoDatabase db) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long n = 0;
        for (RawBsonDocument d : db.getCollection("blobs", RawBsonDocument.class).find()
                .sort(new BsonDocument("_id", new BsonInt32(1))).batchSize(10)) {
            sha.update(d.getByteBuffer().asNIO());
            n++;
        }
        return n + ":" + HexFormat.of().formatHex(sha.digest());
    }

    /** tenantctl as the shipped process under {@code heap}, on this fleet. */
    static ChildJvm.Exit child(BackupFixture f, String name, String heap, String... args) throws Exception {
        Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                "TENANTCTL_STORE", f.storeDir.toUri().toString(), "TENANTCTL_REPORT_HEAP", "1");
        return ChildJvm.run(f.storeDir.getParent().resolve(name), env, 300, List.of(heap, "-XX:+UseParallelGC"), Main.class.getName(), args);
    }
}
