package io.tenantctl.testing;

import io.tenantctl.schema.SchemaManifest;
import org.bson.BsonDocument;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fixtures made from LibreChat's own npm packages by {@code scripts/fixtures/regenerate}: manifests of its data
 * model per release, and sample documents its models validated. Test resources; never edited by hand.
 */
public final class LibreChatFixtures {

    /** The oldest release the fixtures cover: what a fleet provisioned long ago has. */
    public static final String OLD = "0.0.21";
    /** The newest release: the built-in manifest must be this one. */
    public static final String NEW = "0.0.71";

    private LibreChatFixtures() {
    }

    /** {@code manifests/librechat-VERSION.json}, e.g. {@code manifest("0.0.71")} or {@code manifest("0.0.71-search")}. */
    public static SchemaManifest manifest(String version) {
        String resource = manifestResource(version);
        return SchemaManifest.parse(read(resource), resource);
    }

    public static String manifestResource(String version) {
        return "/manifests/librechat-" + version + ".json";
    }

    /** The sample documents of {@code collection} ("users" or "messages"), as the models stored them. */
    public static List<BsonDocument> documents(String collection) {
        return read("/fixtures/librechat-" + NEW + "-" + collection + ".ndjson").lines()
                .filter(l -> !l.isBlank())
                .map(BsonDocument::parse)
                .toList();
    }

    public static String read(String resource) {
        try (InputStream in = LibreChatFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource + " (scripts/fixtures/regenerate makes it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
