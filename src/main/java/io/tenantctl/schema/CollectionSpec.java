package io.tenantctl.schema;

import java.util.List;

/**
 * A collection, the indexes it must have (the implicit {@code _id_} index is never listed) and the indexes this
 * version of the manifest supersedes ({@code drop}: names that must not be present once the new ones exist).
 */
public record CollectionSpec(String name, List<IndexSpec> indexes, List<String> drop) {

    public CollectionSpec {
        indexes = List.copyOf(indexes);
        drop = List.copyOf(drop);
    }

    /** A collection that supersedes nothing. */
    public CollectionSpec(String name, List<IndexSpec> indexes) {
        this(name, indexes, List.of());
    }
}
