import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * Demo helper, run with the JDK's single-file launcher on tenantctl's jar:
 * <pre>
 *   java -cp target/tenantctl.jar scripts/lib/OrgDocs.java seed   POOL_URI DATABASE N   # N documents of mixed BSON types, once
 *   java -cp target/tenantctl.jar scripts/lib/OrgDocs.java digest POOL_URI DATABASE     # per collection: count + sha256
 * </pre>
 * The digest hashes every document's exact BSON bytes in _id order, so two databases with equal digests hold the same data.
 */
public class OrgDocs {
    public static void main(String[] args) throws Exception {
        try (MongoClient client = MongoClients.create(args[1])) {
            MongoDatabase db = client.getDatabase(args[2]);
            if (args[0].equals("seed")) {
                seed(db, Integer.parseInt(args[3]));
            } else {
                digest(db);
            }
        }
    }

    private static void seed(MongoDatabase db, int n) {
        if (db.getCollection("demo_notes").countDocuments() > 0) {
            return; // seeded by an earlier demo run
        }
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new BsonDocument("_id", new BsonObjectId())
                    .append("text", new BsonString("message " + i + " — ünïcødé ✓"))
                    .append("n32", new BsonInt32(i)).append("n64", new BsonInt64(1L << 40 | i))
                    .append("price", new BsonDecimal128(Decimal128.parse(i + ".99")))
                    .append("createdAt", new BsonDateTime(1_700_000_000_000L + i * 1000L))
                    .append("blob", new BsonBinary(new byte[]{(byte) i, 1, 2, 3})));
            if (docs.size() == 1000) {
                db.getCollection("demo_notes", BsonDocument.class).insertMany(docs);
                docs.clear();
            }
        }
        if (!docs.isEmpty()) {
            db.getCollection("demo_notes", BsonDocument.class).insertMany(docs);
        }
    }

    private static void digest(MongoDatabase db) throws Exception {
        for (String name : new TreeSet<>(db.listCollectionNames().into(new ArrayList<>()))) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long count = 0;
            for (RawBsonDocument d : db.getCollection(name, RawBsonDocument.class).find().sort(new BsonDocument("_id", new BsonInt32(1)))) {
                var buf = d.getByteBuffer().asNIO();
                sha.update(buf);
                count++;
            }
            if (count > 0) {
                System.out.printf("%-28s %8d  %s%n", name, count, HexFormat.of().formatHex(sha.digest()));
            }
        }
    }
}
