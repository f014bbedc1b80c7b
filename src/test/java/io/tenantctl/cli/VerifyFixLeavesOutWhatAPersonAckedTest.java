package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a review of verify's output: 'verify --fix' (and -o json's {@code left_for_human}) listed as left for a human
 * the problems a person had acked ('verify ack': accepted until a date), beside the ones nobody has looked at. Acked
 * ones are counted apart ({@code acked}; in text, on the left-for-a-human line and the last line), not left for a human.
 */
class VerifyFixLeavesOutWhatAPersonAckedTest {

    @TempDir
    Path dir;

    @Test
    void leftForAHumanHoldsOnlyTheProblemNobodyAcked() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            // two databases nobody's: adopt or drop, a human's call (--fix leaves both)
            f.database("pool-0", "org_yy").getCollection("messages").insertOne(new Document("n", 1));
            f.database("pool-0", "org_zz").getCollection("messages").insertOne(new Document("n", 1));
            List<String> ids = new ArrayList<>();
            findings(strictJson(f.cli.run("verify", "-o", "json")), "orphan_database").forEach(x -> ids.add(x.get("finding_id").asText()));
            assertThat(ids).hasSize(2);
            String acked = ids.get(0);
            String open = ids.get(1);
            ok(f.cli, "verify", "ack", acked, "--until", "7d", "--reason", "kept for the audit");

            Cli.Result json = f.cli.run("verify", "--fix", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode doc = strictJson(json);
            List<String> left = new ArrayList<>();
            doc.get("left_for_human").forEach(l -> left.add(l.asText().split(" ")[0]));
            assertThat(left).as(doc.get("left_for_human").toString()).containsExactly(open);
            assertThat(doc.get("acked").asLong()).as(doc.toString()).isEqualTo(1);

            Cli.Result text = f.cli.run("verify", "--fix");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            String line = text.out().lines().filter(l -> l.startsWith("left for a human")).findFirst().orElseThrow();
            assertThat(line).as(text.toString()).startsWith("left for a human (1): " + open + " orphan_database").doesNotContain(acked)
                    .contains("1 acked, not listed");
        }
    }
}
