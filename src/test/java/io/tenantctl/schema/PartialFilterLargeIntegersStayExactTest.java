package io.tenantctl.schema;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "numbers compared by value (1.0 = 1)" must not change a number's value. IndexSpec.normalize pushes every number
 * through a double and back: an Int64 past 2^53 in a partialFilterExpression (a Snowflake/Discord id, a sequence number)
 * loses its low bits, and any integral double past 2^63 saturates to Long.MAX_VALUE. The index created on every org
 * (toCreateDocument), the manifest `schema export` writes and the hash all carry a filter the manifest never said —
 * and two manifests whose filters differ get one hash, so migrate-all never rolls the change out.
 */
class PartialFilterLargeIntegersStayExactTest {

    private static SchemaManifest withFilter(String gt) {
        return SchemaManifest.parse("{\"collections\": [{\"name\": \"events\", \"indexes\": [{\"name\": \"seq_1\", \"key\": {\"seq\": 1}, "
                + "\"partialFilterExpression\": {\"seq\": {\"$gt\": " + gt + "}}}]}]}", "events.json");
    }

    private static Object gtSent(SchemaManifest m) {
        Document create = m.collection("events").indexes().get(0).toCreateDocument();
        return ((Document) ((Document) create.get("partialFilterExpression")).get("seq")).get("$gt");
    }

    @Test
    void largeNumbersInAFilterAreSentAndHashedAsWritten() {
        SchemaManifest m = withFilter("1234567890123456789");
        assertThat(gtSent(m)).as("the filter createIndexes sends to every org").isEqualTo(1234567890123456789L);
        assertThat(m.toJson()).as("schema export").contains("1234567890123456789");
        assertThat(m.hash()).as("a different threshold is a different manifest")
                .isNotEqualTo(withFilter("1234567890123456768").hash());
        assertThat(gtSent(withFilter("1e20"))).as("the filter createIndexes sends").isNotEqualTo(Long.MAX_VALUE);
        assertThat(withFilter("1e20").hash()).isNotEqualTo(withFilter("1e19").hash());
    }
}
