package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README calls a verify finding's {@code fix} "the exact command that fixes it", but in {@code -o json} it carried a
 * parenthesised note or a second step ("tenantctl verify --org acme --fix   (creates what is missing)", "remove file:///…
 * from the store by hand: …   (then: tenantctl verify --deep --org acme)", "tenantctl rebalance plan   (then apply it…),
 * or: tenantctl pools add …"), which a tool piping the JSON cannot run. As next_step/next_note: {@code fix} is one
 * command that runs as pasted, or null; {@code fix_note} the rest. The table's "fix:" line is worded as before.
 */
class VerifyFixInJsonIsOneCommandTest {

    /** One command, pasteable as it is: no note, no alternative, no placeholder to fill in. */
    private static final String ONE_COMMAND = "^tenantctl [^()…]*$";

    @TempDir
    Path dir;

    @Test
    void everyFixInJsonIsOneCommandOrNullAndTheRestIsItsNote() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 5);
            String id = f.backup("acme"); // globex has none: backup_stale
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1"); // schema_missing, --fix builds it
            f.database("pool-0", "org_zz").getCollection("messages").insertOne(new Document("n", 1)); // orphan_database
            sql(f.catalogUrl, "update pools set capacity = 1 where pool_id = 'pool-0'"); // pool_over_capacity
            f.copyBackupByHand("acme", id); // a hand-copied backup folder

            Cli.Result r = f.cli.run("verify", "--deep", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            Map<String, JsonNode> byKind = new TreeMap<>();
            doc.get("findings").forEach(x -> byKind.put(x.get("kind").asText(), x));
            assertThat(byKind).containsKeys("schema_missing", "backup_stale", "orphan_database", "pool_over_capacity", "backup_corrupt");
            List<JsonNode> all = new ArrayList<>();
            doc.get("findings").forEach(all::add);
            doc.get("orgs").forEach(o -> o.path("findings").forEach(all::add)); // each org's line carries its findings too
            for (JsonNode x : all) {
                assertThat(x.has("fix_note")).as("fix_note beside fix: %s", x).isTrue();
                assertThat(x.has("fix_text")).as("%s", x).isFalse();
                if (!x.get("fix").isNull()) {
                    assertThat(x.get("fix").asText()).as("%s", x).matches(ONE_COMMAND).doesNotContain(" or ").doesNotContain(", then");
                }
            }

            assertOne(byKind.get("schema_missing"), "tenantctl verify --org acme --fix", "creates what is missing");
            assertOne(byKind.get("backup_stale"), "tenantctl backup --org globex", null);
            assertOne(byKind.get("orphan_database"), "tenantctl orgs adopt zz --pool pool-0 --database org_zz", "or drop it if it is nobody's");
            assertOne(byKind.get("pool_over_capacity"), "tenantctl rebalance plan", null);
            assertThat(byKind.get("pool_over_capacity").get("fix_note").asText()).contains("then apply it").contains("or: tenantctl pools add");
            // a hand first (a folder to remove from the store): no command, the whole way on in the note
            JsonNode corrupt = byKind.get("backup_corrupt");
            assertThat(corrupt.get("fix").isNull()).as("%s", corrupt).isTrue();
            assertThat(corrupt.get("fix_note").asText()).startsWith("remove file:").contains("20991231T235959Z-zzzzzz")
                    .contains("(then: tenantctl verify --deep --org acme)");

            // the table reads as it always has: the command and its note together
            Cli.Result text = f.cli.run("verify", "--deep");
            assertThat(text.out()).as(text.toString())
                    .contains("fix: tenantctl verify --org acme --fix   (creates what is missing)")
                    .contains("fix: tenantctl orgs adopt zz --pool pool-0 --database org_zz   (or drop it if it is nobody's)")
                    .contains("fix: tenantctl rebalance plan   (then apply it: it moves orgs off pools over capacity), or: tenantctl pools add …")
                    .contains("from the store by hand").contains("(then: tenantctl verify --deep --org acme)");

            // --fix's left_for_human: "ID KIND [ORG]: FIX", FIX its command alone (none when the fix is all note)
            JsonNode fixing = strictJson(f.cli.run("verify", "--fix", "-o", "json"));
            assertThat(fixing.get("left_for_human")).isNotEmpty();
            fixing.get("left_for_human").forEach(line -> {
                String[] parts = line.asText().split(": ", 2);
                if (parts.length == 2) {
                    assertThat(parts[1]).as("%s", line).matches(ONE_COMMAND);
                }
            });
            assertThat(fixing.get("left_for_human").toString()).contains("orphan_database: tenantctl orgs adopt zz --pool pool-0 --database org_zz\"");

            // an ack gives the finding's fix as verify made it: the command, and the rest as its note
            JsonNode acked = strictJson(ok(f.cli, "verify", "ack", byKind.get("orphan_database").get("finding_id").asText(), "--until", "1d",
                    "--reason", "looking", "-o", "json"));
            assertThat(acked.get("fix").asText()).as("%s", acked).isEqualTo("tenantctl orgs adopt zz --pool pool-0 --database org_zz");
            assertThat(acked.get("fix_note").asText()).isEqualTo("or drop it if it is nobody's");

            // and a fix runs as it is pasted: it clears its finding (the pool over capacity is still a problem: exit 4)
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1"); // what --fix built above, gone again
            JsonNode again = strictJson(f.cli.run("verify", "--org", "acme", "-o", "json"));
            String fix = findings(again, "schema_missing").get(0).get("fix").asText();
            Cli.Result pasted = f.cli.run(fix.substring("tenantctl ".length()).split(" "));
            assertThat(pasted.out()).as(pasted.toString()).contains("fixed: org acme: created 0 collections and 1 index");
            assertThat(findings(strictJson(f.cli.run("verify", "--org", "acme", "-o", "json")), "schema_missing")).isEmpty();
        }
    }

    private static void assertOne(JsonNode finding, String fix, String note) {
        assertThat(finding.get("fix").asText()).as("%s", finding).isEqualTo(fix);
        if (note != null) {
            assertThat(finding.get("fix_note").asText()).as("%s", finding).isEqualTo(note);
        }
    }
}
