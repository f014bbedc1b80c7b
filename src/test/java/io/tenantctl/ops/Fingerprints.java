package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;

/** {@link LastingFingerprint#every} for tests outside the ops package: count and digest of every collection of a database. */
public final class Fingerprints {

    private Fingerprints() {
    }

    public static Fingerprint of(MongoDatabase db) {
        return LastingFingerprint.every(db);
    }
}
