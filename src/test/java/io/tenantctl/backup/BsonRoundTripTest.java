package io.tenantctl.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every BSON type survives writer → FileObjectStore → reader exactly (same types, same bytes). */
class BsonRoundTripTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Compression.class)
    void everyBsonTypeRoundTripsExactly(Compression compression) throws IOException {
        List<BsonDocument> docs = everyType();
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            BackupWriter.Finished finished = BackupFixture.write(store, id, compression, Map.of("things", docs));

            assertThat(finished.manifest().collections()).singleElement().satisfies(e -> {
                assertThat(e.docs()).isEqualTo(docs.size());
                assertThat(e.file()).isEqualTo("things.ndjson" + compression.extension());
            });
            assertSameDocuments(BackupFixture.read(store, id).get("things"), docs);
        }
    }

    @Test
    void documentsWhoseFieldNamesLookLikeExtendedJsonStayDocuments() throws IOException {
        List<BsonDocument> docs = List.of(
                doc(1).append("q", new BsonDocument("$regex", new BsonString("^a")).append("$options", new BsonString("i"))),
                doc(2).append("r", new BsonDocument("$oid", new BsonString("0123456789abcdef01234567"))),
                doc(3).append("n", new BsonDocument("$numberLong", new BsonString("5"))),
                doc(4).append("d", new BsonDocument("$date", new BsonString("not a date"))),
                doc(5).append("b", new BsonDocument("$binary", new BsonString("AQI=")).append("$type", new BsonString("00"))),
                new BsonDocument(CollectionWriter.RAW_BSON_FIELD, new BsonBinary(new byte[] {5, 0, 0, 0, 0})),
                doc(7).append("$inc", new BsonDocument("count", new BsonInt32(1)))
                        .append("nested", new BsonArray(List.of(new BsonDocument("$ref", new BsonString("users"))
                                .append("$id", new BsonObjectId(new ObjectId("65f0c0ffee0123456789abcd")))))));
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            BackupFixture.write(store, id, Compression.NONE, Map.of("queries", docs));

            assertSameDocuments(BackupFixture.read(store, id).get("queries"), docs);
            // only the ambiguous ones are stored as raw BSON; the rest stay readable NDJSON
            List<String> lines = lines(store, id, "queries.ndjson", Compression.NONE);
            assertThat(lines).hasSize(7);
            assertThat(lines.subList(0, 6)).allSatisfy(l -> assertThat(l).startsWith("{\"" + CollectionWriter.RAW_BSON_FIELD));
            assertThat(lines.get(6)).startsWith("{\"_id\": {\"$numberInt\": \"7\"}, \"$inc\"");
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void linesAroundEveryBufferSizeRoundTrip(Compression compression) throws IOException {
        // the writer's text buffer starts at 8 KB and doubles up to 256 KB, and the reader reads 64 KB at a time: lines
        // just under, at and over each size they pass through, small ones in between
        List<BsonDocument> docs = new ArrayList<>();
        int[] sizes = {10, 8_150, 8_200, 3, 16_300, 16_400, 32_700, 32_800, 65_500, 65_600, 1, 262_000, 262_200, 140_000, 5};
        for (int i = 0; i < sizes.length * 3; i++) {
            docs.add(doc(i).append("text", new BsonString("x".repeat(sizes[i % sizes.length] + i))));
        }
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            BackupFixture.write(store, id, compression, Map.of("sizes", docs));

            assertSameDocuments(BackupFixture.read(store, id).get("sizes"), docs);
            assertThat(BackupReader.open(store, BackupFixture.LAYOUT, "acme", id).verify()).isEqualTo(docs.size());
        }
    }

    @Test
    void nearlySixteenMegabyteDocumentAndEmptyCollectionRoundTrip() throws IOException {
        String big = "0123456789abcdefghijklmnopqrstuvwxyz\u00e9\u6570".repeat(15_500_000 / 40);
        BsonDocument large = doc(1).append("blob", new BsonString(big));
        assertThat(new RawBsonDocument(large, new BsonDocumentCodec()).getByteBuffer().remaining())
                .isBetween(15_000_000, 16 * 1024 * 1024);
        Map<String, List<BsonDocument>> collections = new LinkedHashMap<>();
        collections.put("attachments", List.of(doc(0), large, doc(2)));
        collections.put("empty", List.of());
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            BackupWriter.Finished finished = BackupFixture.write(store, id, Compression.ZSTD, collections);

            Map<String, List<RawBsonDocument>> back = BackupFixture.read(store, id);
            assertSameDocuments(back.get("attachments"), collections.get("attachments"));
            assertThat(back.get("empty")).isEmpty();
            CollectionEntry empty = finished.manifest().collection("empty").orElseThrow();
            assertThat(empty.docs()).isZero();
            assertThat(store.exists("backups/acme/" + id + "/" + empty.file())).isTrue();
            assertThat(BackupReader.open(store, BackupFixture.LAYOUT, "acme", id).verify()).isEqualTo(3);
        }
    }

    @Test
    void gzipFilesAreCanonicalExtendedJsonLinesReadableWithZcat() throws IOException {
        try (ObjectStore store = new FileObjectStore(dir)) {
            String id = BackupFixture.newBackupId();
            try (BackupWriter writer = BackupWriter.start(store, BackupFixture.LAYOUT,
                    new BackupWriter.Spec("acme", id, "pool-a", "org_acme", null, Compression.GZIP), BackupFixture.CLOCK)) {
                try (CollectionWriter cw = writer.openCollection("users", List.of())) {
                    cw.write(new Document("_id", new ObjectId("65f0c0ffee0123456789abcd")).append("n", 1)
                            .append("at", new java.util.Date(0)).append("price", new Decimal128(new java.math.BigDecimal("1.10"))));
                    cw.finish();
                }
                writer.finish();
            }
            assertThat(lines(store, id, "users.ndjson.gz", Compression.GZIP)).containsExactly(
                    "{\"_id\": {\"$oid\": \"65f0c0ffee0123456789abcd\"}, \"n\": {\"$numberInt\": \"1\"}, "
                            + "\"at\": {\"$date\": {\"$numberLong\": \"0\"}}, \"price\": {\"$numberDecimal\": \"1.10\"}}");
        }
    }

    private static List<String> lines(ObjectStore store, String id, String file, Compression compression)
            throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = compression.decompress(store.open("backups/acme/" + id + "/" + file));
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                lines.add(l);
            }
        }
        return lines;
    }

    private static void assertSameDocuments(List<RawBsonDocument> actual, List<BsonDocument> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            BsonDocument want = expected.get(i);
            assertThat(actual.get(i)).as("document %d", i).isEqualTo(want);
            // byte-identical: same types (Int32 vs Int64, -0.0 vs 0.0), same field order
            assertThat(actual.get(i).getByteBuffer().asNIO())
                    .as("bytes of document %d", i)
                    .isEqualTo(new RawBsonDocument(want, new BsonDocumentCodec()).getByteBuffer().asNIO());
        }
    }

    private static BsonDocument doc(int id) {
        return new BsonDocument("_id", new BsonInt32(id));
    }

    static List<BsonDocument> everyType() {
        BsonDocument scalars = doc(1)
                .append("oid", new BsonObjectId(new ObjectId("65f0c0ffee0123456789abcd")))
                .append("date", new BsonDateTime(1_710_381_600_123L))
                .append("datePreEpoch", new BsonDateTime(-62_135_596_800_000L))
                .append("dateFar", new BsonDateTime(253_402_300_800_000L))
                .append("dec", new BsonDecimal128(Decimal128.parse("1.10")))
                .append("decNaN", new BsonDecimal128(Decimal128.NaN))
                .append("decInf", new BsonDecimal128(Decimal128.POSITIVE_INFINITY))
                .append("decNegInf", new BsonDecimal128(Decimal128.NEGATIVE_INFINITY))
                .append("decNegZero", new BsonDecimal128(Decimal128.NEGATIVE_ZERO))
                .append("decHuge", new BsonDecimal128(Decimal128.parse("9.999999999999999999999999999999999E+6144")))
                .append("i64", new BsonInt64(Long.MAX_VALUE))
                .append("i64min", new BsonInt64(Long.MIN_VALUE))
                .append("i64small", new BsonInt64(1))
                .append("i32", new BsonInt32(Integer.MIN_VALUE))
                .append("i32one", new BsonInt32(1))
                .append("dbl", new BsonDouble(0.1))
                .append("dblOne", new BsonDouble(1.0))
                .append("dblNaN", new BsonDouble(Double.NaN))
                .append("dblInf", new BsonDouble(Double.POSITIVE_INFINITY))
                .append("dblNegInf", new BsonDouble(Double.NEGATIVE_INFINITY))
                .append("dblNegZero", new BsonDouble(-0.0))
                .append("dblMin", new BsonDouble(Double.MIN_VALUE))
                .append("dblMax", new BsonDouble(Double.MAX_VALUE))
                .append("true", BsonBoolean.TRUE)
                .append("false", BsonBoolean.FALSE)
                .append("null", BsonNull.VALUE)
                .append("undefined", new BsonUndefined())
                .append("ts", new BsonTimestamp(1_710_381_600, 7))
                .append("tsMax", new BsonTimestamp(-1L))
                .append("regex", new BsonRegularExpression("^a.*\\/b$", "imsux"))
                .append("regexNoOpts", new BsonRegularExpression("x"))
                .append("minKey", new BsonMinKey())
                .append("maxKey", new BsonMaxKey())
                .append("code", new BsonJavaScript("function() { return \"x\\n\"; }"))
                .append("codeWithScope", new BsonJavaScriptWithScope("x + y",
                        new BsonDocument("y", new BsonInt64(2))))
                .append("symbol", new BsonSymbol("sym"))
                .append("dbPointer", new BsonDbPointer("db.coll", new ObjectId("65f0c0ffee0123456789abcd")));

        BsonDocument binaries = doc(2);
        byte[] sixteen = new byte[16];
        for (int i = 0; i < 16; i++) {
            sixteen[i] = (byte) (i * 17);
        }
        for (int subtype : new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x80, 0xA5, 0xFF}) {
            binaries.append("bin" + Integer.toHexString(subtype), new BsonBinary((byte) subtype, sixteen));
        }
        binaries.append("binEmpty", new BsonBinary(new byte[0]));

        BsonValue deep = new BsonInt32(42);
        for (int i = 0; i < 60; i++) {
            deep = i % 2 == 0 ? new BsonArray(List.of(deep)) : new BsonDocument("d" + i, deep);
        }
        BsonDocument nested = doc(3)
                .append("arr", new BsonArray(List.of(new BsonInt32(1), new BsonString("two"),
                        new BsonArray(List.of(new BsonArray(), new BsonDocument())), new BsonDocument("x", BsonNull.VALUE),
                        new BsonArray(List.of(new BsonInt64(3), new BsonDouble(3.0), new BsonDecimal128(Decimal128.parse("3")))))))
                .append("emptyDoc", new BsonDocument())
                .append("emptyArr", new BsonArray())
                .append("deep", deep);

        BsonDocument unicode = doc(4)
                .append("emoji", new BsonString("\uD83D\uDE00 \uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08 \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"))
                .append("cjk", new BsonString("\u6570\u636E\u5E93\u306E\u30C6\u30B9\u30C8 \uD55C\uAD6D\uC5B4"))
                .append("rtl", new BsonString("\u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627"))
                .append("combining", new BsonString("e\u0301 \u00e9"))
                .append("separators", new BsonString("line\u2028para\u2029end"))
                .append("escapes", new BsonString("quote\" backslash\\ cr\r lf\n tab\t bs\b ff\f ctl\u0001\u001f del\u007f"))
                .append("\u30AD\u30FC", new BsonString("unicode field name"))
                .append("\uD83D\uDD11", new BsonInt32(1));

        BsonDocument names = doc(5)
                .append("$set", new BsonDocument("a.b", new BsonInt32(1)))
                .append("a.b.c", new BsonString("dotted"))
                .append("$", new BsonInt32(1))
                .append(".", new BsonInt32(2))
                .append("x$y", new BsonInt32(3))
                .append("", new BsonString("empty field name"))
                .append("$numberInt", new BsonString("not an int wrapper at top level"))
                .append("nested", new BsonDocument("$price", new BsonDouble(9.99)).append("$$ROOT", BsonBoolean.TRUE));

        BsonDocument oidId = new BsonDocument("_id", new BsonObjectId(new ObjectId("65f0c0ffee0123456789abce")))
                .append("orgId", new BsonString("acme"));
        BsonDocument idNotFirst = new BsonDocument("z", new BsonInt32(1)).append("_id", new BsonString("keeps field order"));
        return List.of(scalars, binaries, nested, unicode, names, oidId, idNotFirst);
    }
}
