package io.tenantctl.schema;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaDiffTest {

    private static final SchemaManifest MANIFEST = SchemaManifest.parse("""
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "tenant_1_role_-1", "key": {"tenant": 1, "role": -1}},
                {"name": "expires_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 3600}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}, "partialFilterExpression": {"n": {"$gt": 5}}}
              ]}
            ]}
            """, "test");

    private static Document idIndex() {
        return new Document("v", 2).append("key", new Document("_id", 1)).append("name", "_id_");
    }

    private static Document idx(String name, Document key) {
        return new Document("v", 2).append("key", key).append("name", name);
    }

    /** The users indexes exactly as listIndexes returns them on an up-to-date database. */
    private static List<Document> usersAsCreated() {
        return List.of(idIndex(),
                idx("email_1", new Document("email", 1)).append("unique", true),
                idx("tenant_1_role_-1", new Document("tenant", 1).append("role", -1)),
                idx("expires_1", new Document("expiresAt", 1)).append("expireAfterSeconds", 3600));
    }

    private static List<Document> messagesAsCreated() {
        return List.of(idIndex(), idx("conv_1", new Document("conversationId", 1))
                .append("partialFilterExpression", new Document("n", new Document("$gt", 5))));
    }

    @Test
    void emptyDatabaseLacksEverything() {
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of(), Map.of());
        assertThat(d.missingCollections()).containsExactly("users", "messages");
        assertThat(d.missingIndexes().get("users")).extracting(IndexSpec::name)
                .containsExactly("email_1", "tenant_1_role_-1", "expires_1");
        assertThat(d.missingIndexes().get("messages")).extracting(IndexSpec::name).containsExactly("conv_1");
        assertThat(d.missingIndexCount()).isEqualTo(4);
        assertThat(d.conflicts()).isEmpty();
        assertThat(d.upToDate()).isFalse();
    }

    @Test
    void upToDateDatabaseHasNothingToDoAndIdIndexIsIgnored() {
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"),
                Map.of("users", usersAsCreated(), "messages", messagesAsCreated()));
        assertThat(d.missingCollections()).isEmpty();
        assertThat(d.missingIndexes()).isEmpty();
        assertThat(d.conflicts()).isEmpty();
        assertThat(d.extras()).isEmpty();
        assertThat(d.upToDate()).isTrue();
    }

    @Test
    void missingIndexesOfAnExistingCollection() {
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"),
                Map.of("users", List.of(idIndex(), usersAsCreated().get(1)), "messages", messagesAsCreated()));
        assertThat(d.missingCollections()).isEmpty();
        assertThat(d.missingIndexes()).containsOnlyKeys("users");
        assertThat(d.missingIndexes().get("users")).extracting(IndexSpec::name).containsExactly("tenant_1_role_-1", "expires_1");
        assertThat(d.upToDate()).isFalse();
    }

    @Test
    void sameNameOtherSpecIsAConflictShowingBoth() {
        List<Document> users = List.of(idIndex(),
                idx("email_1", new Document("email", 1)), // not unique
                usersAsCreated().get(2), usersAsCreated().get(3));
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"), Map.of("users", users, "messages", messagesAsCreated()));
        assertThat(d.conflicts()).hasSize(1);
        SchemaDiff.Conflict c = d.conflicts().get(0);
        assertThat(c.collection()).isEqualTo("users");
        assertThat(c.wanted().unique()).isTrue();
        assertThat(c.actual().unique()).isFalse();
        assertThat(c.describe()).contains("users.email_1").contains("manifest wants").contains("database has");
        String wantedPart = c.describe().substring(c.describe().indexOf("manifest wants"), c.describe().indexOf("database has"));
        String actualPart = c.describe().substring(c.describe().indexOf("database has"));
        assertThat(wantedPart).contains("\"email\"").contains("unique");
        assertThat(actualPart).contains("\"email\"").doesNotContain("unique");
        assertThat(d.missingIndexes()).isEmpty();
        assertThat(d.upToDate()).isFalse();
    }

    @Test
    void differentTtlOrPartialFilterIsAConflict() {
        List<Document> users = List.of(idIndex(), usersAsCreated().get(1), usersAsCreated().get(2),
                idx("expires_1", new Document("expiresAt", 1)).append("expireAfterSeconds", 60));
        List<Document> messages = List.of(idIndex(), idx("conv_1", new Document("conversationId", 1))
                .append("partialFilterExpression", new Document("n", new Document("$gt", 6))));
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"), Map.of("users", users, "messages", messages));
        assertThat(d.conflicts()).extracting(c -> c.collection() + "." + c.wanted().name())
                .containsExactlyInAnyOrder("users.expires_1", "messages.conv_1");
        assertThat(d.conflicts()).filteredOn(c -> c.wanted().name().equals("expires_1")).singleElement()
                .satisfies(c -> assertThat(c.describe()).contains("ttl=3600s").contains("ttl=60s"));
    }

    @Test
    void keyOrderDifferenceIsAConflict() {
        List<Document> users = List.of(idIndex(), usersAsCreated().get(1),
                idx("tenant_1_role_-1", new Document("role", -1).append("tenant", 1)), usersAsCreated().get(3));
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"), Map.of("users", users, "messages", messagesAsCreated()));
        assertThat(d.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.wanted().name()).isEqualTo("tenant_1_role_-1");
            assertThat(c.describe()).contains("{\"tenant\": 1, \"role\": -1}").contains("{\"role\": -1, \"tenant\": 1}");
        });
    }

    @Test
    void numbersCompareByValue() {
        // listIndexes may return directions and options as int, long or double depending on the server
        List<Document> users = List.of(idIndex(),
                idx("email_1", new Document("email", 1.0)).append("unique", 1),
                idx("tenant_1_role_-1", new Document("tenant", 1L).append("role", -1.0)),
                idx("expires_1", new Document("expiresAt", 1L)).append("expireAfterSeconds", 3600.0));
        List<Document> messages = List.of(idIndex(), idx("conv_1", new Document("conversationId", 1.0))
                .append("partialFilterExpression", new Document("n", new Document("$gt", 5L))));
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"), Map.of("users", users, "messages", messages));
        assertThat(d.conflicts()).isEmpty();
        assertThat(d.upToDate()).isTrue();
    }

    @Test
    void extraIndexesAreReportedButDoNotMakeItOutOfDate() {
        List<Document> users = new java.util.ArrayList<>(usersAsCreated());
        users.add(idx("legacy_1", new Document("legacy", 1)));
        SchemaDiff d = SchemaDiff.compute(MANIFEST, List.of("users", "messages"), Map.of("users", users, "messages", messagesAsCreated()));
        assertThat(d.extras()).singleElement().satisfies(x -> {
            assertThat(x.collection()).isEqualTo("users");
            assertThat(x.index().name()).isEqualTo("legacy_1");
        });
        assertThat(d.upToDate()).isTrue();
    }

    @Test
    void aSupersededIndexStillPresentIsItsOwnKindOfDifferenceNotAnExtra() {
        SchemaManifest next = SchemaManifest.parse("""
                {"collections": [
                  {"name": "users", "indexes": [
                    {"name": "email_1", "key": {"email": 1}, "unique": true},
                    {"name": "tenant_1_role_-1", "key": {"tenant": 1, "role": -1}},
                    {"name": "expires_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 3600}
                  ], "drop": ["tenant_1", "gone_1"]},
                  {"name": "messages", "indexes": [
                    {"name": "conv_1", "key": {"conversationId": 1}, "partialFilterExpression": {"n": {"$gt": 5}}}
                  ]}
                ]}
                """, "next");
        List<Document> users = new java.util.ArrayList<>(usersAsCreated());
        users.add(idx("tenant_1", new Document("tenant", 1)));
        users.add(idx("legacy_1", new Document("legacy", 1)));
        SchemaDiff d = SchemaDiff.compute(next, List.of("users", "messages"), Map.of("users", users, "messages", messagesAsCreated()));
        assertThat(d.superseded()).singleElement().satisfies(s -> {
            assertThat(s.collection()).isEqualTo("users");
            assertThat(s.index().name()).isEqualTo("tenant_1");
            assertThat(s.index().key().toJson()).isEqualTo("{\"tenant\": 1}");
        });
        assertThat(d.extras()).extracting(x -> x.index().name()).containsExactly("legacy_1");
        assertThat(d.missingIndexes()).isEmpty();
        assertThat(d.conflicts()).isEmpty();
        assertThat(d.upToDate()).as("a superseded index still present means the rollout is not finished").isFalse();

        users.removeIf(i -> i.getString("name").equals("tenant_1"));
        SchemaDiff after = SchemaDiff.compute(next, List.of("users", "messages"), Map.of("users", users, "messages", messagesAsCreated()));
        assertThat(after.superseded()).isEmpty();
        assertThat(after.upToDate()).isTrue();
    }
}
