package io.tenantctl.schema;

import io.tenantctl.TenantctlException;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Date;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Manifests that used to be accepted with a guess (a direction of "sideways", {@code "unique": "yes"} building a
 * non-unique index, the last of two duplicate keys silently winning, text after the JSON ignored) and every other
 * kind of bad input: each is refused as a usage error (exit 2) whose message names the collection, the index and the
 * field, so nothing half-understood ever reaches a pool.
 */
class HostileManifestTest {

    /** One index in collection "users"; {@code index} is the index object's JSON. */
    private static String oneIndex(String index) {
        return "{\"collections\": [{\"name\": \"users\", \"indexes\": [" + index + "]}]}";
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                // key directions and index types
                arguments("direction sideways", oneIndex("{\"name\": \"email_1\", \"key\": {\"email\": \"sideways\"}}"),
                        new String[]{"'users'", "'email_1'", "\"email\"", "\"sideways\"", "1 (ascending) or -1 (descending)"}),
                arguments("direction 2", oneIndex("{\"name\": \"a_2\", \"key\": {\"a\": 2}}"), new String[]{"'a_2'", "\"a\"", "direction 2"}),
                arguments("direction 0", oneIndex("{\"name\": \"a_0\", \"key\": {\"a\": 0}}"), new String[]{"'a_0'", "direction 0"}),
                arguments("direction 0.5", oneIndex("{\"name\": \"a_h\", \"key\": {\"a\": 0.5}}"), new String[]{"'a_h'", "direction 0.5"}),
                arguments("direction boolean", oneIndex("{\"name\": \"a_t\", \"key\": {\"a\": true}}"), new String[]{"'a_t'", "direction true"}),
                arguments("direction object", oneIndex("{\"name\": \"a_o\", \"key\": {\"a\": {\"$numberInt\": \"1\"}}}"),
                        new String[]{"'a_o'", "direction an object"}),
                arguments("text index", oneIndex("{\"name\": \"body_text\", \"key\": {\"body\": \"text\"}}"),
                        new String[]{"'body_text'", "\"body\"", "\"text\" index", "1 (ascending) or -1 (descending)"}),
                arguments("2dsphere index", oneIndex("{\"name\": \"loc\", \"key\": {\"loc\": \"2dsphere\"}}"), new String[]{"'loc'", "\"2dsphere\""}),
                arguments("hashed index", oneIndex("{\"name\": \"h\", \"key\": {\"tenantId\": \"hashed\"}}"), new String[]{"'h'", "\"hashed\""}),
                arguments("wildcard key", oneIndex("{\"name\": \"all\", \"key\": {\"$**\": 1}}"), new String[]{"'all'", "\"$**\"", "wildcard"}),
                arguments("empty key", oneIndex("{\"name\": \"e\", \"key\": {}}"), new String[]{"'e'", "\"key\"", "non-empty object"}),
                arguments("key not an object", oneIndex("{\"name\": \"s\", \"key\": \"email\"}"), new String[]{"'s'", "\"key\""}),
                arguments("key field twice", oneIndex("{\"name\": \"a_1\", \"key\": {\"a\": 1, \"b\": 1, \"a\": -1}}"),
                        new String[]{"'users'", "'a_1'", "key field \"a\"", "twice", "line 1"}),
                // option types
                arguments("unique yes", oneIndex("{\"name\": \"email_1\", \"key\": {\"email\": 1}, \"unique\": \"yes\"}"),
                        new String[]{"'users'", "'email_1'", "\"unique\"", "true or false", "\"yes\""}),
                arguments("unique 1", oneIndex("{\"name\": \"email_1\", \"key\": {\"email\": 1}, \"unique\": 1}"),
                        new String[]{"'email_1'", "\"unique\"", "not 1"}),
                arguments("sparse string", oneIndex("{\"name\": \"s_1\", \"key\": {\"s\": 1}, \"sparse\": \"true\"}"),
                        new String[]{"'s_1'", "\"sparse\"", "true or false"}),
                arguments("unique null", oneIndex("{\"name\": \"n_1\", \"key\": {\"n\": 1}, \"unique\": null}"),
                        new String[]{"'n_1'", "\"unique\"", "not null"}),
                arguments("ttl negative", oneIndex("{\"name\": \"t\", \"key\": {\"t\": 1}, \"expireAfterSeconds\": -1}"),
                        new String[]{"'t'", "\"expireAfterSeconds\"", "whole number of seconds", "not -1"}),
                arguments("ttl fraction", oneIndex("{\"name\": \"t\", \"key\": {\"t\": 1}, \"expireAfterSeconds\": 1.5}"),
                        new String[]{"'t'", "\"expireAfterSeconds\"", "1.5"}),
                arguments("ttl string", oneIndex("{\"name\": \"t\", \"key\": {\"t\": 1}, \"expireAfterSeconds\": \"3600\"}"),
                        new String[]{"'t'", "\"expireAfterSeconds\"", "\"3600\""}),
                arguments("ttl past int32", oneIndex("{\"name\": \"t\", \"key\": {\"t\": 1}, \"expireAfterSeconds\": 2147483648}"),
                        new String[]{"'t'", "\"expireAfterSeconds\"", "2147483647", "2147483648"}),
                arguments("sparse with a partial filter (MongoDB and FerretDB refuse the pair)",
                        oneIndex("{\"name\": \"g_1\", \"key\": {\"g\": 1}, \"sparse\": true, \"partialFilterExpression\": {\"g\": {\"$exists\": true}}}"),
                        new String[]{"'g_1'", "\"sparse\" together with \"partialFilterExpression\"", "drop \"sparse\""}),
                arguments("partial filter not an object", oneIndex("{\"name\": \"p\", \"key\": {\"p\": 1}, \"partialFilterExpression\": \"p > 1\"}"),
                        new String[]{"'p'", "\"partialFilterExpression\"", "object"}),
                arguments("partial filter condition twice", oneIndex("{\"name\": \"p\", \"key\": {\"p\": 1}, "
                        + "\"partialFilterExpression\": {\"p\": {\"$gt\": 1}, \"p\": {\"$lt\": 9}}}"),
                        new String[]{"'p'", "partialFilterExpression", "\"p\" twice"}),
                // unknown and duplicate fields
                arguments("unknown option", oneIndex("{\"name\": \"c\", \"key\": {\"c\": 1}, \"collation\": {\"locale\": \"fr\"}}"),
                        new String[]{"'users'", "'c'", "unknown field \"collation\"", "allowed: name, key, unique"}),
                arguments("misspelt option", oneIndex("{\"name\": \"c\", \"key\": {\"c\": 1}, \"uniqe\": true}"),
                        new String[]{"'c'", "unknown field \"uniqe\""}),
                arguments("option twice", oneIndex("{\"name\": \"email_1\", \"key\": {\"email\": 1}, \"unique\": true, \"unique\": false}"),
                        new String[]{"'users'", "'email_1'", "\"unique\" is given twice", "line 1"}),
                arguments("collection field twice", "{\"collections\": [{\"name\": \"users\", \"indexes\": [], \"indexes\": []}]}",
                        new String[]{"'users'", "\"indexes\" is given twice"}),
                arguments("collections twice", "{\"collections\": [], \"collections\": [{\"name\": \"users\"}]}",
                        new String[]{"\"collections\" is given twice"}),
                arguments("unknown collection field", "{\"collections\": [{\"name\": \"users\", \"capped\": true}]}",
                        new String[]{"'users'", "unknown field \"capped\""}),
                arguments("unknown top-level field", "{\"collections\": [], \"version\": 2}", new String[]{"unknown field \"version\""}),
                // names
                arguments("index name twice", oneIndex("{\"name\": \"a_1\", \"key\": {\"a\": 1}}, {\"name\": \"a_1\", \"key\": {\"b\": 1}}"),
                        new String[]{"'users'", "'a_1'", "listed twice"}),
                arguments("same key pattern twice", oneIndex("{\"name\": \"email_1\", \"key\": {\"email\": 1}}, "
                        + "{\"name\": \"email_unique\", \"key\": {\"email\": 1.0}, \"unique\": true}"),
                        new String[]{"'users'", "'email_1'", "'email_unique'", "same key {\"email\": 1}", "IndexOptionsConflict"}),
                arguments("_id_ listed", oneIndex("{\"name\": \"_id_\", \"key\": {\"_id\": 1}}"), new String[]{"'users'", "_id_", "implicit"}),
                arguments("index named *", oneIndex("{\"name\": \"*\", \"key\": {\"a\": 1}}"), new String[]{"'users'", "'*'"}),
                arguments("index without name", oneIndex("{\"key\": {\"a\": 1}}"), new String[]{"'users'", "\"name\""}),
                arguments("collection listed twice", "{\"collections\": [{\"name\": \"users\"}, {\"name\": \"users\"}]}",
                        new String[]{"'users'", "listed twice"}),
                arguments("system collection", "{\"collections\": [{\"name\": \"system.users\"}]}", new String[]{"'system.users'"}),
                arguments("indexes not an array", "{\"collections\": [{\"name\": \"users\", \"indexes\": {}}]}",
                        new String[]{"'users'", "\"indexes\" must be an array"}),
                // superseded indexes
                arguments("drop not an array", "{\"collections\": [{\"name\": \"users\", \"drop\": \"email_1\"}]}",
                        new String[]{"'users'", "\"drop\" must be an array", "\"email_1\""}),
                arguments("drop entry not a name", "{\"collections\": [{\"name\": \"users\", \"drop\": [{\"email\": 1}]}]}",
                        new String[]{"'users'", "\"drop\" lists an object", "index name"}),
                arguments("drop empty name", "{\"collections\": [{\"name\": \"users\", \"drop\": [\"\"]}]}",
                        new String[]{"'users'", "\"drop\" lists \"\""}),
                arguments("drop _id_", "{\"collections\": [{\"name\": \"users\", \"drop\": [\"_id_\"]}]}",
                        new String[]{"'users'", "_id_", "never be dropped"}),
                arguments("drop everything", "{\"collections\": [{\"name\": \"users\", \"drop\": [\"*\"]}]}",
                        new String[]{"'users'", "\"*\"", "every index"}),
                arguments("drop twice", "{\"collections\": [{\"name\": \"users\", \"drop\": [\"old_1\", \"old_1\"]}]}",
                        new String[]{"'users'", "'old_1' twice"}),
                arguments("drop a wanted index", "{\"collections\": [{\"name\": \"users\", \"indexes\": ["
                        + "{\"name\": \"email_1\", \"key\": {\"email\": 1}}], \"drop\": [\"email_1\"]}]}",
                        new String[]{"'users'", "'email_1'", "both in \"indexes\" and in \"drop\""}),
                // accepted before the bad-input corpus (issue 14): each would have failed createIndexes on every org, or built an
                // index that silently does not do what the manifest says
                arguments("ttl on a compound key", oneIndex("{\"name\": \"tc\", \"key\": {\"a\": 1, \"b\": 1}, \"expireAfterSeconds\": 60}"),
                        new String[]{"'tc'", "\"expireAfterSeconds\"", "compound", "exactly one field"}),
                arguments("empty path part", oneIndex("{\"name\": \"ab\", \"key\": {\"a..b\": 1}}"), new String[]{"'ab'", "\"a..b\"", "empty"}),
                arguments("trailing dot", oneIndex("{\"name\": \"ad\", \"key\": {\"a.\": 1}}"), new String[]{"'ad'", "\"a.\""}),
                arguments("$ path part", oneIndex("{\"name\": \"ad\", \"key\": {\"a.$b\": 1}}"), new String[]{"'ad'", "\"a.$b\"", "$-prefixed"}),
                // limits the server holds at createIndexes, on every org of a rollout (found by probing)
                arguments("33 key fields", oneIndex("{\"name\": \"wide\", \"key\": {" + java.util.stream.IntStream.range(0, 33)
                        .mapToObj(i -> "\"f" + i + "\": 1").collect(java.util.stream.Collectors.joining(", ")) + "}}"),
                        new String[]{"'wide'", "33 fields", "at most 32"}),
                arguments("$where in a partial filter", oneIndex("{\"name\": \"w\", \"key\": {\"a\": 1}, "
                        + "\"partialFilterExpression\": {\"$where\": \"1\"}}"), new String[]{"'w'", "$where", "$exists"}),
                arguments("$regex deep in a partial filter", oneIndex("{\"name\": \"r\", \"key\": {\"a\": 1}, "
                        + "\"partialFilterExpression\": {\"$and\": [{\"a\": {\"$exists\": true}}, {\"b\": {\"$regex\": \"x\"}}]}}"),
                        new String[]{"'r'", "$regex"}),
                // not exactly one JSON object
                arguments("trailing text", "{\"collections\": []} and then some", new String[]{"content after", "line 1, column 20"}),
                arguments("second object", "{\"collections\": []}\n{\"collections\": []}", new String[]{"content after", "exactly one JSON object"}),
                arguments("comment", "{\"collections\": [] // none yet\n}", new String[]{"not valid JSON", "line 1"}),
                arguments("unquoted names", "{collections: []}", new String[]{"not valid JSON"}),
                arguments("trailing comma", "{\"collections\": [{\"name\": \"users\"},]}", new String[]{"not valid JSON"}),
                arguments("empty file", "  \n", new String[]{"empty"}),
                arguments("array at the top", "[{\"name\": \"users\"}]", new String[]{"JSON object", "not an array"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isRefusedNamingWhatIsWrong(String kind, String json, String[] fragments) {
        assertThatThrownBy(() -> SchemaManifest.parse(json, "hostile.json"))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                    assertThat(e.getMessage()).startsWith("schema hostile.json").contains(fragments).doesNotContain("\n");
                });
    }

    /**
     * Found by probing: a manifest cut short (a pipeline artifact truncated, an editor's unsaved tail) was refused as
     * "… at line 1, column 18: Unexpected end-of-input: expected close marker for Array (start marker at [Source: REDACTED
     * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 17])": the parser's settings, not the file.
     */
    @Test
    void aManifestCutShortSaysWhereWithoutTheParsersInternals() {
        assertThatThrownBy(() -> SchemaManifest.parse("{\"collections\": [", "cut.json"))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage())
                        .startsWith("schema cut.json is not valid JSON at line 1, column 18")
                        .contains("the array opened at line 1, column 17").contains("cut short")
                        .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("StreamReadFeature"));
    }

    @Test
    void extendedJsonInAPartialFilterStillMeansItsBsonType() {
        SchemaManifest m = SchemaManifest.parse(oneIndex("{\"name\": \"d_1\", \"key\": {\"d\": 1}, "
                + "\"partialFilterExpression\": {\"d\": {\"$gt\": {\"$date\": \"2024-01-01T00:00:00Z\"}}}}"), "ok.json");
        Object gt = ((Document) m.collection("users").indexes().get(0).partialFilterExpression().get("d")).get("$gt");
        assertThat(gt).isInstanceOf(Date.class);
    }

    @Test
    void descriptionAndModelNotesAreAcceptedAndDoNotChangeTheHash() {
        String plain = oneIndex("{\"name\": \"a_1\", \"key\": {\"a\": 1}}");
        String annotated = "{\"description\": \"v2\", \"collections\": [{\"name\": \"users\", \"model\": \"User\", \"indexes\": ["
                + "{\"name\": \"a_1\", \"key\": {\"a\": 1}}]}]}";
        assertThat(SchemaManifest.parse(annotated, "a.json").hash()).isEqualTo(SchemaManifest.parse(plain, "p.json").hash());
        assertThat(SchemaManifest.parse(annotated, "a.json").description()).isEqualTo("v2");
    }
}
