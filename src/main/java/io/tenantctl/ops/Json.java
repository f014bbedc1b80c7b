package io.tenantctl.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Run arguments as the JSON stored in runs.args. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Stored JSON as a tree; a missing or unreadable document reads as an empty object. */
    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return json == null ? MAPPER.createObjectNode() : MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.createObjectNode();
        }
    }

    /** One top-level text field of stored JSON, or null. */
    static String arg(String json, String key) {
        try {
            return json == null ? null : MAPPER.readTree(json).path(key).asText(null);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Alternating keys and values; null values are left out. */
    static String args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        try {
            return MAPPER.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
