package io.tenantctl.bench;

import com.github.luben.zstd.ZstdOutputStream;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCursor;
import org.bson.RawBsonDocument;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The backup floor as a process of its own: drain one collection with a plain driver cursor and write each document's
 * raw BSON into zstd level 1 (to nowhere). {@link BackupBench} starts it the way it starts tenantctl (same java, same
 * options, same heap cap), so both pay a fresh JVM's start and JIT and the ratio compares the work, not the process.
 *
 * <p>Args: URI DATABASE COLLECTION. Prints the number of documents drained.
 */
public final class FloorDrain {

    private FloorDrain() {
    }

    public static void main(String[] args) throws Exception {
        long n = 0;
        try (MongoClient client = MongoClients.create(args[0]);
             ZstdOutputStream z = new ZstdOutputStream(OutputStream.nullOutputStream(), 1);
             MongoCursor<RawBsonDocument> c = client.getDatabase(args[1]).getCollection(args[2], RawBsonDocument.class)
                     .find().batchSize(1000).iterator()) {
            while (c.hasNext()) {
                ByteBuffer b = c.next().getByteBuffer().asNIO();
                z.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                n++;
            }
        }
        System.out.println(n);
    }
}
