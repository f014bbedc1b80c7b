package io.tenantctl.backup;

import org.bson.RawBsonDocument;

import java.util.Arrays;

import static io.tenantctl.backup.CanonicalJsonBytes.DATE;
import static io.tenantctl.backup.CanonicalJsonBytes.DOUBLE;
import static io.tenantctl.backup.CanonicalJsonBytes.FALSE;
import static io.tenantctl.backup.CanonicalJsonBytes.INT32;
import static io.tenantctl.backup.CanonicalJsonBytes.INT64;
import static io.tenantctl.backup.CanonicalJsonBytes.NULL;
import static io.tenantctl.backup.CanonicalJsonBytes.OID;
import static io.tenantctl.backup.CanonicalJsonBytes.TRUE;

/**
 * Reads one line of canonical Extended JSON v2 straight from its UTF-8 bytes into BSON bytes, producing exactly the
 * document the driver's {@code JsonReader} piped into a {@code BsonBinaryWriter} produces, for what
 * {@link CanonicalJsonBytes} writes only: its separators ({@code ", "}, {@code ": "}), double, string, document, array,
 * ObjectId, boolean, date, null, int32 and int64. For anything else (another type or spelling, a '$' name, a raw control
 * character, bytes that are not well-formed UTF-8, an escape the driver would turn into a lone surrogate or a NUL in a
 * name, a document nested deeper than {@link #MAX_DEPTH} or larger than {@link #MAX_BYTES}), {@link #parse} declines and
 * the caller hands the line to the driver, which stays the judge of what is valid.
 *
 * <p>Why it exists: restore spent most of its CPU in the driver's reader (a String for the line, one char at a time
 * into a StringBuilder per token, the same for every name), which made a restore's parsing slower than the pool's
 * inserts. This parser copies names and plain strings as they are. The driver stays the reference:
 * {@code CanonicalJsonParserTest} compares the two byte for byte on every type, on random documents and on mutated lines.
 *
 * <p>Not thread-safe: one instance per collection file.
 */
final class CanonicalJsonParser {

    /** Documents larger than this as BSON go through the driver (rare; keeps the scratch buffer small). */
    static final int MAX_BYTES = 2 << 20;
    static final int MAX_DEPTH = 100;

    /** Thrown (without a stack trace) when the driver must read the line. */
    private static final RuntimeException DECLINE = new RuntimeException("declined", null, false, false) {
    };


    private byte[] in;
    private int p;
    private int end;
    private byte[] out = new byte[16 * 1024];
    private int n;

    /** The document on {@code line[0, length)}, or null when the driver must read it. */
    RawBsonDocument parse(byte[] line, int length) {
        in = line;
        p = 0;
        end = length;
        n = 0;
        try {
            document(0, false);
            return p == end ? new RawBsonDocument(Arrays.copyOf(out, n)) : null;
        } catch (RuntimeException e) { // DECLINE, or a number the JDK refuses: the driver decides
            return null;
        } finally {
            in = null;
            if (out.length > 256 * 1024) {
                out = new byte[16 * 1024]; // don't keep a large document's buffer for the rest of the file
            }
        }
    }

    private void document(int depth, boolean array) {
        if (depth > MAX_DEPTH) {
            throw DECLINE;
        }
        expect(array ? '[' : '{');
        byte close = (byte) (array ? ']' : '}');
        int start = n;
        reserve(4);
        n += 4;
        if (peek() == close) {
            p++;
        } else {
            for (int index = 0; ; index++) {
                int type = n;
                put((byte) 0);
                if (array) {
                    index(index);
                } else {
                    name();
                }
                byte t = value(depth); // before out is read: the value may grow (replace) the buffer
                out[type] = t;
                byte c = next();
                if (c == close) {
                    break;
                }
                if (c != ',') {
                    throw DECLINE;
                }
                expect(' ');
            }
        }
        put((byte) 0);
        int32At(start, n - start);
    }

    private void name() {
        expect('"');
        if (peek() == '$') {
            throw DECLINE; // an Extended JSON keyword to the driver, or a field CollectionWriter kept as raw BSON
        }
        int from = n;
        string();
        for (int i = from; i < n; i++) {
            if (out[i] == 0) {
                throw DECLINE; // a C string cannot hold it: the driver refuses the line
            }
        }
        put((byte) 0);
        expect(':');
        expect(' ');
    }

    private void index(int index) {
        if (index < 10) {
            put((byte) ('0' + index));
        } else {
            byte[] digits = Integer.toString(index).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            reserve(digits.length);
            System.arraycopy(digits, 0, out, n, digits.length);
            n += digits.length;
        }
        put((byte) 0);
    }

    /** Writes the value at {@code p}; returns its BSON type. */
    private byte value(int depth) {
        switch (peek()) {
            case '"' -> {
                p++;
                int length = n;
                reserve(4);
                n += 4;
                string();
                put((byte) 0);
                int32At(length, n - length - 4);
                return 0x02;
            }
            case '[' -> {
                document(depth + 1, true);
                return 0x04;
            }
            case '{' -> {
                if (p + 2 < end && in[p + 1] == '"' && in[p + 2] == '$') {
                    return wrapped();
                }
                document(depth + 1, false);
                return 0x03;
            }
            case 't' -> {
                literal(TRUE);
                put((byte) 1);
                return 0x08;
            }
            case 'f' -> {
                literal(FALSE);
                put((byte) 0);
                return 0x08;
            }
            case 'n' -> {
                literal(NULL);
                return 0x0A;
            }
            default -> throw DECLINE;
        }
    }

    /** A value CanonicalJsonBytes wraps: {@code {"$oid": "…"}} and the like, exactly as it writes them. */
    private byte wrapped() {
        if (startsWith(OID)) {
            p += OID.length;
            reserve(12);
            for (int i = 0; i < 12; i++) {
                out[n++] = (byte) (hex(next()) << 4 | hex(next()));
            }
            expect('"');
            expect('}');
            return 0x07;
        }
        if (startsWith(DATE)) {
            p += DATE.length;
            int64(integer());
            expect('"');
            expect('}');
            expect('}');
            return 0x09;
        }
        if (startsWith(INT32)) {
            p += INT32.length;
            int32(Math.toIntExact(integer()));
            expect('"');
            expect('}');
            return 0x10;
        }
        if (startsWith(INT64)) {
            p += INT64.length;
            int64(integer());
            expect('"');
            expect('}');
            return 0x12;
        }
        if (startsWith(DOUBLE)) {
            p += DOUBLE.length;
            int from = p;
            while (peek() != '"') {
                p++;
            }
            String text = new String(in, from, p - from, java.nio.charset.StandardCharsets.ISO_8859_1);
            p++;
            if (!text.equals("Infinity") && !text.equals("-Infinity") && !text.equals("NaN")
                    && !text.chars().allMatch(c -> c >= '0' && c <= '9' || c == '-' || c == '.' || c == 'E')) {
                throw DECLINE; // Double.toString's alphabet and no more: Double.valueOf, as the driver's, reads the rest
            }
            double v = Double.parseDouble(text);
            expect('}');
            int64(Double.doubleToRawLongBits(v));
            return 0x01;
        }
        throw DECLINE;
    }

    /**
     * The digits of an integer up to its closing quote, as Long.parseLong (and Integer.parseInt, through toIntExact)
     * reads them; only the spelling CanonicalJsonBytes writes: no sign but '-', no leading zero.
     */
    private long integer() {
        int from = p;
        boolean negative = peek() == '-';
        if (negative) {
            p++;
        }
        int digits = p;
        while (peek() != '"') {
            byte c = in[p++];
            if (c < '0' || c > '9') {
                throw DECLINE;
            }
        }
        int count = p - digits;
        if (count == 0 || count > 19 || count > 1 && in[digits] == '0' || negative && count == 1 && in[digits] == '0') {
            throw DECLINE;
        }
        if (count < 19) {
            long v = 0;
            for (int i = digits; i < p; i++) {
                v = v * 10 + (in[i] - '0');
            }
            return negative ? -v : v;
        }
        return Long.parseLong(new String(in, from, p - from, java.nio.charset.StandardCharsets.US_ASCII)); // refuses overflow
    }

    /**
     * The body of a string after its opening quote, through its closing one, as UTF-8 into {@code out}: printable ASCII
     * and well-formed multi-byte UTF-8 as they are, the JSON escapes decoded as the driver's scanner decodes them.
     */
    private void string() {
        while (true) {
            if (p >= end) {
                throw DECLINE;
            }
            int c = in[p] & 0xff;
            if (c == '"') {
                p++;
                return;
            }
            if (c >= 0x20 && c < 0x80 && c != '\\') {
                int from = p;
                do {
                    p++;
                } while (p < end && (c = in[p] & 0xff) >= 0x20 && c < 0x80 && c != '\\' && c != '"');
                int len = p - from;
                reserve(len);
                System.arraycopy(in, from, out, n, len);
                n += len;
            } else if (c == '\\') {
                p++;
                escape();
            } else if (c >= 0x80) {
                utf8();
            } else {
                throw DECLINE; // a raw control character: the writer escapes every one
            }
        }
    }

    private void escape() {
        byte c = next();
        switch (c) {
            case '"' -> put((byte) '"');
            case '\\' -> put((byte) '\\');
            case '/' -> put((byte) '/');
            case 'b' -> put((byte) '\b');
            case 'f' -> put((byte) '\f');
            case 'n' -> put((byte) '\n');
            case 'r' -> put((byte) '\r');
            case 't' -> put((byte) '\t');
            case 'u' -> {
                int u = unicode();
                if (Character.isHighSurrogate((char) u)) {
                    expect('\\');
                    expect('u');
                    int low = unicode();
                    if (!Character.isLowSurrogate((char) low)) {
                        throw DECLINE;
                    }
                    codePoint(Character.toCodePoint((char) u, (char) low));
                } else if (Character.isLowSurrogate((char) u)) {
                    throw DECLINE; // the driver would write a lone surrogate as it is
                } else {
                    codePoint(u);
                }
            }
            default -> throw DECLINE;
        }
    }

    private int unicode() {
        return hex(next()) << 12 | hex(next()) << 8 | hex(next()) << 4 | hex(next());
    }

    private void codePoint(int cp) {
        reserve(4);
        if (cp < 0x80) {
            out[n++] = (byte) cp;
        } else if (cp < 0x800) {
            out[n++] = (byte) (0xc0 | cp >> 6);
            out[n++] = (byte) (0x80 | cp & 0x3f);
        } else if (cp < 0x10000) {
            out[n++] = (byte) (0xe0 | cp >> 12);
            out[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
            out[n++] = (byte) (0x80 | cp & 0x3f);
        } else {
            out[n++] = (byte) (0xf0 | cp >> 18);
            out[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
            out[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
            out[n++] = (byte) (0x80 | cp & 0x3f);
        }
    }

    /**
     * One multi-byte UTF-8 sequence copied as it is, if well-formed (The Unicode Standard, table 3-7: no overlong form,
     * no surrogate, nothing past U+10FFFF), which the driver's strict decoding and re-encoding give back unchanged.
     */
    private void utf8() {
        int b0 = in[p] & 0xff;
        int len;
        int lo = 0x80;
        int hi = 0xbf;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            len = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            len = 3;
            if (b0 == 0xe0) {
                lo = 0xa0;
            } else if (b0 == 0xed) {
                hi = 0x9f;
            }
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            len = 4;
            if (b0 == 0xf0) {
                lo = 0x90;
            } else if (b0 == 0xf4) {
                hi = 0x8f;
            }
        } else {
            throw DECLINE;
        }
        if (p + len > end) {
            throw DECLINE;
        }
        int b1 = in[p + 1] & 0xff;
        if (b1 < lo || b1 > hi) {
            throw DECLINE;
        }
        for (int i = 2; i < len; i++) {
            int b = in[p + i] & 0xff;
            if (b < 0x80 || b > 0xbf) {
                throw DECLINE;
            }
        }
        reserve(len);
        System.arraycopy(in, p, out, n, len);
        n += len;
        p += len;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw DECLINE;
    }

    private boolean startsWith(byte[] literal) {
        if (p + literal.length > end) {
            return false;
        }
        for (int i = 0; i < literal.length; i++) {
            if (in[p + i] != literal[i]) {
                return false;
            }
        }
        return true;
    }

    private void literal(byte[] literal) {
        if (!startsWith(literal)) {
            throw DECLINE;
        }
        p += literal.length;
    }

    private byte peek() {
        if (p >= end) {
            throw DECLINE;
        }
        return in[p];
    }

    private byte next() {
        if (p >= end) {
            throw DECLINE;
        }
        return in[p++];
    }

    private void expect(char c) {
        if (next() != c) {
            throw DECLINE;
        }
    }

    private void put(byte b) {
        reserve(1);
        out[n++] = b;
    }

    private void int32(int v) {
        reserve(4);
        int32At(n, v);
        n += 4;
    }

    private void int64(long v) {
        int32((int) v);
        int32((int) (v >>> 32));
    }

    private void int32At(int at, int v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >>> 8);
        out[at + 2] = (byte) (v >>> 16);
        out[at + 3] = (byte) (v >>> 24);
    }

    private void reserve(int more) {
        if (n + more > out.length) {
            if (n + more > MAX_BYTES) {
                throw DECLINE;
            }
            out = Arrays.copyOf(out, Math.min(MAX_BYTES, Math.max(out.length * 2, n + more)));
        }
    }
}
