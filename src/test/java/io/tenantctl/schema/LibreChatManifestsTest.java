package io.tenantctl.schema;

import io.tenantctl.testing.LibreChatFixtures;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in manifest against LibreChat's own model, as {@code scripts/fixtures/regenerate} read it from the npm
 * package: when LibreChat moves on and the fixtures are regenerated, this says whether the built-in manifest still
 * describes the newest release, and if not, exactly where it differs.
 */
class LibreChatManifestsTest {

    @Test
    void theBuiltInManifestIsTheNewestLibreChatModel() {
        SchemaManifest builtIn = SchemaManifest.defaultManifest();
        SchemaManifest generated = LibreChatFixtures.manifest(LibreChatFixtures.NEW);
        assertThat(differences(builtIn, generated))
                .as("built-in manifest against %s", LibreChatFixtures.manifestResource(LibreChatFixtures.NEW))
                .isEmpty();
        assertThat(builtIn.hash()).isEqualTo(generated.hash());
        assertThat(differences(builtIn, LibreChatFixtures.manifest(LibreChatFixtures.OLD)))
                .as("the comparison sees a real change: 0.0.21's email index was unique")
                .contains("users.email_1 differs: {\"email\": 1} against {\"email\": 1} unique");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.21", "0.0.71", "0.0.71-search"})
    void everyGeneratedManifestIsOneTenantctlAccepts(String version) {
        SchemaManifest m = LibreChatFixtures.manifest(version); // parse validates: names, keys, options, 64 per collection
        assertThat(m.collections()).isNotEmpty();
        assertThat(m.collections()).allSatisfy(c -> assertThat(c.indexes()).allSatisfy(i ->
                assertThat(i.name()).as("%s: no index may be named _id_", c.name()).isNotEqualTo("_id_")));
    }

    @Test
    void theSearchVariantOnlyAddsTheMeiliSearchPluginsPartialIndexes() {
        SchemaManifest plain = LibreChatFixtures.manifest(LibreChatFixtures.NEW);
        SchemaManifest search = LibreChatFixtures.manifest(LibreChatFixtures.NEW + "-search");
        List<String> added = differences(plain, search);
        assertThat(added).hasSize(6).allSatisfy(d -> assertThat(d).matches("(conversations|messages)\\.meili_\\S+ only in the second: .*partial=.*"));
        assertThat(search.changedSince(plain)).containsExactlyInAnyOrder("conversations", "messages");
    }

    @Test
    void theSampleDocumentsAreTheModelsOwn() {
        List<BsonDocument> users = LibreChatFixtures.documents("users");
        List<BsonDocument> messages = LibreChatFixtures.documents("messages");
        assertThat(users).hasSize(32);
        assertThat(messages).hasSize(40);
        assertThat(users).allSatisfy(u -> assertThat(u.keySet()).contains("_id", "email", "provider", "createdAt"));
        assertThat(users.stream().map(u -> u.getString("email").getValue()).distinct()).hasSize(users.size());
        assertThat(messages).allSatisfy(m -> assertThat(m.keySet()).contains("_id", "messageId", "conversationId", "user"));
        // several users without any external id: what a partial unique index must let through
        assertThat(users.stream().filter(u -> !u.containsKey("googleId")).count()).isGreaterThan(1);
    }

    /** Readable differences between two manifests: "collection.index ..." lines, empty when they mean the same. */
    static List<String> differences(SchemaManifest first, SchemaManifest second) {
        List<String> out = new ArrayList<>();
        Map<String, CollectionSpec> a = byName(first.collections(), CollectionSpec::name);
        Map<String, CollectionSpec> b = byName(second.collections(), CollectionSpec::name);
        for (String c : union(a.keySet(), b.keySet())) {
            if (!b.containsKey(c)) {
                out.add(c + " only in the first");
                continue;
            }
            if (!a.containsKey(c)) {
                out.add(c + " only in the second");
                continue;
            }
            Map<String, IndexSpec> ia = byName(a.get(c).indexes(), IndexSpec::name);
            Map<String, IndexSpec> ib = byName(b.get(c).indexes(), IndexSpec::name);
            for (String i : union(ia.keySet(), ib.keySet())) {
                IndexSpec x = ia.get(i);
                IndexSpec y = ib.get(i);
                if (y == null) {
                    out.add(c + "." + i + " only in the first: " + x.describe());
                } else if (x == null) {
                    out.add(c + "." + i + " only in the second: " + y.describe());
                } else if (!x.sameSpecAs(y)) {
                    out.add(c + "." + i + " differs: " + x.describe() + " against " + y.describe());
                }
            }
        }
        return out;
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        return items.stream().collect(Collectors.toMap(name, Function.identity(), (x, y) -> x, TreeMap::new));
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
