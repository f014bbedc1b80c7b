package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that at fleet size (1,000 orgs) a plain verify printed thousands of lines, three per finding,
 * and closed with only "N problem(s), M new": what kinds of problem there were took reading them all. The text now counts
 * the findings by kind, most frequent first, above its closing line, and -o json has the same counts (counts_by_kind).
 */
class VerifyCountsFindingsByKindTest {

    @Test
    void theFindingsAreCountedByKindMostFrequentFirst(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech"); // none backed up: three backup_stale
            f.database("pool-0", "org_ghost").getCollection("x").insertOne(new Document("a", 1)); // one orphan_database

            Cli.Result text = f.cli.run("verify");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            List<String> lines = text.out().lines().toList();
            int closing = lines.size() - 1;
            while (closing > 0 && !lines.get(closing).startsWith("verified ")) {
                closing--;
            }
            assertThat(lines.get(closing - 1)).as(text.toString()).isEqualTo("by kind: 3 backup_stale, 1 orphan_database");

            Cli.Result json = f.cli.run("verify", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode counts = strictJson(json).get("counts_by_kind");
            assertThat(counts).as(json.toString()).isNotNull();
            List<String> order = new ArrayList<>();
            counts.fieldNames().forEachRemaining(order::add);
            assertThat(order).containsExactly("backup_stale", "orphan_database");
            assertThat(counts.get("backup_stale").asInt()).isEqualTo(3);
            assertThat(counts.get("orphan_database").asInt()).isEqualTo(1);
        }
    }
}
