package io.tenantctl.backup;

import com.mongodb.MongoClientSettings;

import io.tenantctl.store.ObjectStore;

import org.bson.BsonBinary;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonDocumentReader;
import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.json.JsonWriter;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Streams one collection into a backup file: one canonical Extended JSON v2 document per line, compressed,
 * with the SHA-256 and size of the stored bytes and the document count computed on the fly. Nothing is kept
 * per document, so memory does not grow with the collection.
 *
 * <p>Extended JSON is ambiguous for documents that contain field names which are Extended JSON keywords (a
 * sub-document {@code {"$regex": "^a", "$options": "i"}} would read back as a regular expression). Documents
 * with '$'-prefixed field names are therefore checked: if their JSON does not read back to the same BSON, the
 * line holds the exact BSON instead, as {@code {"$tenantctlBson": {"$binary": {...}}}} (still one canonical
 * Extended JSON document), which {@link CollectionReader} unwraps. A document over {@link #ROUND_TRIP_TEST_UP_TO} bytes
 * with a '$'-prefixed field name is stored so without the check, whose whole JSON would not fit a small heap.
 *
 * <p>Raw BSON documents of the common types are encoded by {@link CanonicalJsonBytes} straight from their bytes; the
 * rest go through the driver's JsonWriter. Both give the same bytes (the driver is the reference in the tests).
 *
 * <p>{@link #finish()} completes the file and publishes it (when writing to an {@link ObjectStore.Upload});
 * {@link #close()} without {@code finish()} aborts, so a failed dump never leaves a file that looks whole.
 */
public final class CollectionWriter implements AutoCloseable {

    /** The field of a line that carries a document as raw BSON (see the class comment). */
    public static final String RAW_BSON_FIELD = "$tenantctlBson";

    /**
     * The largest document (BSON bytes) with a '$'-prefixed field name whose JSON is tested to read back the same; a larger
     * one is stored as raw BSON without the test, which holds its whole JSON (up to 6 times the document) and a copy.
     */
    static final int ROUND_TRIP_TEST_UP_TO = 1 << 20;

    private static final EncoderContext ENCODE_AS_IS = EncoderContext.builder().build();
    private static final BsonDocumentCodec BSON_DOCUMENT_CODEC = new BsonDocumentCodec();
    private static final DocumentCodec DOCUMENT_CODEC = new DocumentCodec(MongoClientSettings.getDefaultCodecRegistry());

    private final String name;
    private final String file;
    private final OutputStream target;
    private final Digests.Out stored;
    private final Utf8Sink text;
    private final CanonicalJsonBytes fast = new CanonicalJsonBytes();
    private final List<BsonDocument> indexes;
    private final Listener listener;
    private long docs;
    private boolean finished;
    private boolean aborted;

    /**
     * @param name        collection name
     * @param file        file name recorded in the manifest (see {@link BackupLayout#collectionFileName})
     * @param out         where the stored bytes go, usually an {@link ObjectStore.Upload}; closed by finish/abort
     * @param compression how to compress
     * @param indexes     the collection's indexes as listIndexes returned them, recorded in the entry
     */
    public CollectionWriter(String name, String file, OutputStream out, Compression compression,
                            List<BsonDocument> indexes) throws IOException {
        this(name, file, out, compression, indexes, null);
    }

    CollectionWriter(String name, String file, OutputStream out, Compression compression,
                     List<BsonDocument> indexes, Listener listener) throws IOException {
        this.listener = listener;
        this.name = Objects.requireNonNull(name);
        this.file = Objects.requireNonNull(file);
        this.target = Objects.requireNonNull(out);
        this.indexes = indexes == null ? List.of() : List.copyOf(indexes);
        this.stored = new Digests.Out(out);
        this.text = new Utf8Sink(large -> compression.compress(new Shield(stored), large), 256 * 1024);
    }

    /** Appends one document (a {@link RawBsonDocument} from the driver is the cheapest to write). */
    public void write(BsonDocument document) throws IOException {
        ensureOpen();
        try {
            if (document instanceof RawBsonDocument raw) {
                java.nio.ByteBuffer bytes = raw.getByteBuffer().asNIO();
                if (bytes.hasArray()) {
                    int len = fast.encode(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                    if (len >= 0) {
                        text.writeBytes(fast.bytes(), 0, len);
                        text.writeByte('\n');
                        docs++;
                        return;
                    }
                }
            }
            RawBsonDocument escaped = needsRawBson(document);
            if (escaped != null) { // written as it is encoded, not built as one String first (the document may be 16 MB)
                BSON_DOCUMENT_CODEC.encode(new JsonWriter(text, CanonicalJson.SETTINGS),
                        new BsonDocument(RAW_BSON_FIELD, new BsonBinary(bytes(escaped))), ENCODE_AS_IS);
            } else if (document instanceof RawBsonDocument raw) {
                try (BsonBinaryReader reader = new BsonBinaryReader(raw.getByteBuffer().asNIO())) {
                    new JsonWriter(text, CanonicalJson.SETTINGS).pipe(reader);
                }
            } else {
                BSON_DOCUMENT_CODEC.encode(new JsonWriter(text, CanonicalJson.SETTINGS), document, ENCODE_AS_IS);
            }
            text.write('\n');
            docs++;
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Appends one {@link Document}, encoded with the driver's default codecs in its own field order. */
    public void write(Document document) throws IOException {
        write(new RawBsonDocument(document, DOCUMENT_CODEC));
    }

    /** The collection's indexes as given, recorded in its entry. */
    public List<BsonDocument> indexes() {
        return indexes;
    }

    /** Documents written so far. */
    public long docs() {
        return docs;
    }

    /** Bytes stored so far (compressed; lags behind while the compressor buffers). */
    public long storedBytes() {
        return stored.bytes;
    }

    /** The file name recorded in the manifest. */
    public String file() {
        return file;
    }

    /** The collection name. */
    public String name() {
        return name;
    }

    /**
     * Completes the file, closes (publishes) the output and returns the manifest entry. If this fails the
     * output is aborted and nothing is published.
     */
    public CollectionEntry finish() throws IOException {
        ensureOpen();
        try {
            text.close(); // flushes the compressor and writes its trailer; the shield keeps the target open
            CollectionEntry entry = new CollectionEntry(name, file, docs, stored.bytes, Digests.hex(stored.digest),
                    indexes);
            target.close();
            finished = true;
            if (listener != null) {
                listener.finished(entry);
            }
            return entry;
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Discards the file: an {@link ObjectStore.Upload} is aborted, so no object appears. Idempotent. */
    public void abort() {
        if (finished || aborted) {
            return;
        }
        aborted = true;
        if (listener != null) {
            listener.aborted();
        }
        if (target instanceof ObjectStore.Upload upload) {
            upload.abort();
        }
        text.discard(); // releases the compressor (zstd holds native memory); output goes nowhere now
        if (!(target instanceof ObjectStore.Upload)) {
            try {
                target.close();
            } catch (IOException ignored) {
                // best effort for plain streams
            }
        }
    }

    /** Aborts unless {@link #finish()} succeeded. */
    @Override
    public void close() {
        abort();
    }

    private void ensureOpen() throws IOException {
        if (finished || aborted) {
            throw new IOException("collection file " + file + " is already " + (finished ? "finished" : "aborted"));
        }
    }

    /**
     * Null when the document's canonical Extended JSON reads back as the same BSON; otherwise (or when it uses
     * the reserved top-level field, or has a '$'-prefixed name and is over {@link #ROUND_TRIP_TEST_UP_TO} bytes) the
     * document as raw BSON, to be stored wrapped.
     */
    private static RawBsonDocument needsRawBson(BsonDocument document) {
        try (BsonReader reader = reader(document)) {
            reader.readStartDocument();
            if (hasOddNaN(reader, false)) { // a NaN or Decimal128 JSON cannot say exactly is kept as its exact bytes
                return document instanceof RawBsonDocument r ? r : new RawBsonDocument(document, BSON_DOCUMENT_CODEC);
            }
        }
        if (document instanceof RawBsonDocument raw && !containsDollar(raw)) {
            return null; // no '$' byte anywhere, so no '$'-prefixed name: skip the scan (the common case)
        }
        try (BsonReader reader = reader(document)) {
            reader.readStartDocument();
            if (!hasDollarName(reader, false)) {
                return null;
            }
        }
        RawBsonDocument raw = document instanceof RawBsonDocument r ? r
                : new RawBsonDocument(document, BSON_DOCUMENT_CODEC);
        if (raw.containsKey(RAW_BSON_FIELD) || raw.getByteBuffer().remaining() > ROUND_TRIP_TEST_UP_TO) {
            return raw; // too large to hold its JSON whole for the test below: its exact bytes, which read back the same
        }
        try {
            RawBsonDocument back = RawBsonDocument.parse(raw.toJson(CanonicalJson.SETTINGS));
            return back.getByteBuffer().asNIO().equals(raw.getByteBuffer().asNIO()) ? null : raw;
        } catch (RuntimeException e) {
            return raw;
        }
    }

    private static boolean containsDollar(RawBsonDocument raw) {
        java.nio.ByteBuffer buf = raw.getByteBuffer().asNIO();
        if (buf.hasArray()) {
            byte[] a = buf.array();
            for (int i = buf.arrayOffset() + buf.position(), end = buf.arrayOffset() + buf.limit(); i < end; i++) {
                if (a[i] == '$') {
                    return true;
                }
            }
            return false;
        }
        for (int i = buf.position(), end = buf.limit(); i < end; i++) {
            if (buf.get(i) == '$') {
                return true;
            }
        }
        return false;
    }

    private static BsonReader reader(BsonDocument document) {
        return document instanceof RawBsonDocument raw ? new BsonBinaryReader(raw.getByteBuffer().asNIO())
                : new BsonDocumentReader(document);
    }

    /**
     * Whether the current document/array (recursively) holds a number its Extended JSON does not read back as exactly: a
     * double NaN with its sign bit or a payload set (x86's 0/0 is -NaN), a Decimal128 whose text parses to other bytes
     * (negative or signalling NaN, non-canonical, Infinity with stray bits; see {@link #textGivesBack}).
     */
    private static boolean hasOddNaN(BsonReader reader, boolean array) {
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
            if (!array) {
                reader.readName();
            }
            switch (reader.getCurrentBsonType()) {
                case DOUBLE -> {
                    double d = reader.readDouble();
                    if (Double.isNaN(d) && Double.doubleToRawLongBits(d) != CanonicalJsonBytes.CANONICAL_NAN) {
                        return true;
                    }
                }
                case DECIMAL128 -> {
                    if (!textGivesBack(reader.readDecimal128())) {
                        return true;
                    }
                }
                case DOCUMENT -> {
                    reader.readStartDocument();
                    if (hasOddNaN(reader, false)) {
                        return true;
                    }
                    reader.readEndDocument();
                }
                case ARRAY -> {
                    reader.readStartArray();
                    if (hasOddNaN(reader, true)) {
                        return true;
                    }
                    reader.readEndArray();
                }
                default -> reader.skipValue();
            }
        }
        return false;
    }

    /**
     * Whether a Decimal128's Extended JSON text parses back to the same bytes. Not so for a NaN with its sign or signalling
     * flag set, a non-canonical value (coefficient of 10^34 or more: its value is 0, its text 35 digits that parse as another
     * number) or an Infinity with stray bits.
     */
    private static boolean textGivesBack(org.bson.types.Decimal128 d) {
        try {
            org.bson.types.Decimal128 back = org.bson.types.Decimal128.parse(d.toString());
            return back.getHigh() == d.getHigh() && back.getLow() == d.getLow();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether any field name in the current document/array (recursively) starts with '$'. */
    private static boolean hasDollarName(BsonReader reader, boolean array) {
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
            if (!array && reader.readName().startsWith("$")) {
                return true;
            }
            switch (reader.getCurrentBsonType()) {
                case DOCUMENT -> {
                    reader.readStartDocument();
                    if (hasDollarName(reader, false)) {
                        return true;
                    }
                    reader.readEndDocument();
                }
                case ARRAY -> {
                    reader.readStartArray();
                    if (hasDollarName(reader, true)) {
                        return true;
                    }
                    reader.readEndArray();
                }
                case JAVASCRIPT_WITH_SCOPE -> {
                    reader.readJavaScriptWithScope();
                    reader.readStartDocument();
                    if (hasDollarName(reader, false)) {
                        return true;
                    }
                    reader.readEndDocument();
                }
                default -> reader.skipValue();
            }
        }
        return false;
    }

    private static byte[] bytes(RawBsonDocument raw) {
        var buffer = raw.getByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Tells a {@link BackupWriter} what became of a collection file. */
    interface Listener {
        void finished(CollectionEntry entry);

        void aborted();
    }

    /** Lets the compressor close and flush without closing or flushing the store stream. */
    private static final class Shield extends FilterOutputStream {
        Shield(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            // the store stream is flushed and closed by CollectionWriter.finish
        }

        @Override
        public void close() {
            // see flush
        }
    }
}
