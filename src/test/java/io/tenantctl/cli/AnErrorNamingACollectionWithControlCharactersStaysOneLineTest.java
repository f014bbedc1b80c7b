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
 * A collection may be named with a newline or a terminal escape sequence (MongoDB and FerretDB take them). Tables and
 * verify's findings escape them (8f89e24), but the error line did not: a restore that failed naming such a collection
 * printed "error: ..." split over two lines, the second looking like a line of its own, and sent the escape sequence
 * to the operator's terminal (able to erase or recolour what it printed). The error line escapes them as tables do;
 * -o json's error still carries the exact name.
 */
class AnErrorNamingACollectionWithControlCharactersStaysOneLineTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreFailingOnSuchACollectionSaysSoInOneLine() throws Exception {
        String name = "legacy\n\u001b[2Kfine";
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String backupId = backupWithAnUndefinedIn(f, name);

            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            List<String> errors = r.err().lines().filter(l -> l.contains("otherwise")).toList();
            assertThat(errors).as(r.toString()).hasSize(1);
            assertThat(errors.get(0)).as(r.toString()).startsWith("error: ").contains("legacy\\n\\u001b[2Kfine");
            assertThat(r.err()).as(r.toString()).doesNotContain("\u001b").doesNotContain("legacy\n");

            Cli.Result json = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            assertThat(CliFixture.strictJson(json).path("error").path("message").asText()).contains(name);
        }
    }

    /** A backup of acme, recorded complete, whose {@code collection} holds a document with a BSON undefined (as in RestoreIntoAPoolThatStoresADocumentOtherwiseTest). */
    private static String backupWithAnUndefinedIn(BackupFixture f, String collection) throws Exception {
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
