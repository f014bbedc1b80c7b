package io.tenantctl.schema;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaManifestTest {

    private static final String BASE = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "tenant_1_role_1", "key": {"tenant": 1, "role": -1}},
                {"name": "expires_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 3600}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1},
                 "partialFilterExpression": {"deleted": {"$eq": false}}},
                {"name": "thread_1", "key": {"threadId": 1}, "sparse": true}
              ]},
              {"name": "files"}
            ]}
            """;

    private static SchemaManifest parse(String json) {
        return SchemaManifest.parse(json, "test.json");
    }

    private static String hash(String json) {
        return parse(json).hash();
    }

    @Test
    void defaultManifestIsTheLibreChatModel() {
        SchemaManifest m = SchemaManifest.defaultManifest();
        assertThat(m.collections()).hasSize(47);
        assertThat(m.indexCount()).isEqualTo(290);
        assertThat(m.hash()).matches("[0-9a-f]{64}");
        assertThat(m.hash()).isEqualTo(SchemaManifest.defaultManifest().hash());
        assertThat(m.collections()).allSatisfy(c ->
                assertThat(c.indexes().size() + 1).isLessThanOrEqualTo(SchemaManifest.MAX_INDEXES_PER_COLLECTION));
    }

    /**
     * Orgs in the catalog carry the hash their manifest had when it was applied; a parser change that moved a hash
     * would make migrate-all see every org as out of date. These are the hashes before the strict parser existed.
     */
    @Test
    void hashesAreWhatTheyWereBeforeTheStrictParser() {
        assertThat(SchemaManifest.defaultManifest().hash()).isEqualTo("eb433b9d7276908546cd4985a898fff3a33bfe5366852e8d0d0c07c450d53ba1");
        // BASE no longer mixes sparse with a partial filter (refused since); this is its hash as the parser before the
        // strict one (b116b67^) computed it
        assertThat(hash(BASE)).isEqualTo("be64f6ea1c989a46b3c185e933c726411390b15d02a8ecf07238a70c679c1c64");
    }

    @Test
    void theCanonicalFormStoredInTheCatalogParsesBackToTheSameHash() {
        SchemaManifest builtIn = SchemaManifest.defaultManifest();
        assertThat(SchemaManifest.parse(builtIn.canonicalJson(), "catalog").hash()).isEqualTo(builtIn.hash());
        assertThat(parse(parse(BASE).canonicalJson()).hash()).isEqualTo(hash(BASE));
    }

    @Test
    void loadsFromAFileAndNamesAMissingFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("schema.json");
        Files.writeString(f, BASE);
        assertThat(SchemaManifest.load(f).hash()).isEqualTo(hash(BASE));
        assertThat(SchemaManifest.loadOrDefault(null).collections()).hasSize(47);
        assertUsage(() -> SchemaManifest.load(dir.resolve("nope.json")), "nope.json");
    }

    @Test
    void hashIgnoresCollectionAndIndexOrder() {
        String reordered = """
                {"collections": [
                  {"name": "files", "indexes": []},
                  {"name": "messages", "indexes": [
                    {"sparse": true, "key": {"threadId": 1}, "name": "thread_1"},
                    {"partialFilterExpression": {"deleted": {"$eq": false}},
                     "key": {"conversationId": 1}, "name": "conv_1"}
                  ]},
                  {"name": "users", "indexes": [
                    {"name": "expires_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 3600},
                    {"name": "tenant_1_role_1", "key": {"tenant": 1, "role": -1}},
                    {"unique": true, "name": "email_1", "key": {"email": 1}}
                  ]}
                ]}
                """;
        assertThat(hash(reordered)).isEqualTo(hash(BASE));
    }

    @Test
    void hashIgnoresFalseDefaultsAndNumericRepresentation() {
        String explicit = BASE
                .replace("\"key\": {\"tenant\": 1, \"role\": -1}}", "\"key\": {\"tenant\": 1.0, \"role\": -1}, \"unique\": false, \"sparse\": false}")
                .replace("\"expireAfterSeconds\": 3600", "\"expireAfterSeconds\": 3600.0");
        assertThat(explicit).isNotEqualTo(BASE);
        assertThat(hash(explicit)).isEqualTo(hash(BASE));
    }

    @Test
    void hashChangesWhenKeyOrderChanges() {
        String swapped = BASE.replace("{\"tenant\": 1, \"role\": -1}", "{\"role\": -1, \"tenant\": 1}");
        assertThat(swapped).isNotEqualTo(BASE);
        assertThat(hash(swapped)).isNotEqualTo(hash(BASE));
    }

    @Test
    void hashChangesWhenAnyOptionChanges() {
        String base = hash(BASE);
        assertThat(hash(BASE.replace("\"unique\": true", "\"unique\": false"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("\"sparse\": true", "\"sparse\": false"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("3600", "3601"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("{\"$eq\": false}", "{\"$eq\": true}"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("\"role\": -1", "\"role\": 1"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("email_1", "email_2"))).isNotEqualTo(base);
        assertThat(hash(BASE.replace("{\"name\": \"files\"}", "{\"name\": \"files2\"}"))).isNotEqualTo(base);
    }

    private static final String WITH_DROP = BASE.replace("\"expireAfterSeconds\": 3600}\n  ]}",
            "\"expireAfterSeconds\": 3600}\n  ], \"drop\": [\"tenant_1\", \"email_old\"]}");

    @Test
    void dropIsExposedOnTheCollectionAsWritten() {
        assertThat(WITH_DROP).isNotEqualTo(BASE);
        SchemaManifest m = parse(WITH_DROP);
        assertThat(m.collection("users").drop()).containsExactly("tenant_1", "email_old");
        assertThat(m.collection("messages").drop()).isEmpty();
        assertThat(m.collection("users").indexes()).hasSize(3);
    }

    @Test
    void dropIsHashedSortedAfterTheIndexesAndOnlyWhenPresent() {
        assertThat(hash(WITH_DROP)).isNotEqualTo(hash(BASE));
        assertThat(hash(WITH_DROP.replace("[\"tenant_1\", \"email_old\"]", "[\"email_old\", \"tenant_1\"]"))).isEqualTo(hash(WITH_DROP));
        assertThat(hash(WITH_DROP.replace("[\"tenant_1\", \"email_old\"]", "[]"))).as("an empty drop is no drop").isEqualTo(hash(BASE));
        assertThat(parse(WITH_DROP).canonicalJson()).contains("\"name\": \"tenant_1_role_1\", \"key\": {\"tenant\": 1, \"role\": -1}}], "
                + "\"drop\": [\"email_old\", \"tenant_1\"]}");
        assertThat(parse(parse(WITH_DROP).canonicalJson()).hash()).isEqualTo(hash(WITH_DROP));
    }

    @Test
    void addingADropMarksOnlyThatCollectionChanged() {
        assertThat(parse(WITH_DROP).changedSince(parse(BASE))).containsExactly("users");
    }

    @Test
    void parsesOptions() {
        SchemaManifest m = parse(BASE);
        assertThat(m.collections()).extracting(CollectionSpec::name).containsExactly("users", "messages", "files");
        IndexSpec email = m.collection("users").indexes().get(0);
        assertThat(email.unique()).isTrue();
        assertThat(m.collection("users").indexes().get(2).expireAfterSeconds()).isEqualTo(3600L);
        IndexSpec conv = m.collection("messages").indexes().get(0);
        assertThat(conv.sparse()).isFalse();
        assertThat(conv.partialFilterExpression().toJson()).contains("deleted");
        IndexSpec thread = m.collection("messages").indexes().get(1);
        assertThat(thread.sparse()).isTrue();
        assertThat(thread.partialFilterExpression()).isNull();
        assertThat(m.collection("files").indexes()).isEmpty();
        assertThat(m.indexCount()).isEqualTo(5);
    }

    @Test
    void duplicateCollectionIsNamed() {
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\"}, {\"name\": \"users\"}]}"), "'users'", "twice");
    }

    @Test
    void duplicateIndexIsNamed() {
        assertUsage(() -> parse("""
                {"collections": [{"name": "users", "indexes": [
                  {"name": "a_1", "key": {"a": 1}}, {"name": "a_1", "key": {"b": 1}}]}]}
                """), "'users'", "'a_1'", "twice");
    }

    @Test
    void idIndexIsRefused() {
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"_id_\", \"key\": {\"_id\": 1}}]}]}"),
                "'users'", "_id_");
    }

    @Test
    void unknownFieldsAreNamed() {
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"a_1\", \"key\": {\"a\": 1}, \"uniqe\": true}]}]}"),
                "'a_1'", "uniqe");
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\", \"capped\": true}]}"), "'users'", "capped");
    }

    @Test
    void moreThan63IndexesPerCollectionIsRefused() {
        assertThat(parse(manifestWithIndexes(63)).indexCount()).isEqualTo(63);
        assertUsage(() -> parse(manifestWithIndexes(64)), "'big'", "64");
    }

    @Test
    void badKeyDirectionIsNamed() {
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"a_2\", \"key\": {\"a\": 2}}]}]}"),
                "'users'", "'a_2'", "direction");
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"a_t\", \"key\": {\"a\": true}}]}]}"),
                "'a_t'");
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"empty\", \"key\": {}}]}]}"),
                "'empty'");
    }

    @Test
    void negativeDirectionsAndIntegralNumbersWrittenAsDecimalsAreAccepted() {
        SchemaManifest m = parse("{\"collections\": [{\"name\": \"docs\", \"indexes\": ["
                + "{\"name\": \"a_-1\", \"key\": {\"a\": -1}}, {\"name\": \"b_1\", \"key\": {\"b\": 1.0}, \"expireAfterSeconds\": 0},"
                + "{\"name\": \"c_1\", \"key\": {\"c\": -1.0}, \"expireAfterSeconds\": 2147483647}]}]}");
        assertThat(m.indexCount()).isEqualTo(3);
        assertThat(((Number) m.collection("docs").indexes().get(1).key().get("b")).doubleValue()).isEqualTo(1.0);
        assertThat(m.collection("docs").indexes().get(2).expireAfterSeconds()).isEqualTo(2147483647L);
    }

    @Test
    void otherMalformedInputIsUsage() {
        assertUsage(() -> parse("{not json"), "test.json");
        assertUsage(() -> parse("{\"tables\": []}"), "collections");
        assertUsage(() -> parse("{\"collections\": [{\"indexes\": []}]}"), "name");
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"system.users\"}]}"), "system.users");
        assertUsage(() -> parse("{\"collections\": [{\"name\": \"u\", \"indexes\": [{\"name\": \"t\", \"key\": {\"a\": 1}, "
                + "\"expireAfterSeconds\": -1}]}]}"), "'t'", "expireAfterSeconds");
    }

    private static String manifestWithIndexes(int n) {
        return "{\"collections\": [{\"name\": \"big\", \"indexes\": ["
                + IntStream.range(0, n).mapToObj(i -> "{\"name\": \"f" + i + "_1\", \"key\": {\"f" + i + "\": 1}}")
                .collect(Collectors.joining(","))
                + "]}]}";
    }

    private static void assertUsage(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... fragments) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }
}
