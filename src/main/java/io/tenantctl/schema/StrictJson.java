package io.tenantctl.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.tenantctl.TenantctlException;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a manifest's text as strict JSON (no comments, no unquoted names, nothing after the closing brace) into
 * ordered BSON documents, remembering every name given twice in one object instead of letting the last one win as
 * {@code Document.parse} does. The duplicates are reported later, by whoever knows which collection and index the
 * object belongs to.
 */
final class StrictJson {

    /** A name given more than once in one object, and where its second occurrence is. */
    record Duplicate(String name, int line) {
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    private final Map<BsonDocument, List<Duplicate>> duplicates = new IdentityHashMap<>();
    private final String source;

    private StrictJson(String source) {
        this.source = source;
    }

    /** The parsed root object and a way to ask for the duplicates of any object in it. */
    static final class Parsed {
        final BsonDocument root;
        private final Map<BsonDocument, List<Duplicate>> duplicates;

        private Parsed(BsonDocument root, Map<BsonDocument, List<Duplicate>> duplicates) {
            this.root = root;
            this.duplicates = duplicates;
        }

        /** Names given twice in {@code object} itself (not in its children). */
        List<Duplicate> duplicates(BsonDocument object) {
            return duplicates.getOrDefault(object, List.of());
        }

        /** The first name given twice anywhere in {@code object} or beneath it, or null. */
        Duplicate firstDuplicateWithin(BsonValue value) {
            if (value instanceof BsonDocument d) {
                List<Duplicate> own = duplicates(d);
                if (!own.isEmpty()) {
                    return own.get(0);
                }
                for (BsonValue v : d.values()) {
                    Duplicate nested = firstDuplicateWithin(v);
                    if (nested != null) {
                        return nested;
                    }
                }
            } else if (value instanceof BsonArray a) {
                for (BsonValue v : a) {
                    Duplicate nested = firstDuplicateWithin(v);
                    if (nested != null) {
                        return nested;
                    }
                }
            }
            return null;
        }
    }

    /** Parses {@code json}; a syntax error, a non-object root or trailing content is a USAGE error naming {@code source}. */
    static Parsed parse(String json, String source) {
        StrictJson reader = new StrictJson(source);
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw TenantctlException.usage("schema " + source + " is empty: a manifest is a JSON object {\"collections\": [...]}");
            }
            if (first != JsonToken.START_OBJECT) {
                throw TenantctlException.usage("schema " + source + " must be a JSON object {\"collections\": [...]}, not "
                        + describe(first));
            }
            BsonDocument root = reader.object(p);
            JsonLocation end = p.currentLocation();
            JsonToken next;
            try {
                next = p.nextToken();
            } catch (JsonProcessingException e) {
                next = JsonToken.NOT_AVAILABLE;
            }
            if (next != null) {
                throw TenantctlException.usage("schema " + source + " has content after the manifest's closing brace (line "
                        + end.getLineNr() + ", column " + end.getColumnNr() + "): remove it, a manifest is exactly one JSON object");
            }
            return new Parsed(root, reader.duplicates);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw TenantctlException.usage("schema " + source + " is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": " + said(e.getOriginalMessage()));
        } catch (IOException e) {
            throw TenantctlException.usage("schema " + source + " is unreadable: " + e.getMessage());
        }
    }

    private BsonDocument object(JsonParser p) throws IOException {
        BsonDocument d = new BsonDocument();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int line = p.currentTokenLocation().getLineNr();
            p.nextToken();
            BsonValue v = value(p);
            if (d.containsKey(name)) {
                duplicates.computeIfAbsent(d, k -> new ArrayList<>()).add(new Duplicate(name, line));
            } else {
                d.put(name, v);
            }
        }
        return d;
    }

    private BsonValue value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT:
                return object(p);
            case START_ARRAY: {
                BsonArray a = new BsonArray();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(value(p));
                }
                return a;
            }
            case VALUE_STRING:
                return new BsonString(p.getText());
            case VALUE_TRUE:
                return BsonBoolean.TRUE;
            case VALUE_FALSE:
                return BsonBoolean.FALSE;
            case VALUE_NULL:
                return BsonNull.VALUE;
            case VALUE_NUMBER_FLOAT:
                return new BsonDouble(p.getDoubleValue());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return new BsonInt32(p.getIntValue());
                    case LONG:
                        return new BsonInt64(p.getLongValue());
                    default:
                        throw TenantctlException.usage("schema " + source + ": the number " + p.getText() + " at line "
                                + p.currentTokenLocation().getLineNr() + " does not fit in 64 bits");
                }
            default:
                throw TenantctlException.usage("schema " + source + ": unexpected " + describe(t) + " at line "
                        + p.currentTokenLocation().getLineNr());
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static final java.util.regex.Pattern SOURCE = java.util.regex.Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)]");
    private static final java.util.regex.Pattern UNCLOSED = java.util.regex.Pattern.compile(
            "Unexpected end-of-input: expected close marker for (Array|Object) \\(start marker at line (\\d+), column (\\d+)\\)");

    /**
     * The parser's message in the file's terms: its "[Source: REDACTED (`StreamReadFeature…` disabled); line: L, column: C]"
     * as "line L, column C", and a file that ends inside an array or object said to be cut short.
     */
    private static String said(String message) {
        String m = SOURCE.matcher(firstLine(message)).replaceAll("line $1, column $2");
        java.util.regex.Matcher unclosed = UNCLOSED.matcher(m);
        if (unclosed.matches()) {
            return "the file ends before the " + unclosed.group(1).toLowerCase(java.util.Locale.ROOT) + " opened at line " + unclosed.group(2)
                    + ", column " + unclosed.group(3) + " is closed: is it cut short?";
        }
        return m.startsWith("Unexpected end-of-input") ? m + " (the file ends early: is it cut short?)" : m;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
