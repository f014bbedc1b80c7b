package io.tenantctl.backup;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the canonical Extended JSON v2 of a raw BSON document straight from its bytes to UTF-8 bytes, producing
 * exactly what the driver's {@code JsonWriter} (with {@link CanonicalJson#SETTINGS}) produces, for the common types
 * only: double, string, document, array, ObjectId, boolean, date, null, int32 and int64. For anything else (binary,
 * decimal128, regex, timestamp, min/max key, ...), for a field name starting with '$', or for a document whose JSON
 * would exceed {@link #MAX_BYTES}, {@link #encode} declines and the caller hands the document to the driver.
 *
 * <p>Why it exists: the driver's writer decodes every name and string into a Java String, escapes it one char at a
 * time and builds a new writer per document; that made encoding the largest cost of a backup (~4.5 µs for a 1 KB
 * chat message on the benchmark machine, more than the pool needs to serve it). This encoder copies printable ASCII
 * as it is and uses the driver's own escaping rules for everything else. The driver stays the reference:
 * {@code CanonicalJsonBytesTest} compares the two byte for byte on every type and on random documents.
 *
 * <p>Not thread-safe: one instance per collection file.
 */
final class CanonicalJsonBytes {

    /** Documents whose JSON is larger than this go through the driver (rare; keeps the scratch buffer small). */
    static final int MAX_BYTES = 1 << 20;

    /** Bytes that the driver would not copy as they are: controls, DEL, '"', '\\' and anything not ASCII. */
    private static final boolean[] SPECIAL = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) {
            SPECIAL[c] = c < 0x20 || c > 0x7e || c == '"' || c == '\\';
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OID = literal("{\"$oid\": \"");
    static final byte[] DATE = literal("{\"$date\": {\"$numberLong\": \"");
    static final byte[] INT32 = literal("{\"$numberInt\": \"");
    static final byte[] INT64 = literal("{\"$numberLong\": \"");
    static final byte[] DOUBLE = literal("{\"$numberDouble\": \"");
    static final byte[] TRUE = literal("true");
    static final byte[] FALSE = literal("false");
    static final byte[] NULL = literal("null");

    /** Thrown (without a stack trace) when the driver must write the document. */
    private static final RuntimeException DECLINE = new RuntimeException("declined", null, false, false) {
    };

    private byte[] buf = new byte[16 * 1024];
    private int n;

    /**
     * Encodes the BSON document {@code bson[offset, offset + length)}. Returns the number of bytes of JSON now in
     * {@link #bytes()}, or -1 when the driver must write this document (nothing usable is in the buffer then).
     */
    int encode(byte[] bson, int offset, int length) {
        n = 0;
        try {
            if (length < 5 || int32(bson, offset) != length) {
                return -1;
            }
            int end = document(bson, offset, false);
            return end == offset + length ? n : -1;
        } catch (RuntimeException e) { // DECLINE, or malformed BSON (index out of bounds): let the driver decide
            return -1;
        }
    }

    /** The one NaN canonical Extended JSON's "NaN" reads back as. */
    static final long CANONICAL_NAN = 0x7ff8000000000000L;

    /** The buffer holding the last encoded document's JSON. */
    byte[] bytes() {
        return buf;
    }

    /** Writes the document or array starting at {@code pos}; returns the position after it. */
    private int document(byte[] b, int pos, boolean array) {
        int end = pos + int32(b, pos);
        pos += 4;
        put(array ? (byte) '[' : (byte) '{');
        boolean first = true;
        while (true) {
            byte type = b[pos++];
            if (type == 0) {
                break;
            }
            int name = pos;
            while (b[pos] != 0) {
                pos++;
            }
            if (!first) {
                put((byte) ',');
                put((byte) ' ');
            }
            first = false;
            if (!array) {
                if (b[name] == '$') {
                    throw DECLINE; // may read back as an Extended JSON keyword: CollectionWriter checks it
                }
                string(b, name, pos);
                put((byte) ':');
                put((byte) ' ');
            }
            pos++; // the name's NUL
            switch (type) {
                case 0x01 -> {
                    long bits = int64(b, pos);
                    if (bits != CANONICAL_NAN && Double.isNaN(Double.longBitsToDouble(bits))) {
                        throw DECLINE; // a NaN with a sign or payload: JSON says only "NaN", the BSON is kept exactly instead
                    }
                    put(DOUBLE);
                    ascii(Double.toString(Double.longBitsToDouble(bits)));
                    quoteClose();
                    pos += 8;
                }
                case 0x02 -> {
                    int size = int32(b, pos);
                    if (size <= 0 || b[pos + 4 + size - 1] != 0) {
                        throw DECLINE;
                    }
                    string(b, pos + 4, pos + 4 + size - 1);
                    pos += 4 + size;
                }
                case 0x03 -> pos = document(b, pos, false);
                case 0x04 -> pos = document(b, pos, true);
                case 0x07 -> {
                    put(OID);
                    for (int i = 0; i < 12; i++) {
                        int v = b[pos + i] & 0xff;
                        put(HEX[v >>> 4]);
                        put(HEX[v & 0xf]);
                    }
                    quoteClose();
                    pos += 12;
                }
                case 0x08 -> {
                    byte v = b[pos++];
                    if (v != 0 && v != 1) {
                        throw DECLINE;
                    }
                    put(v == 1 ? TRUE : FALSE);
                }
                case 0x09 -> {
                    put(DATE);
                    digits(int64(b, pos));
                    put((byte) '"');
                    put((byte) '}');
                    put((byte) '}');
                    pos += 8;
                }
                case 0x0A -> put(NULL);
                case 0x10 -> {
                    put(INT32);
                    digits(int32(b, pos));
                    quoteClose();
                    pos += 4;
                }
                case 0x12 -> {
                    put(INT64);
                    digits(int64(b, pos));
                    quoteClose();
                    pos += 8;
                }
                default -> throw DECLINE;
            }
        }
        if (pos != end) {
            throw DECLINE;
        }
        put(array ? (byte) ']' : (byte) '}');
        return end;
    }

    /** A JSON string of the UTF-8 bytes {@code b[from, to)}, escaped as the driver escapes it. */
    private void string(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (SPECIAL[b[i] & 0xff]) {
                escaped(new String(b, from, to - from, StandardCharsets.UTF_8));
                return;
            }
        }
        int len = to - from;
        ensure(len + 2);
        buf[n++] = '"';
        System.arraycopy(b, from, buf, n, len);
        n += len;
        buf[n++] = '"';
    }

    /** The driver's StrictCharacterStreamJsonWriter.writeStringHelper, writing UTF-8. */
    private void escaped(String s) {
        put((byte) '"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> ascii("\\\"");
                case '\\' -> ascii("\\\\");
                case '\b' -> ascii("\\b");
                case '\f' -> ascii("\\f");
                case '\n' -> ascii("\\n");
                case '\r' -> ascii("\\r");
                case '\t' -> ascii("\\t");
                default -> {
                    switch (Character.getType(c)) {
                        case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                             Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER,
                             Character.OTHER_NUMBER, Character.SPACE_SEPARATOR, Character.CONNECTOR_PUNCTUATION,
                             Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                             Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                             Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                             Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> utf8(c);
                        default -> {
                            ascii("\\u");
                            put(HEX[(c & 0xf000) >> 12]);
                            put(HEX[(c & 0x0f00) >> 8]);
                            put(HEX[(c & 0x00f0) >> 4]);
                            put(HEX[c & 0x000f]);
                        }
                    }
                }
            }
        }
        put((byte) '"');
    }

    /** One char as UTF-8. Never a surrogate: their type (SURROGATE) is escaped as \\uXXXX above. */
    private void utf8(char c) {
        ensure(3);
        if (c < 0x80) {
            buf[n++] = (byte) c;
        } else if (c < 0x800) {
            buf[n++] = (byte) (0xc0 | (c >> 6));
            buf[n++] = (byte) (0x80 | (c & 0x3f));
        } else {
            buf[n++] = (byte) (0xe0 | (c >> 12));
            buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
            buf[n++] = (byte) (0x80 | (c & 0x3f));
        }
    }

    private void quoteClose() {
        ensure(2);
        buf[n++] = '"';
        buf[n++] = '}';
    }

    private void digits(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[n++] = '-';
            v = -v;
        }
        int start = n;
        do {
            buf[n++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void ascii(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) {
            buf[n++] = (byte) s.charAt(i);
        }
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, n, bytes.length);
        n += bytes.length;
    }

    private void put(byte c) {
        ensure(1);
        buf[n++] = c;
    }

    private void ensure(int more) {
        if (n + more > buf.length) {
            if (n + more > MAX_BYTES) {
                throw DECLINE;
            }
            buf = Arrays.copyOf(buf, Math.min(MAX_BYTES, Math.max(buf.length * 2, n + more)));
        }
    }

    private static int int32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    private static long int64(byte[] b, int p) {
        return (int32(b, p) & 0xffffffffL) | ((long) int32(b, p + 4)) << 32;
    }

    private static byte[] literal(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
