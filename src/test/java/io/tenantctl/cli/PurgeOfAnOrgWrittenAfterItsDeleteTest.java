package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code orgs delete} fingerprints the frozen database before and after its final backup, but
 * nothing looks at the database again before {@code orgs purge} drops it. A client whose cached routing still said
 * writable (the very case the fingerprints are for, and the one {@code rebalance gc} guards a retained move source
 * against) writes to a deleting org after the delete returned: that write is in no backup, and purge drops the database
 * without a word, exit 0. The README promises "nothing written after the final backup can be lost". Purge must notice
 * (keep the database, or back it up again first) so the write can still be found.
 */
class PurgeOfAnOrgWrittenAfterItsDeleteTest {

    @TempDir
    Path dir;

    @Test
    void aWriteMadeToADeletingOrgIsNotDroppedWithoutABackupHoldingIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "keeper");
            f.notes("acme", "notes", 5);
            JsonNode deleted = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json"));
            assertThat(deleted.get("status").asText()).isEqualTo("deleting");

            // a client still routing to acme by its cache writes once more, after the final backup and its check
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", 99).append("text", "late order"));

            Cli.Result purged = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(purged.exitCode()).as(purged.toString()).isEqualTo(1);
            JsonNode item = strictJson(purged).get("orgs").get(0);
            assertThat(item.get("action").asText()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains("written since its delete (collections notes)")
                    .contains("tenantctl orgs purge --older-than 0d --drop-changed acme");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments(new Document("_id", 99)))
                    .as("the late write is still where it was written").isEqualTo(1);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");

            // the operator saved what they needed, then follows the hint
            String hint = item.get("detail").asText().replaceAll(".*'(tenantctl orgs purge [^']*)'.*", "$1");
            ok(f.cli, (hint.substring("tenantctl ".length()) + " -o json").split(" "));
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");

            // found by a probing helper: the stale client writes once more after the purge, which recreates the database;
            // verify said "clean" (the deleted org's pointer still explained it): what it holds is nobody's and in no backup
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", 100).append("text", "later still"));
            Cli.Result verified = f.cli.run("verify", "-o", "json");
            assertThat(verified.exitCode()).as(verified.toString()).isEqualTo(4);
            assertThat(CliFixture.findings(strictJson(verified), "orphan_database")).as(verified.toString()).singleElement()
                    .satisfies(x -> {
                        assertThat(x.get("fix").isNull()).as("ORG is a value to choose: no command to paste").isTrue();
                        assertThat(x.get("fix_note").asText()).startsWith("tenantctl orgs adopt ORG --pool pool-0 --database org_acme");
                    });
        }
    }
}
