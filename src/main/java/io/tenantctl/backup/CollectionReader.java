package io.tenantctl.backup;

import io.tenantctl.TenantctlException;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Streams the documents of one backup file back, verifying while it goes: the SHA-256 and size of the stored
 * bytes and the document count must match the manifest's {@link CollectionEntry}. A mismatch, a file that
 * cannot be decompressed, a truncated last line or a line that is not Extended JSON throws a
 * {@link BackupIntegrityException} naming the file - as soon as it is certain (too many documents or bytes),
 * else when the end of the file is reached, i.e. from the {@link #hasNext()} that would return false.
 * A failure to read from the store itself is a plain {@link TenantctlException} (FAILED).
 *
 * <p>Memory is bounded by the longest line (one document).
 */
public final class CollectionReader implements Iterator<RawBsonDocument>, AutoCloseable {

    private static final int CHUNK = 64 * 1024;
    /**
     * A line longer than this is not held whole: it is parsed as it is read (a 16 MB document of escaped control
     * characters is a ~96 MB line, and holding it, then decoding it to a String, would take several times the document).
     */
    private static final int PARSE_FROM_BYTES_OVER = 1 << 20;

    private final String key;
    private final CollectionEntry expected;
    private final Compression compression;
    private final Digests.In stored;
    private final InputStream plain;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private final CanonicalJsonParser canonical = new CanonicalJsonParser();
    private final byte[] chunk = new byte[CHUNK];
    private int chunkPos;
    private int chunkLimit;
    private byte[] line = new byte[CHUNK];
    private int lineLength;
    /** {@link #readLine()} stopped at {@link #PARSE_FROM_BYTES_OVER} bytes, before the line's end: the rest is streamed. */
    private boolean longLine;

    private RawBsonDocument next;
    private long docs;
    private boolean verified;
    private boolean closed;

    /**
     * @param key         the file's store key, for messages
     * @param expected    what the manifest says about the file
     * @param in          the stored bytes, e.g. from {@code ObjectStore.open}; closed by {@link #close()}
     * @param compression the backup's compression
     */
    public CollectionReader(String key, CollectionEntry expected, InputStream in, Compression compression) {
        this.key = Objects.requireNonNull(key);
        this.expected = Objects.requireNonNull(expected);
        this.compression = compression;
        this.stored = new Digests.In(in);
        try {
            this.plain = compression.decompress(stored);
        } catch (IOException | RuntimeException e) {
            closeQuietly(in);
            throw failure(e);
        }
    }

    /** The manifest entry this file is checked against. */
    public CollectionEntry entry() {
        return expected;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (verified || closed) {
            return false;
        }
        try {
            if (!readLine()) {
                verifyEnd();
                verified = true;
                close();
                return false;
            }
            docs++;
            if (docs > expected.docs()) {
                throw new BackupIntegrityException(key, key + " has more documents than the " + expected.docs()
                        + " its manifest lists: the backup is damaged");
            }
            checkNotLonger();
            next = unwrap(longLine ? parseLongLine() : parseLine());
            return true;
        } catch (RuntimeException | IOException e) {
            close();
            throw failure(e);
        }
    }

    /** The line's document: read straight from its bytes when it is as the backup writes it, else by the driver. */
    private RawBsonDocument parseLine() throws CharacterCodingException {
        RawBsonDocument fast = canonical.parse(line, lineLength);
        if (fast == null) {
            return parse(decode());
        }
        if (line.length > 4 * CHUNK) {
            line = new byte[CHUNK]; // as decode(): don't keep a large document's buffer for the rest of the file
        }
        return fast;
    }

    /**
     * RawBsonDocument.parse, with the output buffer sized for the line up front: BSON is almost always shorter than
     * its canonical Extended JSON (text in multi-byte UTF-8 is the exception, and then the buffer simply grows), so
     * the buffer rarely has to grow and be copied while the document is built.
     */
    private static RawBsonDocument parse(String json) {
        org.bson.io.BasicOutputBuffer buffer = new org.bson.io.BasicOutputBuffer(Math.max(64, json.length()));
        try (org.bson.BsonBinaryWriter writer = new org.bson.BsonBinaryWriter(buffer);
             org.bson.json.JsonReader reader = new org.bson.json.JsonReader(json)) {
            writer.pipe(reader);
        }
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
    }

    /**
     * A long line parsed as it is read and decoded (strict UTF-8): what {@link #readLine()} holds, then the rest up to its
     * newline; the output grows with the document. Memory: the document, not its JSON.
     */
    private RawBsonDocument parseLongLine() throws IOException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        RestOfLine rest = new RestOfLine();
        org.bson.io.BasicOutputBuffer buffer = new org.bson.io.BasicOutputBuffer();
        try (org.bson.BsonBinaryWriter writer = new org.bson.BsonBinaryWriter(buffer);
             org.bson.json.JsonReader reader = new org.bson.json.JsonReader(
                     new java.io.BufferedReader(new java.io.InputStreamReader(rest, strict), CHUNK))) {
            writer.pipe(reader);
        }
        byte[] skip = new byte[CHUNK];
        while (rest.read(skip, 0, skip.length) >= 0) {
            // to the line's end: the next line starts after its newline
        }
        line = new byte[CHUNK]; // don't keep a long line's buffer for the rest of the file
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
    }

    /** The current line as a stream: the bytes {@link #readLine()} buffered, then the file up to (and past) its newline. */
    private final class RestOfLine extends InputStream {
        private int pos;
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (pos < lineLength) {
                int n = Math.min(len, lineLength - pos);
                System.arraycopy(line, pos, b, off, n);
                pos += n;
                return n;
            }
            if (chunkPos == chunkLimit) {
                int n = plain.read(chunk, 0, CHUNK);
                if (n < 0) {
                    throw new BackupIntegrityException(key, key + " is truncated: its last line has no end"
                            + " (after " + (docs - 1) + " complete documents)");
                }
                chunkPos = 0;
                chunkLimit = n;
                checkNotLonger();
            }
            int start = chunkPos;
            int max = Math.min(chunkLimit, start + len);
            int end = start;
            while (end < max && chunk[end] != '\n') {
                end++;
            }
            int n = end - start;
            System.arraycopy(chunk, start, b, off, n);
            chunkPos = end;
            if (end < max) { // at the newline: the line is over
                chunkPos = end + 1;
                done = true;
                return n == 0 ? -1 : n;
            }
            return n;
        }
    }

    @Override
    public RawBsonDocument next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RawBsonDocument result = next;
        next = null;
        return result;
    }

    /** Reads the rest of the file, checking every line and the totals; returns the number of documents. */
    public long verify() {
        while (hasNext()) {
            next();
        }
        return docs;
    }

    /** Closes the stored stream; a file abandoned before its end is not verified. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(plain);
        }
    }

    /** Fills {@code line} with the next line (without '\n'); false at a clean end of file. */
    private boolean readLine() throws IOException {
        lineLength = 0;
        longLine = false;
        while (true) {
            if (chunkPos == chunkLimit) {
                int n = plain.read(chunk, 0, CHUNK);
                if (n < 0) {
                    if (lineLength > 0) {
                        throw new BackupIntegrityException(key, key + " is truncated: its last line has no end"
                                + " (after " + docs + " complete documents)");
                    }
                    return false;
                }
                chunkPos = 0;
                chunkLimit = n;
                checkNotLonger();
            }
            int start = chunkPos;
            while (chunkPos < chunkLimit && chunk[chunkPos] != '\n') {
                chunkPos++;
            }
            append(start, chunkPos - start);
            if (chunkPos < chunkLimit) {
                chunkPos++; // the newline
                return true;
            }
            if (lineLength > PARSE_FROM_BYTES_OVER) {
                longLine = true; // the rest is parsed as it is read
                return true;
            }
        }
    }

    private void append(int from, int length) {
        if (lineLength + length > line.length) {
            // by half again, not double: a line near the heap's size must not need twice its size while it is copied
            line = Arrays.copyOf(line, Math.max(lineLength + length, line.length + (line.length >> 1)));
        }
        System.arraycopy(chunk, from, line, lineLength, length);
        lineLength += length;
    }

    private String decode() throws CharacterCodingException {
        String s = utf8.decode(ByteBuffer.wrap(line, 0, lineLength)).toString();
        if (line.length > 4 * CHUNK) {
            line = new byte[CHUNK]; // don't keep a huge document's buffer for the rest of the file
        }
        return s;
    }

    private static RawBsonDocument unwrap(RawBsonDocument doc) {
        if (doc.isEmpty() || !CollectionWriter.RAW_BSON_FIELD.equals(doc.getFirstKey())) {
            return doc;
        }
        BsonValue value = doc.get(CollectionWriter.RAW_BSON_FIELD);
        if (!value.isBinary()) {
            throw new IllegalArgumentException(CollectionWriter.RAW_BSON_FIELD + " is not binary");
        }
        byte[] bson = value.asBinary().getData();
        int length = bson.length < 5 ? -1
                : (bson[0] & 0xff) | (bson[1] & 0xff) << 8 | (bson[2] & 0xff) << 16 | (bson[3] & 0xff) << 24;
        if (length != bson.length || bson[bson.length - 1] != 0) {
            throw new IllegalArgumentException(CollectionWriter.RAW_BSON_FIELD + " does not hold a BSON document");
        }
        return new RawBsonDocument(bson);
    }

    private void checkNotLonger() {
        if (stored.bytes > expected.bytes()) {
            throw new BackupIntegrityException(key, key + " is longer than the " + expected.bytes()
                    + " bytes its manifest lists: the backup is damaged");
        }
    }

    private void verifyEnd() throws IOException {
        stored.drain();
        String sha = Digests.hex(stored.digest);
        StringBuilder problems = new StringBuilder();
        if (stored.bytes != expected.bytes()) {
            problems.append("; size is ").append(stored.bytes).append(" bytes, the manifest says ").append(expected.bytes());
        }
        if (!sha.equals(expected.sha256())) {
            problems.append("; sha256 is ").append(sha).append(", the manifest says ").append(expected.sha256());
        }
        if (docs != expected.docs()) {
            problems.append("; it has ").append(docs).append(" documents, the manifest says ").append(expected.docs());
        }
        if (!problems.isEmpty()) { // the damage only: what to do next is the caller's to say (restore, verify's fix)
            throw new BackupIntegrityException(key, key + " does not match its manifest: " + problems.substring(2)
                    + " (the backup is damaged)");
        }
    }

    private TenantctlException failure(Exception e) {
        if (e instanceof TenantctlException t) {
            return t;
        }
        java.util.Optional<io.tenantctl.OutOfDescriptorsException> ours = io.tenantctl.OutOfDescriptorsException.in(e);
        if (ours.isPresent()) { // this process's limit, not a corrupt file
            return ours.get();
        }
        if (e instanceof Digests.SourceException s) {
            return new TenantctlException(TenantctlException.Category.FAILED,
                    "cannot read " + key + " from the store: " + s.getMessage(), s.getCause());
        }
        String what = e instanceof IOException && !(e instanceof CharacterCodingException)
                ? "cannot be decompressed as " + compression.id() : "has an unreadable document on line " + docs;
        return new BackupIntegrityException(key, key + " is corrupt: it " + what + " (" + e.getMessage()
                + ")", e);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // reading is over either way
        }
    }
}
