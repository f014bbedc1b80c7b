package io.tenantctl.ops;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * A JSON array of what {@code items} hands over, each written by {@code writer} as it comes, none held: a fleet's orgs
 * or findings, read back from the catalog as they are serialised.
 */
public record StreamedJsonArray<T>(Consumer<Consumer<T>> items, Writer<T> writer) implements JsonSerializable {

    /** One item written into the array. */
    @FunctionalInterface
    public interface Writer<T> {
        void write(T item, JsonGenerator g, SerializerProvider p) throws IOException;
    }

    /** Each item as Jackson writes its value. */
    public static <T> StreamedJsonArray<T> of(Consumer<Consumer<T>> items) {
        return new StreamedJsonArray<>(items, (item, g, p) -> p.defaultSerializeValue(item, g));
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeStartArray();
        try {
            items.accept(item -> {
                try {
                    writer.write(item, g, p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        g.writeEndArray();
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider p, TypeSerializer t) throws IOException {
        serialize(g, p);
    }
}
