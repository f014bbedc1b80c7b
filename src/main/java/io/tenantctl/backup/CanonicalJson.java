package io.tenantctl.backup;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;

import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import java.io.IOException;

/** Canonical Extended JSON v2 settings, and Jackson (de)serializers embedding BSON documents in JSON. */
public final class CanonicalJson {

    /** Canonical Extended JSON v2: every type is explicit ({@code {"$numberInt": "1"}}), so nothing is lost. */
    public static final JsonWriterSettings SETTINGS = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED)
            .stringConverter(CanonicalJson::writeString).build();

    private CanonicalJson() {
    }

    /**
     * Writes a string value exactly as the driver's own escaping would: a string of printable ASCII without '"' or
     * '\\' (which the driver writes unchanged, char by char) goes out in one call; anything else goes through the
     * driver's {@code writeString}. Backups spend most of their time here, on long message texts.
     */
    static void writeString(String value, org.bson.json.StrictJsonWriter writer) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                writer.writeString(value);
                return;
            }
        }
        writer.writeRaw('"' + value + '"');
    }

    /** Writes a {@link BsonDocument} as a nested canonical Extended JSON object. */
    public static final class Serializer extends JsonSerializer<BsonDocument> {
        @Override
        public void serialize(BsonDocument value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeRawValue(value.toJson(SETTINGS));
        }
    }

    /** Reads a nested Extended JSON object (canonical or relaxed) back into a {@link BsonDocument}. */
    public static final class Deserializer extends JsonDeserializer<BsonDocument> {
        @Override
        public BsonDocument deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Object tree = p.readValueAsTree();
            try {
                return BsonDocument.parse(tree.toString());
            } catch (RuntimeException e) {
                throw new com.fasterxml.jackson.databind.JsonMappingException(p,
                        "not an Extended JSON document: " + e.getMessage(), e);
            }
        }
    }
}
