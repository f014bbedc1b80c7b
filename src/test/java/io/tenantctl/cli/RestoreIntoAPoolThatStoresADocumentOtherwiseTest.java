package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupWriter;
import io.tenantctl.backup.CollectionWriter;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.store.ObjectStores;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonUndefined;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore checked each collection's count, never its documents: a pool that stores a value otherwise than it was sent
 * (the in-process stand-in keeps BSON undefined as null; a server may not keep every type) got a restore reported whole
 * and an org flipped to changed data, while a move into the same pool is refused by its digests. Each restored
 * collection is now read back and its digest held to the backup's: a restore that did not go in as the backup holds it
 * fails, rolled back, naming the collection — and an in-place restore's trial load refuses it before anything is dropped.
 */
class RestoreIntoAPoolThatStoresADocumentOtherwiseTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreWhoseDocumentsDoNotComeBackAsTheBackupHoldsThemIsRolledBack() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 3);
            String backupId = backupWithAnUndefinedIn(f, "legacy");

            Cli.Result copy = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");
            assertThat(copy.exitCode()).as(copy.toString()).isEqualTo(1);
            assertThat(copy.err()).as(copy.toString()).contains("legacy").contains("pool-0").contains("otherwise");
            assertThat(f.databaseNames("pool-0")).as(copy.toString()).doesNotContain("org_acme_copy");

            Cli.Result inPlace = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
            assertThat(inPlace.err()).as(inPlace.toString()).doesNotContain("DROPPED");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).as("acme's own data").isEqualTo(3);
        }
    }

    /** A backup of acme, recorded complete, whose {@code collection} (besides acme's own) holds a document with a BSON undefined. */
    static String backupWithAnUndefinedIn(BackupFixture f, String collection) throws Exception {
        JsonNode org = f.org("acme");
        String backupId = BackupIds.newId(Clock.systemUTC(), new SecureRandom());
        try (ObjectStore store = ObjectStores.open(f.storeDir.toUri().toString(), Map.of());
             Catalog catalog = Catalog.connect(f.catalogUrl)) {
            BackupRepository backups = new BackupRepository(catalog);
            String location = f.storeDir.toUri() + BackupLayout.root().backupPrefix("acme", backupId);
            assertThat(backups.start(backupId, "acme", location, org.get("pool_id").asText(), org.get("database_name").asText(),
                    java.time.Instant.now(), org.path("schema_hash").asText(null), null).recorded()).isTrue();
            BackupWriter.Spec spec = new BackupWriter.Spec("acme", backupId, org.get("pool_id").asText(), org.get("database_name").asText(),
                    org.path("schema_hash").asText(null), Compression.of("zstd"));
            try (BackupWriter writer = BackupWriter.start(store, BackupLayout.root(), spec, Clock.systemUTC())) {
                MongoDatabase db = f.db("acme");
                for (String name : db.listCollectionNames()) {
                    List<BsonDocument> indexes = db.getCollection(name).listIndexes(BsonDocument.class).into(new java.util.ArrayList<>());
                    CollectionWriter w = writer.openCollection(name, indexes);
                    for (org.bson.RawBsonDocument d : db.getCollection(name, org.bson.RawBsonDocument.class).find()) {
                        w.write(d);
                    }
                    w.finish();
                }
                CollectionWriter legacy = writer.openCollection(collection, List.of(new BsonDocument("v", new BsonInt32(2))
                        .append("key", new BsonDocument("_id", new BsonInt32(1))).append("name", new BsonString("_id_"))));
                legacy.write(new BsonDocument("_id", new BsonInt32(1)).append("kept", new BsonString("as is")));
                legacy.write(new BsonDocument("_id", new BsonInt32(2)).append("flag", new BsonUndefined()));
                legacy.finish();
                BackupWriter.Finished done = writer.finish();
                io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "update backups set status = 'complete', finished_at = now(), docs = "
                        + done.manifest().totalDocs() + ", bytes = " + done.manifest().totalBytes() + ", sha256 = '"
                        + done.manifestSha256() + "' where backup_id = '" + backupId + "'");
            }
        }
        return backupId;
    }
}
