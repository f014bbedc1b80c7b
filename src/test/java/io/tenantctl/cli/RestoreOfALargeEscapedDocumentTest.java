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
 * Found by red-teaming: a backup that tenantctl took and reported backed_up cannot be restored by tenantctl under the heap
 * the README promises ("a 1 GB collection backs up and restores under -Xmx256m"; "memory is bounded by the longest line
 * (one document)"), and the restore then hangs forever instead of failing.
 *
 * <p>A legal 16 MB document whose string is control characters (binary kept as a latin-1 string, say) is a ~96 MB line of
 * canonical JSON ({@code \u0001} is six bytes). CollectionReader holds that line in a buffer grown by doubling (128 MB,
 * plus the old 64 MB while it is copied), then decodes it into a String (a 96 M-char CharBuffer on the way), then parses
 * it into an output buffer pre-sized to the JSON's length: several times the document, so the read-ahead thread runs out
 * of memory. ReadAhead.pump catches RuntimeException only, so that OutOfMemoryError kills the pump thread without putting
 * anything on the queue; the restore's thread waits in queue.take() for ever: no exit, no error line, and the org stays
 * {@code restoring} under a live lease (for --in-place: after its database was dropped).
 */
class RestoreOfALargeEscapedDocumentTest {

    @TempDir
    Path dir;

    @Test
    void aSixteenMegabyteDocumentOfControlCharactersRestoresUnderTheDocumentedHeapInsteadOfHangingForever() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").getCollection("blobs", BsonDocument.class).insertOne(new BsonDocument("_id", new BsonInt32(1))
                    .append("raw", new BsonString("\u0001".repeat(16 * 1024 * 1024 - 100))));
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String backupId = f.backup("acme"); // zstd, the default: tenantctl itself took it and reported it backed_up

            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            // ChildJvm.run fails the test (and kills the child) if the restore has not ended within 120 s
            ChildJvm.Exit restore = ChildJvm.run(dir.resolve("restore"), env, 120, List.of("-Xmx256m", "-XX:+UseParallelGC"),
                    Main.class.getName(), "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");

            assertThat(restore.code()).as(restore.err()).isZero();
            f.assertHolds("acme-copy", before);
        }
    }
}
