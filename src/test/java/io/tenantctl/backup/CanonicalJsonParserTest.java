package io.tenantctl.backup;

import org.bson.BsonArray;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.io.BasicOutputBuffer;
import org.bson.json.JsonReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte parser must read a line into exactly the BSON the driver's JsonReader makes of it, or decline. The driver,
 * after CollectionReader's strict UTF-8 decoding, is the oracle: on every line a backup writes and on lines damaged at random.
 */
class CanonicalJsonParserTest {

    @Test
    void readsEveryCommonTypeExactlyAsTheDriver() {
        BsonDocument doc = new BsonDocument();
        for (int i = 0; i < CanonicalJsonBytesTest.STRINGS.size(); i++) {
            String s = CanonicalJsonBytesTest.STRINGS.get(i);
            doc.append("s" + i, new BsonString(s));
            if (!s.contains("\u0000") && !s.startsWith("$")) {
                doc.append(s + "#" + i, new BsonInt32(i)); // every string as a field name too
            }
        }
        BsonArray eleven = new BsonArray();
        for (int i = 0; i < 12; i++) {
            eleven.add(new BsonInt32(i)); // array indexes of two digits
        }
        doc.append("list", eleven);
        // past the parser's first buffer (16 KB), so that it grows while a value is written, in a nested document too
        doc.append("long", new BsonString("x".repeat(20_000))).append("nested", new BsonDocument("a", new BsonString("y".repeat(40_000)))
                .append("b", new BsonArray(List.of(new BsonString("z".repeat(70_000)), new BsonInt32(1)))));
        String json = CanonicalJsonBytesTest.driver(CanonicalJsonBytesTest.raw(doc));
        assertSameAsDriver(json);
        // and the common types: CanonicalJsonBytesTest's own document, read back
        for (String line : List.of("{\"_id\": {\"$oid\": \"0123456789abcdefABCDEF01\"}}", "{}", "{\"a\": []}", "{\"a\": {}}",
                "{\"d\": {\"$numberDouble\": \"-0.0\"}, \"n\": {\"$numberDouble\": \"NaN\"}, \"i\": {\"$numberDouble\": \"-Infinity\"}}",
                "{\"i\": {\"$numberInt\": \"-2147483648\"}, \"l\": {\"$numberLong\": \"-9223372036854775808\"}}",
                "{\"l\": {\"$numberLong\": \"9223372036854775807\"}, \"t\": {\"$date\": {\"$numberLong\": \"-62135596800000\"}}}",
                "{\"b\": [true, false, null], \"slash\": \"a\\/b\", \"raw4\": \"\uD83D\uDE80\"}")) {
            assertSameAsDriver(line);
        }
    }

    @Test
    void randomDocumentsAsABackupWritesThemAreReadAsTheDriverReadsThem() {
        Random random = new Random(20261207);
        CanonicalJsonParser parser = new CanonicalJsonParser();
        for (int i = 0; i < 3000; i++) {
            String json = CanonicalJsonBytesTest.driver(CanonicalJsonBytesTest.raw(CanonicalJsonBytesTest.randomDocument(random, 0)));
            byte[] line = json.getBytes(StandardCharsets.UTF_8);
            RawBsonDocument fast = parser.parse(line, line.length);
            assertThat(fast).as("line %d declined: %s", i, json).isNotNull();
            assertThat(bytes(fast)).as("line %d: %s", i, json).isEqualTo(driver(line, line.length));
        }
    }

    @Test
    void aDamagedLineIsReadAsTheDriverReadsItOrDeclined() {
        Random random = new Random(7);
        CanonicalJsonParser parser = new CanonicalJsonParser();
        byte[] alphabet = "\"\\{}[],: $09-.Eeuntfal/".getBytes(StandardCharsets.US_ASCII);
        byte[] odd = {0, 0x1f, 0x7f, (byte) 0x80, (byte) 0xbf, (byte) 0xc0, (byte) 0xc3, (byte) 0xe0, (byte) 0xed, (byte) 0xf0,
                (byte) 0xf4, (byte) 0xf5, (byte) 0xff};
        int accepted = 0;
        int declined = 0;
        for (int i = 0; i < 20_000; i++) {
            String json = CanonicalJsonBytesTest.driver(CanonicalJsonBytesTest.raw(CanonicalJsonBytesTest.randomDocument(random, 0)));
            byte[] line = json.getBytes(StandardCharsets.UTF_8);
            int length = line.length;
            byte[] damaged = Arrays.copyOf(line, length + 8);
            for (int m = 1 + random.nextInt(3); m > 0 && length > 0; m--) {
                int at = random.nextInt(length);
                switch (random.nextInt(4)) {
                    case 0 -> damaged[at] = alphabet[random.nextInt(alphabet.length)];
                    case 1 -> damaged[at] = odd[random.nextInt(odd.length)];
                    case 2 -> { // a byte removed
                        System.arraycopy(damaged, at + 1, damaged, at, length - at - 1);
                        length--;
                    }
                    default -> { // a byte doubled
                        System.arraycopy(damaged, at, damaged, at + 1, length - at);
                        length++;
                    }
                }
            }
            Arrays.fill(damaged, length, damaged.length, (byte) '}'); // what lies past the line must not be read
            RawBsonDocument fast = parser.parse(damaged, length);
            byte[] driver = driver(damaged, length);
            if (fast != null) {
                accepted++;
                assertThat(driver).as("accepted what the driver refuses: %s", new String(damaged, 0, length, StandardCharsets.ISO_8859_1))
                        .isNotNull();
                assertThat(bytes(fast)).as("line %d", i).isEqualTo(driver);
            } else {
                declined++;
            }
        }
        assertThat(accepted).as("damage that leaves a valid line (a digit or letter changed) is read").isGreaterThan(1000);
        assertThat(declined).isGreaterThan(1000);
    }

    @Test
    void declinesWhatItCannotReadExactly() {
        CanonicalJsonParser parser = new CanonicalJsonParser();
        List<String> lines = new ArrayList<>(List.of(
                "{\"lone\": \"\\ud800\"}", "{\"lone\": \"\\udc00 x\"}", "{\"nul\\u0000name\": 1}", "{\"$set\": {\"$numberInt\": \"1\"}}",
                "{\"a\": {\"$regex\": \"x\", \"$options\": \"\"}}", "{\"a\": 1}", "{\"a\":{\"$numberInt\": \"1\"}}",
                "{\"a\": {\"$numberInt\": \"01\"}}", "{\"a\": {\"$numberInt\": \"2147483648\"}}", "{\"a\": {\"$numberLong\": \"-0\"}}",
                "{\"a\": {\"$numberDouble\": \"1d\"}}", "{\"a\": {\"$date\": \"2026-12-07T00:00:00Z\"}}", "{\"a\": \"tab\there\"}",
                "{\"a\": true} ", "{\"a\": {\"$binary\": {\"base64\": \"AA==\", \"subType\": \"00\"}}}"));
        lines.add("{\"d\": " + "[".repeat(CanonicalJsonParser.MAX_DEPTH + 2) + "]".repeat(CanonicalJsonParser.MAX_DEPTH + 2) + "}");
        for (String line : lines) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            assertThat(parser.parse(b, b.length)).as(line).isNull();
        }
        for (byte[] bad : List.of(new byte[]{(byte) 0xc0, (byte) 0x80}, new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[]{(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[]{(byte) 0xe2, (byte) 0x82})) {
            byte[] line = concat("{\"s\": \"".getBytes(StandardCharsets.US_ASCII), bad, "\"}".getBytes(StandardCharsets.US_ASCII));
            assertThat(parser.parse(line, line.length)).as("not UTF-8: %s", Arrays.toString(bad)).isNull();
        }
        byte[] ok = "{\"a\": {\"$numberInt\": \"1\"}}".getBytes(StandardCharsets.US_ASCII);
        assertThat(parser.parse(ok, ok.length)).as("reusable after declining").isEqualTo(new BsonDocument("a", new BsonInt32(1)));
    }

    private static void assertSameAsDriver(String json) {
        byte[] line = json.getBytes(StandardCharsets.UTF_8);
        RawBsonDocument fast = new CanonicalJsonParser().parse(line, line.length);
        assertThat(fast).as("declined: %s", json).isNotNull();
        assertThat(bytes(fast)).as(json).isEqualTo(driver(line, line.length));
    }

    /** What CollectionReader made of a line before: strict UTF-8, then the driver's reader; null where either refuses. */
    private static byte[] driver(byte[] line, int length) {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
        BasicOutputBuffer buffer = new BasicOutputBuffer();
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer); JsonReader reader = new JsonReader(json)) {
            writer.pipe(reader);
        } catch (RuntimeException refused) {
            return null;
        }
        return Arrays.copyOf(buffer.getInternalBuffer(), buffer.getPosition());
    }

    private static byte[] bytes(RawBsonDocument doc) {
        return CanonicalJsonBytesTest.bytes(doc);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
