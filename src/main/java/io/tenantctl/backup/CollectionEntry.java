package io.tenantctl.backup;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import org.bson.BsonDocument;

import java.util.List;

/**
 * One collection of a backup, as recorded in the manifest.
 *
 * @param name    collection name
 * @param file    file name inside the backup directory, e.g. {@code users.ndjson.gz}
 * @param docs    number of documents (lines)
 * @param bytes   size of the file as stored (compressed)
 * @param sha256  lowercase hex SHA-256 of the file as stored
 * @param indexes the collection's index documents exactly as {@code listIndexes} returned them
 */
public record CollectionEntry(String name, String file, long docs, long bytes, String sha256,
                              @JsonSerialize(contentUsing = CanonicalJson.Serializer.class)
                              @JsonDeserialize(contentUsing = CanonicalJson.Deserializer.class)
                              List<BsonDocument> indexes) {

    public CollectionEntry {
        indexes = indexes == null ? List.of() : List.copyOf(indexes);
    }
}
