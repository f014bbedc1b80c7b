package io.tenantctl.backup;

import io.tenantctl.store.ObjectStore;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/** Writes and reads whole backups for tests. */
final class BackupFixture {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T02:00:00Z"), ZoneOffset.UTC);
    static final BackupLayout LAYOUT = new BackupLayout("backups");

    private BackupFixture() {
    }

    static String newBackupId() {
        return BackupIds.newId(CLOCK, new Random());
    }

    /** Writes {@code collections} (name → documents, in order) as backup {@code backupId} of org acme. */
    static BackupWriter.Finished write(ObjectStore store, String backupId, Compression compression,
                                       Map<String, List<BsonDocument>> collections) throws IOException {
        try (BackupWriter writer = BackupWriter.start(store, LAYOUT,
                new BackupWriter.Spec("acme", backupId, "pool-a", "org_acme", "sha256:abc", compression), CLOCK)) {
            for (var e : collections.entrySet()) {
                try (CollectionWriter cw = writer.openCollection(e.getKey(),
                        List.of(BsonDocument.parse("{\"v\": 2, \"key\": {\"_id\": 1}, \"name\": \"_id_\"}")))) {
                    for (BsonDocument d : e.getValue()) {
                        cw.write(d);
                    }
                    cw.finish();
                }
            }
            return writer.finish();
        }
    }

    /** Reads every collection of a backup back, verifying. */
    static Map<String, List<RawBsonDocument>> read(ObjectStore store, String backupId) {
        BackupReader reader = BackupReader.open(store, LAYOUT, "acme", backupId);
        Map<String, List<RawBsonDocument>> result = new LinkedHashMap<>();
        for (CollectionEntry entry : reader.manifest().collections()) {
            List<RawBsonDocument> docs = new ArrayList<>();
            try (CollectionReader cr = reader.openCollection(entry)) {
                cr.forEachRemaining(docs::add);
            }
            result.put(entry.name(), docs);
        }
        return result;
    }
}
