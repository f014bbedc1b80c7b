package io.tenantctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The writer streams: bytes reach the store as documents are written, in bounded chunks, never all at close. */
class CollectionWriterStreamingTest {

    /** Records what reaches the store, keeping only a digest and counters (no content). */
    static final class CountingSink extends OutputStream {
        final MessageDigest sha = sha256();
        long bytes;
        long largestWrite;
        boolean closed;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            assertThat(closed).as("write after close").isFalse();
            sha.update(b, off, len);
            bytes += len;
            largestWrite = Math.max(largestWrite, len);
        }

        @Override
        public void close() {
            closed = true;
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void twoHundredThousandDocumentsFlowToTheStoreProgressively(Compression compression) throws IOException {
        CountingSink sink = new CountingSink();
        int total = 200_000;
        long atHalf;
        CollectionEntry entry;
        try (CollectionWriter writer = new CollectionWriter("events", "events.ndjson", sink, compression, List.of())) {
            for (int i = 0; i < total / 2; i++) {
                writer.write(mixed(i));
            }
            atHalf = sink.bytes;
            for (int i = total / 2; i < total; i++) {
                writer.write(mixed(i));
            }
            entry = writer.finish();
        }

        assertThat(sink.closed).isTrue();
        assertThat(entry.docs()).isEqualTo(total);
        assertThat(entry.bytes()).isEqualTo(sink.bytes);
        assertThat(entry.sha256()).isEqualTo(HexFormat.of().formatHex(sink.sha.digest()));
        // half the documents written → (about) half the bytes already handed to the store
        assertThat(atHalf).isGreaterThan(sink.bytes * 4 / 10);
        // ...in chunks no larger than the writer's buffers
        assertThat(sink.largestWrite).isLessThanOrEqualTo(256 * 1024);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void readerStreamsTheSameDocumentsBackInBoundedMemory(Compression compression) throws IOException {
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        CollectionEntry entry;
        try (CollectionWriter writer = new CollectionWriter("events", "events.ndjson", file, compression, List.of())) {
            for (int i = 0; i < 20_000; i++) {
                writer.write(mixed(i)); // both encoders in one file, past the size where zstd takes a worker thread
            }
            entry = writer.finish();
        }
        long n = 0;
        List<Long> different = new java.util.ArrayList<>();
        try (CollectionReader reader = new CollectionReader("k/events", entry,
                new ByteArrayInputStream(file.toByteArray()), compression)) {
            while (reader.hasNext()) {
                if (!reader.next().equals(event((int) n))) {
                    different.add(n);
                }
                n++;
            }
        }
        assertThat(n).isEqualTo(20_000);
        assertThat(different).as("documents that came back different").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void closingWithoutFinishAbortsAndFurtherWritesFail(Compression compression) throws IOException {
        CountingSink sink = new CountingSink();
        CollectionWriter writer = new CollectionWriter("events", "events.ndjson", sink, compression, List.of());
        writer.write(event(1));
        writer.close();

        assertThat(sink.closed).isTrue();
        assertThatThrownBy(() -> writer.write(event(2))).isInstanceOf(IOException.class).hasMessageContaining("aborted");
        assertThatThrownBy(writer::finish).isInstanceOf(IOException.class);
    }

    /** Every other document as raw BSON, as the driver hands them over (encoded by CanonicalJsonBytes), the rest by the driver. */
    private static BsonDocument mixed(int i) {
        return i % 2 == 0 ? new org.bson.RawBsonDocument(event(i), new org.bson.codecs.BsonDocumentCodec()) : event(i);
    }

    private static BsonDocument event(int i) {
        return new BsonDocument("_id", new BsonInt32(i))
                .append("orgId", new BsonString("acme"))
                .append("at", new BsonInt64(1_700_000_000_000L + i * 1_013L))
                .append("msg", new BsonString("user " + (i * 7919 % 100_003) + " did thing " + (i % 17)));
    }
}
