package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found verify's {@code orphan_database} findings offering {@code orgs adopt alpha --pool pool-1 …} and
 * {@code orgs adopt alpha --pool pool-2 …} together, for two orphan databases that would both take the id alpha: once the
 * first is pasted the second can only be refused. Since the catalog-lost drill, neither is a command: one name on two
 * servers is most likely one org's two copies, and the first offered may be a move's stale source; each note names the
 * other copy, to compare them and adopt the live one.
 */
class VerifyOfTwoOrphansThatWouldTakeOneIdTest {

    @TempDir
    Path dir;

    @Test
    void theSecondOrphanThatWouldTakeAnOfferedIdSaysSo() {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme");
            f.database("pool-1", "org_alpha").getCollection("notes").insertOne(new Document("n", 1));
            f.database("pool-2", "org_alpha").getCollection("notes").insertOne(new Document("n", 2));

            Cli.Result r = f.cli.run("verify", "-o", "json");
            List<JsonNode> orphans = findings(strictJson(r), "orphan_database");
            assertThat(orphans).as(r.toString()).hasSize(2);
            // one name no org owns on two servers is most likely one org's two copies (a move's source and target, the
            // catalog that knew which is live lost): neither is a command to paste, each names the other (the drill's finding)
            for (int i = 0; i < 2; i++) {
                JsonNode orphan = orphans.get(i);
                String other = orphans.get(1 - i).get("pool_id").asText();
                assertThat(orphan.get("fix").isNull()).as("no command to paste as it is: %s", orphan).isTrue();
                assertThat(orphan.get("fix_note").asText()).as(r.toString())
                        .startsWith("org_alpha is on pool " + other + " too, no org's there either")
                        .endsWith("tenantctl orgs adopt alpha --pool POOL --database org_alpha");
            }
        }
    }
}
