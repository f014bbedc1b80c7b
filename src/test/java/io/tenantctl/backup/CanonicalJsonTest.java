package io.tenantctl.backup;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalJsonTest {

    private static final JsonWriterSettings DRIVER_DEFAULT = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    @Test
    void fastStringPathWritesExactlyWhatTheDriverWrites() {
        List<String> samples = List.of("", "plain ascii text with spaces, digits 0123 and ~!@#%^&*()_+-={}[]|:;<>?,./",
                "quote \" inside", "back\\slash", "tab\there", "new\nline", "nul\u0000char", "del\u007fchar",
                "caf\u00e9", "\u6f22\u5b57", "emoji \ud83d\ude80", "line sep \u2028", "lone surrogate \ud800", "$oid", "{\"$numberLong\": \"5\"}");
        BsonDocument doc = new BsonDocument();
        BsonArray all = new BsonArray();
        for (int i = 0; i < samples.size(); i++) {
            doc.append("f" + i, new BsonString(samples.get(i)));
            all.add(new BsonString(samples.get(i)));
        }
        doc.append("nested", new BsonDocument("list", all));
        assertThat(doc.toJson(CanonicalJson.SETTINGS)).isEqualTo(doc.toJson(DRIVER_DEFAULT));
        assertThat(BsonDocument.parse(doc.toJson(CanonicalJson.SETTINGS))).isEqualTo(doc);
    }
}
