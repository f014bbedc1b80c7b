package io.tenantctl.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Run arguments as the JSON stored in runs.args. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Typed run arguments (records) as runs.args holds them: snake_case keys, nulls left out, unknown keys ignored. */
    private static final ObjectMapper ARGS = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    /** A run's typed arguments as stored JSON. */
    static String write(Object args) {
        try {
            return ARGS.writeValueAsString(args);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A run's typed arguments read back; unreadable ones are a config error naming the run. */
    static <T> T read(String runId, String json, Class<T> type) {
        try {
            return ARGS.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw io.tenantctl.TenantctlException.config("run " + runId + " has unreadable arguments (" + type.getSimpleName() + "): "
                    + e.getOriginalMessage());
        }
    }

    /** Stored JSON as a tree; a missing or unreadable document reads as an empty object. */
    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return json == null ? MAPPER.createObjectNode() : MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.createObjectNode();
        }
    }

    /** Alternating keys and values; null values are left out. */
    static String args(Object... kv) {
        return object(false, kv);
    }

    /** Alternating keys and values, null values kept: a line of -o json detail, every field always there. */
    static String fields(Object... kv) {
        return object(true, kv);
    }

    private static String object(boolean nulls, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (nulls || kv[i + 1] != null) {
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
