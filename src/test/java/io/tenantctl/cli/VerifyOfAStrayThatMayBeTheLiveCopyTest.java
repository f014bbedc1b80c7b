package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the catalog-from-an-old-dump drill: acme moved from pool-0 to pool-1 after the dump (its source kept until
 * gc); the catalog restored from the dump still points at pool-0's stale source, and verify called the live copy on
 * pool-1 a stray whose only way on was "compare it with the org's data; once it is not needed, drop it". A copy under
 * the org's own name on another pool may be the live one when the catalog is older than the org's last move: the fix
 * says so, and how the org is pointed at it.
 */
class VerifyOfAStrayThatMayBeTheLiveCopyTest {

    @TempDir
    Path dir;

    @Test
    void aCopyUnderTheOrgsNameOnAnotherPoolIsNotJustToBeDropped() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.database("pool-1", "org_acme").getCollection("notes").insertOne(new Document("_id", 99));

            JsonNode v = strictJson(f.cli.run("verify", "-o", "json"));
            JsonNode stray = null;
            for (JsonNode x : v.get("findings")) {
                if (x.get("kind").asText().equals("stray_copy")) {
                    stray = x;
                }
            }
            assertThat(stray).as("%s", v).isNotNull();
            assertThat(stray.get("fix_note").asText()).as("%s", stray)
                    .contains("may be the org's live database")
                    .contains("tenantctl orgs adopt acme --pool pool-1");
        }
    }
}
