package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: backup → restore does not give back a NaN bit for bit. Canonical Extended JSON writes every NaN
 * as {@code "NaN"} - a double's sign bit and payload ({@code 0xfff8000000000000}, the NaN x86 produces for 0/0, or one with
 * a payload) and a Decimal128's sign / signalling flag ({@code Decimal128.NEGATIVE_NaN}) - and reads it back as the one
 * canonical NaN. The pools keep these bytes (a rebalance move copies them exactly), and the README promises "every
 * document comes back byte for byte", but the restored document is different bytes, and no check notices: restore only
 * compares counts. The {@code $tenantctlBson} escape the writer already has (exact BSON for what JSON cannot carry) is not
 * used for them.
 */
class RestoreKeepsNaNBitsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "none"})
    void aNaNWithItsSignOrPayloadSetComesBackBitForBit(String compression) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            MongoDatabase src = f.db("acme");
            src.getCollection("readings", BsonDocument.class).insertMany(List.of(
                    new BsonDocument("_id", new BsonInt32(1)).append("v", new BsonDouble(Double.longBitsToDouble(0xfff8000000000000L))),
                    new BsonDocument("_id", new BsonInt32(2)).append("v", new BsonDouble(Double.longBitsToDouble(0x7ff8000000000001L))),
                    new BsonDocument("_id", new BsonInt32(3)).append("v", new BsonDecimal128(Decimal128.NEGATIVE_NaN)),
                    new BsonDocument("_id", new BsonInt32(4)).append("v", new BsonDouble(Double.NaN))));
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(src);
            // the pool itself keeps the bits: what the tenant wrote is what is there to back up
            assertThat(Double.doubleToRawLongBits(before.get("readings").get(0).getDouble("v").getValue())).isEqualTo(0xfff8000000000000L);

            String backupId = f.backup("acme", "--compression", compression);
            JsonNode restored = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy", "-o", "json"));
            assertThat(restored.get("target_org_id").asText()).isEqualTo("acme-copy");

            List<RawBsonDocument> back = BackupFixture.contents(f.db("acme-copy")).get("readings");
            assertThat(back).hasSize(4);
            for (int i = 0; i < 4; i++) {
                assertThat(hex(back.get(i))).as("document _id %d restored from a %s backup", i + 1, compression)
                        .isEqualTo(hex(before.get("readings").get(i)));
            }
        }
    }

    /**
     * Found by a probing helper: a Decimal128 whose text does not parse back to its bytes was silently changed by backup →
     * restore. A non-canonical one (coefficient of 10^34 or more, whose value is 0) was written as 35 digits and read back as
     * a different number; an Infinity with stray bits came back as the canonical Infinity's bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"zstd", "none"})
    void aDecimal128WhoseTextDoesNotParseBackComesBackBitForBit(String compression) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            MongoDatabase src = f.db("acme");
            src.getCollection("ledger", BsonDocument.class).insertMany(List.of(
                    new BsonDocument("_id", new BsonInt32(1)).append("v", new BsonDecimal128(
                            Decimal128.fromIEEE754BIDEncoding(0x0001ed09bead87c0L, 0x378d8e6400000000L))),
                    new BsonDocument("_id", new BsonInt32(2)).append("v", new BsonDecimal128(
                            Decimal128.fromIEEE754BIDEncoding(0x7800000000000001L, 0L))),
                    new BsonDocument("_id", new BsonInt32(3)).append("nested", new BsonDocument("v", new BsonDecimal128(
                            Decimal128.fromIEEE754BIDEncoding(0x0001ed09bead87c0L, 0x378d8e6400000000L)))),
                    new BsonDocument("_id", new BsonInt32(4)).append("v", new BsonDecimal128(Decimal128.parse("12.50")))));
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(src);
            assertThat(before.get("ledger").get(1).getDecimal128("v").getValue().getHigh()).isEqualTo(0x7800000000000001L);

            String backupId = f.backup("acme", "--compression", compression);
            ok(f.cli, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy", "-o", "json");

            List<RawBsonDocument> back = BackupFixture.contents(f.db("acme-copy")).get("ledger");
            assertThat(back).hasSize(4);
            for (int i = 0; i < 4; i++) {
                assertThat(hex(back.get(i))).as("document _id %d restored from a %s backup", i + 1, compression)
                        .isEqualTo(hex(before.get("ledger").get(i)));
            }
        }
    }

    private static String hex(RawBsonDocument d) {
        var b = d.getByteBuffer().asNIO();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return HexFormat.of().formatHex(a);
    }
}
