package io.tenantctl.schema;

import java.util.List;

/** A collection and the indexes it must have (the implicit {@code _id_} index is never listed). */
public record CollectionSpec(String name, List<IndexSpec> indexes) {

    public CollectionSpec {
        indexes = List.copyOf(indexes);
    }
}
