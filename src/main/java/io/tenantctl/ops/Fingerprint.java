package io.tenantctl.ops;

import org.bson.RawBsonDocument;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a database holds, per collection: the document count and an order-independent digest (the sum, modulo 2^256,
 * of each document's SHA-256 over its BSON bytes). Equal fingerprints mean the same documents, byte for byte, whatever
 * order a server returns them in; the sum is updated one document at a time, so memory does not grow with a collection.
 * A move takes one from the frozen source as it copies (the ledger) and compares it with both sides before the flip.
 */
public record Fingerprint(Map<String, Collection> collections) {

    /** One collection: how many documents, and their digest (hex). */
    public record Collection(long count, String digest) {
    }

    public long docs() {
        return collections.values().stream().mapToLong(Collection::count).sum();
    }

    /** Collections whose count or digest differ from {@code other}'s (or that only one side has), sorted by name. */
    public List<String> differences(Fingerprint other) {
        List<String> out = new ArrayList<>();
        java.util.TreeSet<String> names = new java.util.TreeSet<>(collections.keySet());
        names.addAll(other.collections.keySet());
        for (String name : names) {
            Collection a = collections.get(name);
            Collection b = other.collections.get(name);
            if (a == null || !a.equals(b)) {
                out.add(name);
            }
        }
        return out;
    }

    public String toJson() {
        return Json.args("collections", collections);
    }

    public static Fingerprint fromJson(String json) {
        Map<String, Collection> out = new TreeMap<>();
        Json.tree(json).path("collections").fields().forEachRemaining(e ->
                out.put(e.getKey(), new Collection(e.getValue().path("count").asLong(), e.getValue().path("digest").asText())));
        return new Fingerprint(out);
    }

    /** Builds a fingerprint one document at a time (not thread-safe: one per thread). */
    public static final class Builder {
        private final Map<String, Collection> done = new TreeMap<>();
        private final MessageDigest sha = sha256();
        private final long[] sum = new long[4];
        private String current;
        private long count;

        /** Starts the next collection (ends the one before). */
        public Builder collection(String name) {
            end();
            current = name;
            count = 0;
            java.util.Arrays.fill(sum, 0);
            return this;
        }

        public void add(RawBsonDocument doc) {
            ByteBuffer bytes = doc.getByteBuffer().asNIO();
            sha.update(bytes);
            byte[] h = sha.digest();
            long carry = 0;
            for (int lane = 3; lane >= 0; lane--) { // 256-bit addition, four 64-bit lanes, most significant first
                long v = ByteBuffer.wrap(h, lane * 8, 8).getLong();
                long s = sum[lane] + v;
                long c1 = Long.compareUnsigned(s, sum[lane]) < 0 ? 1 : 0;
                long s2 = s + carry;
                long c2 = Long.compareUnsigned(s2, s) < 0 ? 1 : 0;
                sum[lane] = s2;
                carry = c1 | c2;
            }
            count++;
        }

        public Fingerprint build() {
            end();
            return new Fingerprint(new TreeMap<>(done));
        }

        private void end() {
            if (current != null) {
                ByteBuffer b = ByteBuffer.allocate(32);
                for (long l : sum) {
                    b.putLong(l);
                }
                done.put(current, new Collection(count, HexFormat.of().formatHex(b.array())));
                current = null;
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
