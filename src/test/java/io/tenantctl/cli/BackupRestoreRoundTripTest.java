package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.tenantctl.store.S3ProxyFixture;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** backup → restore --to-org gives back the same documents (every BSON type the pools keep) and the same indexes. */
class BackupRestoreRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyBsonTypeAndEveryIndexSurviveBackupAndRestoreToANewOrg() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            MongoDatabase src = f.db("acme");
            src.getCollection("things", BsonDocument.class).insertMany(everyType());
            src.getCollection("things").createIndex(Indexes.ascending("s"), new IndexOptions().name("s_1").unique(true).sparse(true));
            src.getCollection("things").createIndex(Indexes.compoundIndex(Indexes.ascending("i32"), Indexes.descending("date")),
                    new IndexOptions().name("i32_1_date_-1"));
            src.getCollection("sessions").createIndex(Indexes.ascending("expiresAt"),
                    new IndexOptions().name("ttl").expireAfter(3600L, java.util.concurrent.TimeUnit.SECONDS));
            src.createCollection("empty");
            src.getCollection("big", BsonDocument.class).insertOne(new BsonDocument("_id", new BsonInt32(1))
                    .append("blob", new BsonString("x".repeat(16 * 1024 * 1024 - 200))));

            String backupId = f.backup("acme", "--compression", "zstd");
            JsonNode restored = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy",
                    "--target-pool", "pool-1", "-o", "json"));

            assertThat(restored.get("target_org_id").asText()).isEqualTo("acme-copy");
            JsonNode copy = f.org("acme-copy");
            assertThat(copy.get("status").asText()).isEqualTo("active");
            assertThat(copy.get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(copy.get("schema_hash").asText()).isEqualTo(f.org("acme").get("schema_hash").asText());
            MongoDatabase dst = f.db("acme-copy");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(src);
            assertThat(before.keySet()).contains("things", "users", "messages", "empty", "big", "sessions");
            assertThat(before.get("things")).hasSize(everyType().size());
            assertThat(BackupFixture.indexes(dst)).isEqualTo(BackupFixture.indexes(src));
            assertThat(f.org("acme").get("database_name").asText()).as("the source org is untouched").isEqualTo("org_acme");
            // end state: the copy is active with the whole schema and every document; the source keeps its schema
            f.assertHolds("acme-copy", before);
            f.assertClean("acme");
        }
    }

    @Test
    void aCollectionLargerThanOneMultipartPartGoesThroughS3() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            String bucket = s3.newBucket();
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/backups");
            env.put("TENANTCTL_S3_PART_SIZE_MIB", "5");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                Random random = new Random(7);
                List<BsonDocument> docs = new ArrayList<>();
                for (int i = 0; i < 1200; i++) { // ~12 MB of incompressible text
                    byte[] bytes = new byte[7500];
                    random.nextBytes(bytes);
                    docs.add(new BsonDocument("_id", new BsonInt32(i)).append("payload",
                            new BsonString(java.util.Base64.getEncoder().encodeToString(bytes))));
                }
                f.db("acme").getCollection("events", BsonDocument.class).insertMany(docs);

                String backupId = f.backup("acme", "--compression", "none");
                JsonNode show = strictJson(ok(f.cli, "backups", "show", backupId, "-o", "json"));
                JsonNode events = null;
                for (JsonNode c : show.get("manifest").get("collections")) {
                    if (c.get("name").asText().equals("events")) {
                        events = c;
                    }
                }
                assertThat(events).isNotNull();
                assertThat(events.get("bytes").asLong()).as("more than two 5 MiB parts").isGreaterThan(10L * 1024 * 1024);

                Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
                ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-s3");
                f.assertHolds("acme-s3", before);
                f.assertHolds("acme", before);
            }
        }
    }

    /** One document per BSON type the in-process pools can store. */
    static List<BsonDocument> everyType() {
        List<BsonDocument> docs = new ArrayList<>();
        int id = 0;
        docs.add(doc(id++, "oid", new BsonObjectId(new ObjectId("0123456789abcdef01234567"))));
        docs.add(doc(id++, "date", new BsonDateTime(1_700_000_000_123L)));
        docs.add(doc(id++, "date", new BsonDateTime(-62_135_596_800_000L)));
        docs.add(doc(id++, "dec", new BsonDecimal128(new Decimal128(new BigDecimal("1234567890.123456789012345678901234")))));
        docs.add(doc(id++, "dec", new BsonDecimal128(Decimal128.NaN)));
        docs.add(doc(id++, "i64", new BsonInt64(Long.MIN_VALUE)));
        docs.add(doc(id++, "i64", new BsonInt64(Long.MAX_VALUE)));
        docs.add(doc(id++, "i32", new BsonInt32(Integer.MIN_VALUE)));
        docs.add(doc(id++, "dbl", new BsonDouble(Math.PI)));
        docs.add(doc(id++, "dbl", new BsonDouble(Double.NaN)));
        docs.add(doc(id++, "dbl", new BsonDouble(Double.POSITIVE_INFINITY)));
        docs.add(doc(id++, "dbl", new BsonDouble(Double.NEGATIVE_INFINITY)));
        // mongo-java-server 1.47 decodes only Binary subtypes 0, 3 and 4 (1, 2, 5, 6 and >= 128 break the connection), so
        // subtypes 1, 2, 5, 6 and 128 are proven by the format layer alone (backup.BsonRoundTripTest)
        for (byte subtype : new byte[]{0, 3, 4}) {
            byte[] data = subtype == 3 || subtype == 4 ? new byte[16] : new byte[]{1, 2, 3, (byte) 0xff};
            data[0] = subtype;
            docs.add(doc(id++, "bin", new BsonBinary(subtype, data)));
        }
        docs.add(doc(id++, "ts", new BsonTimestamp(1_700_000_000, 7)));
        docs.add(doc(id++, "re", new BsonRegularExpression("^a.*b$", "im")));
        docs.add(doc(id++, "min", new BsonMinKey()));
        docs.add(doc(id++, "max", new BsonMaxKey()));
        docs.add(doc(id++, "nil", BsonNull.VALUE));
        docs.add(doc(id++, "bool", BsonBoolean.FALSE));
        docs.add(doc(id++, "s", new BsonString("unicode: 日本語 ✓ émoji 🎉 \u0000 nul")));
        docs.add(doc(id++, "nested", new BsonDocument("a", new BsonArray(List.of(new BsonArray(List.of(new BsonInt32(1),
                new BsonDocument("deep", new BsonArray(List.of(new BsonString("x"), BsonNull.VALUE))))), new BsonDocument())))
                .append("$weird", new BsonString("dollar")).append("dotted.name", new BsonInt64(5))));
        docs.add(doc(id++, "lookalike", new BsonDocument("$numberLong", new BsonString("5"))));
        return docs;
    }

    private static BsonDocument doc(int id, String field, org.bson.BsonValue value) {
        return new BsonDocument("_id", new BsonInt32(id)).append(field, value);
    }
}
