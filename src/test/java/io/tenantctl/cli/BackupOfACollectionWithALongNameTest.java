package io.tenantctl.cli;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A collection name MongoDB accepts (namespace "org_acme.&lt;name&gt;" within its 255-byte limit) must back up to a
 * file:// store and come back. The file store names each collection's file after the collection (percent-encoded,
 * non-ASCII kept as UTF-8) plus ".ndjson.zst", with no bound on its length, so a name of 245 or 246 bytes (here 82
 * Japanese characters, 3 bytes each) makes a 256/257-byte file name: more than ext4/xfs/APFS allow in one path
 * segment (255). Today every backup of such an org fails and so does `backup --due` every hour, for as long as the
 * app keeps that collection; the org has no restorable backup at all.
 */
class BackupOfACollectionWithALongNameTest {

    @TempDir
    Path dir;

    @Test
    void aCollectionNameNearTheNamespaceLimitBacksUpAndRestores() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            MongoDatabase src = f.db("acme");
            String name = "顧客対応履歴".repeat(13) + "記録済み"; // 82 characters, 246 bytes of UTF-8
            assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(246);
            assertThat(("org_acme." + name).getBytes(StandardCharsets.UTF_8).length)
                    .as("within MongoDB's 255-byte namespace limit").isLessThanOrEqualTo(255);
            src.getCollection(name, BsonDocument.class).insertOne(new BsonDocument("_id", new BsonInt32(1))
                    .append("text", new BsonString("a note")));
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(src);
            assertThat(before).containsKey(name);

            Cli.Result backup = f.cli.run("backup", "--org", "acme");
            assertThat(backup.exitCode()).as("backup of an org with a long collection name: %s", backup.err()).isZero();

            ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy", "--target-pool", "pool-1");
            f.assertHolds("acme-copy", before);
        }
    }
}
