package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: the README promises that a 16 MB document whose JSON line is ~96 MB (escaped control
 * characters) backs up and restores under -Xmx256m, and without a '$' in its field names it does. Give the same
 * document one short '$'-prefixed field name ({@code "$kind": "raw"}, legal since MongoDB 5.0 and kept by the pools) and
 * every backup of its org runs out of memory: CollectionWriter.needsRawBson checks whether such a document's JSON reads
 * back as the same BSON by building the whole canonical JSON as one String ({@code raw.toJson(...)}, a StringWriter grown
 * by doubling to ~128 MB plus the copies) and parsing it back, before the document is written at all. The org can
 * never be backed up under the documented heap ({@code backup --due} fails it every hour).
 */
class BackupOfALargeDocumentWithADollarFieldUnderTheDocumentedHeapTest {

    @TempDir
    Path dir;

    @Test
    void aSixteenMegabyteDocumentWithADollarPrefixedFieldBacksUpUnderTheDocumentedHeap() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").getCollection("blobs", BsonDocument.class).insertOne(new BsonDocument("_id", new BsonInt32(1))
                    .append("$kind", new BsonString("raw"))
                    .append("raw", new BsonString("\u0001".repeat(16 * 1024 * 1024 - 100))));
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            ChildJvm.Exit backup = ChildJvm.run(dir.resolve("backup"), env, 180, List.of("-Xmx256m", "-XX:+UseParallelGC"),
                    Main.class.getName(), "backup", "--org", "acme");
            assertThat(backup.code()).as("backup under -Xmx256m: %s%s", backup.out(), backup.err()).isZero();

            // stored as its exact BSON (too large to test its JSON): that form restores under the same heap
            ChildJvm.Exit restore = ChildJvm.run(dir.resolve("restore"), env, 180, List.of("-Xmx256m", "-XX:+UseParallelGC"),
                    Main.class.getName(), "restore", "--org", "acme", "--to-org", "acme-copy");
            assertThat(restore.code()).as("restore under -Xmx256m: %s%s", restore.out(), restore.err()).isZero();
            f.assertHolds("acme-copy", before);
        }
    }
}
