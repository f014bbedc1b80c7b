package io.tenantctl.backup;

import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinaryReader;
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
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriter;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte encoder must write exactly what the driver's JsonWriter writes, or decline. The driver is the oracle. */
class CanonicalJsonBytesTest {

    private static final JsonWriterSettings DRIVER_DEFAULT = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    static final List<String> STRINGS = List.of("", "a", "plain ascii ~!@#%^&*()_+-={}[]|:;<>?,./ 0123", "quote \" in",
            "back\\slash", "tab\t nl\n cr\r bs\b ff\f", "nul\u0000", "del\u007f", "unit\u001f", "caf\u00e9", "\u00a0nbsp",
            "\u6f22\u5b57", "emoji \ud83d\ude80!", "line sep \u2028", "bom \ufeff", "soft\u00adhyphen", "lone \ud800 high",
            "lone \udc00 low", "private \ue000", "\u0301combining", "$oid", "a.b", "{\"$numberLong\": \"5\"}");

    @Test
    void writesEveryCommonTypeExactlyAsTheDriver() {
        BsonDocument doc = new BsonDocument("_id", new BsonObjectId(new ObjectId("0123456789abcdefABCDEF01".toLowerCase())))
                .append("i32", new BsonArray(List.of(new BsonInt32(0), new BsonInt32(-1), new BsonInt32(Integer.MIN_VALUE),
                        new BsonInt32(Integer.MAX_VALUE))))
                .append("i64", new BsonArray(List.of(new BsonInt64(0), new BsonInt64(-42), new BsonInt64(Long.MIN_VALUE),
                        new BsonInt64(Long.MAX_VALUE))))
                .append("dbl", new BsonArray(List.of(new BsonDouble(1.0), new BsonDouble(-0.0), new BsonDouble(0.1),
                        new BsonDouble(1e300), new BsonDouble(4.9e-324), new BsonDouble(Double.NaN),
                        new BsonDouble(Double.POSITIVE_INFINITY), new BsonDouble(Double.NEGATIVE_INFINITY))))
                .append("dates", new BsonArray(List.of(new BsonDateTime(0), new BsonDateTime(-62135596800000L),
                        new BsonDateTime(1_700_000_000_123L), new BsonDateTime(Long.MAX_VALUE), new BsonDateTime(Long.MIN_VALUE))))
                .append("flags", new BsonArray(List.of(BsonBoolean.TRUE, BsonBoolean.FALSE, BsonNull.VALUE)))
                .append("empty", new BsonDocument()).append("emptyList", new BsonArray())
                .append("deep", new BsonDocument("a", new BsonArray(List.of(new BsonArray(List.of(new BsonDocument("b", new BsonArray())))))));
        for (int i = 0; i < STRINGS.size(); i++) {
            doc.append("s" + i, new BsonString(STRINGS.get(i)));
            doc.append("k" + STRINGS.get(i).replace("\u0000", "") + "#" + i, new BsonInt32(i)); // every string as a field name too
        }
        assertSameAsDriver(raw(doc));
    }

    @Test
    void invalidUtf8IsReplacedAsTheDriverReplacesIt() {
        byte[] bytes = bytes(raw(new BsonDocument("s", new BsonString("abcd")).append("n", new BsonString("wxyz"))));
        int s = indexOf(bytes, "abcd".getBytes(StandardCharsets.US_ASCII));
        bytes[s + 1] = (byte) 0xc3; // a lead byte with no continuation
        bytes[s + 2] = (byte) 0xff; // never valid in UTF-8
        int n = indexOf(bytes, "n".getBytes(StandardCharsets.US_ASCII));
        bytes[n] = (byte) 0xe2; // a field name that is not UTF-8
        assertSameAsDriver(new RawBsonDocument(bytes));
    }

    @Test
    void declinesWhatOnlyTheDriverWrites() {
        List<BsonValue> others = List.of(new BsonBinary(new byte[] {1, 2}), new BsonDecimal128(Decimal128.parse("1.5")),
                new BsonRegularExpression("^a", "i"), new BsonTimestamp(5, 1), new BsonMinKey(), new BsonMaxKey());
        CanonicalJsonBytes encoder = new CanonicalJsonBytes();
        for (BsonValue other : others) {
            RawBsonDocument top = raw(new BsonDocument("x", other));
            RawBsonDocument nested = raw(new BsonDocument("a", new BsonArray(List.of(new BsonInt32(1), new BsonDocument("x", other)))));
            assertThat(encode(encoder, top)).as(other.getBsonType().name()).isNull();
            assertThat(encode(encoder, nested)).as("nested " + other.getBsonType().name()).isNull();
        }
        // '$'-prefixed names may read back as Extended JSON keywords: CollectionWriter decides what to do with them
        assertThat(encode(encoder, raw(new BsonDocument("$set", new BsonInt32(1))))).isNull();
        assertThat(encode(encoder, raw(new BsonDocument("a", new BsonDocument("$regex", new BsonString("x")))))).isNull();
        // the encoder is reusable after declining
        assertSameAsDriver(raw(new BsonDocument("a", new BsonInt32(1))));
        assertThat(encode(encoder, raw(new BsonDocument("a", new BsonInt32(1))))).isEqualTo("{\"a\": {\"$numberInt\": \"1\"}}");
    }

    @Test
    void declinesADocumentLargerThanItsBuffer() {
        String big = "x".repeat(CanonicalJsonBytes.MAX_BYTES);
        assertThat(encode(new CanonicalJsonBytes(), raw(new BsonDocument("big", new BsonString(big))))).isNull();
    }

    @Test
    void declinesANaNWithASignOrPayloadWhichJsonCannotSay() {
        for (long bits : new long[]{0xfff8000000000000L, 0x7ff8000000000001L, 0x7ff0000000000001L}) {
            assertThat(encode(new CanonicalJsonBytes(), raw(new BsonDocument("v", new BsonDouble(Double.longBitsToDouble(bits))))))
                    .as(Long.toHexString(bits)).isNull();
        }
        assertThat(encode(new CanonicalJsonBytes(), raw(new BsonDocument("v", new BsonDouble(Double.NaN))))).isNotNull();
    }

    /** Random bits as a double; a NaN other than the canonical one (declined, see above) becomes the canonical NaN. */
    private static double anyBitsButOddNaN(long bits) {
        double d = Double.longBitsToDouble(bits);
        return Double.isNaN(d) ? Double.NaN : d;
    }

    @Test
    void randomDocumentsOfCommonTypesAreEncodedAndMatchTheDriver() {
        Random random = new Random(20261123);
        CanonicalJsonBytes encoder = new CanonicalJsonBytes();
        for (int i = 0; i < 3000; i++) {
            RawBsonDocument doc = raw(randomDocument(random, 0));
            String fast = encode(encoder, doc);
            assertThat(fast).as("document %d declined: %s", i, doc).isNotNull();
            assertThat(fast).as("document %d", i).isEqualTo(driver(doc));
        }
    }

    static BsonDocument randomDocument(Random r, int depth) {
        BsonDocument d = new BsonDocument();
        int fields = r.nextInt(depth == 0 ? 12 : 5);
        for (int i = 0; i < fields; i++) {
            d.append(randomString(r, 1 + r.nextInt(12)) + i, randomValue(r, depth));
        }
        return d;
    }

    private static BsonValue randomValue(Random r, int depth) {
        int kind = r.nextInt(depth < 3 ? 11 : 9);
        return switch (kind) {
            case 0 -> new BsonString(randomString(r, r.nextInt(60)));
            case 1 -> new BsonInt32(r.nextInt());
            case 2 -> new BsonInt64(r.nextLong());
            case 3 -> new BsonDouble(r.nextBoolean() ? r.nextDouble() * Math.pow(10, r.nextInt(40) - 20) : anyBitsButOddNaN(r.nextLong()));
            case 4 -> new BsonDateTime(r.nextLong() >> r.nextInt(20));
            case 5 -> new BsonObjectId(new ObjectId());
            case 6 -> BsonBoolean.valueOf(r.nextBoolean());
            case 7 -> BsonNull.VALUE;
            case 8 -> new BsonString(STRINGS.get(r.nextInt(STRINGS.size())));
            case 9 -> randomDocument(r, depth + 1);
            default -> {
                BsonArray a = new BsonArray();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(randomValue(r, depth + 1));
                }
                yield a;
            }
        };
    }

    /** Mostly printable ASCII, sometimes anything in the BMP or beyond (no NUL: names are C strings). */
    private static String randomString(Random r, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int p = r.nextInt(100);
            if (p < 85) {
                sb.append((char) (0x20 + r.nextInt(0x5f)));
            } else if (p < 90) {
                sb.append((char) (1 + r.nextInt(0x7f)));
            } else if (p < 97) {
                sb.append((char) (0x80 + r.nextInt(0xd800 - 0x80)));
            } else {
                sb.appendCodePoint(0x10000 + r.nextInt(0x10ffff - 0x10000));
            }
        }
        String s = sb.toString();
        return s.startsWith("$") ? "_" + s : s;
    }

    private static void assertSameAsDriver(RawBsonDocument doc) {
        String fast = encode(new CanonicalJsonBytes(), doc);
        assertThat(fast).as("declined").isNotNull();
        assertThat(fast).isEqualTo(driver(doc));
    }

    /** What the encoder wrote, or null when it declined. */
    private static String encode(CanonicalJsonBytes encoder, RawBsonDocument doc) {
        byte[] b = bytes(doc);
        byte[] padded = new byte[b.length + 7];
        System.arraycopy(b, 0, padded, 3, b.length); // at an offset, as documents sit inside a driver reply
        int n = encoder.encode(padded, 3, b.length);
        return n < 0 ? null : new String(Arrays.copyOf(encoder.bytes(), n), StandardCharsets.UTF_8);
    }

    static String driver(RawBsonDocument doc) {
        StringWriter out = new StringWriter();
        try (BsonBinaryReader reader = new BsonBinaryReader(doc.getByteBuffer().asNIO())) {
            new JsonWriter(out, DRIVER_DEFAULT).pipe(reader);
        }
        // as the bytes CollectionWriter stores, decoded back: the encoder must be exact in bytes, not just in chars
        return new String(out.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    static RawBsonDocument raw(BsonDocument doc) {
        return new RawBsonDocument(doc, new BsonDocumentCodec());
    }

    static byte[] bytes(RawBsonDocument doc) {
        ByteBuffer b = doc.getByteBuffer().asNIO();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
