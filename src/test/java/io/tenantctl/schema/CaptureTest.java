package io.tenantctl.schema;

import io.tenantctl.TenantctlException;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Turning listCollections + listIndexes answers into a manifest, as MongoDB and FerretDB write them. */
class CaptureTest {

    private static Document coll(String name) {
        return new Document("name", name).append("type", "collection").append("options", new Document())
                .append("info", new Document("readOnly", false));
    }

    private static Document idIndex() {
        return new Document("v", 2).append("key", new Document("_id", 1)).append("name", "_id_");
    }

    @Test
    void keepsKeyOrderMapsOptionsAndLeavesOutIdIndexesSystemCollectionsAndBuildHints() {
        Map<String, List<Document>> indexes = Map.of(
                "users", List.of(idIndex(),
                        new Document("v", 2).append("key", new Document("tenantId", 1).append("email", -1)).append("name", "tenant_email")
                                .append("unique", true).append("background", true),
                        new Document("v", 2).append("key", new Document("expiresAt", 1.0)).append("name", "expiresAt_1")
                                .append("expireAfterSeconds", 3600).append("sparse", false),
                        new Document("v", 2).append("key", new Document("googleId", 1)).append("name", "googleId_1")
                                .append("partialFilterExpression", new Document("googleId", new Document("$exists", true)))),
                "files", List.of(idIndex()));
        SchemaManifest m = Capture.manifest("ref", "captured", List.of(coll("users"), coll("system.views"), coll("files")), indexes);

        String expected = """
                {"collections": [
                  {"name": "files", "indexes": []},
                  {"name": "users", "indexes": [
                    {"name": "tenant_email", "key": {"tenantId": 1, "email": -1}, "unique": true},
                    {"name": "expiresAt_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 3600},
                    {"name": "googleId_1", "key": {"googleId": 1}, "partialFilterExpression": {"googleId": {"$exists": true}}}
                  ]}
                ]}
                """;
        assertThat(m.hash()).isEqualTo(SchemaManifest.parse(expected, "expected").hash());
        assertThat(m.collections()).extracting(CollectionSpec::name).containsExactly("files", "users");
        assertThat(m.collection("users").indexes()).extracting(IndexSpec::name).containsExactly("tenant_email", "expiresAt_1", "googleId_1");
        assertThat(m.description()).isEqualTo("captured");
    }

    @Test
    void whatAManifestCannotExpressIsRefusedNamingEveryPiece() {
        Map<String, List<Document>> indexes = Map.of("users", List.of(idIndex(),
                new Document("v", 2).append("key", new Document("email", 1)).append("name", "email_1")
                        .append("collation", new Document("locale", "fr").append("strength", 2)),
                new Document("v", 2).append("key", new Document("age", 1)).append("name", "age_1").append("hidden", true)));
        Document view = new Document("name", "active_users").append("type", "view")
                .append("options", new Document("viewOn", "users"));
        Document capped = coll("events").append("options", new Document("capped", true).append("size", 4096));
        assertThatThrownBy(() -> Capture.manifest("reference database 'ref'", null, List.of(coll("users"), view, capped), indexes))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                    assertThat(e.getMessage()).startsWith("reference database 'ref'")
                            .contains("users.email_1 option {\"collation\": {\"locale\": \"fr\", \"strength\": 2}}")
                            .contains("users.age_1 option {\"hidden\": true}")
                            .contains("active_users is a view")
                            .contains("events has collection options {\"capped\": true, \"size\": 4096}")
                            .doesNotContain("\n");
                });
    }

    @Test
    void indexTypesTheManifestRefusesAreRefusedOnCaptureToo() {
        Map<String, List<Document>> indexes = Map.of("posts", List.of(idIndex(),
                new Document("v", 2).append("key", new Document("_fts", "text").append("_ftsx", 1)).append("name", "body_text")));
        assertThatThrownBy(() -> Capture.manifest("reference database 'ref'", null, List.of(coll("posts")), indexes))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage())
                        .contains("'posts'").contains("'body_text'").contains("\"text\" index"));
    }

    @Test
    void anEmptyDatabaseIsRefusedAsAProbableMistake() {
        assertThatThrownBy(() -> Capture.manifest("reference database 'reff'", null, List.of(coll("system.profile")), Map.of()))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage())
                        .contains("'reff' has no collections").contains("--database"));
    }
}
