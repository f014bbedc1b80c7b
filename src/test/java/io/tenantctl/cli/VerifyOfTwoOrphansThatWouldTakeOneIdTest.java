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
 * first is pasted the second can only be refused. The first keeps its command; the second's fix is a note naming the
 * clash, its adopt with the id to choose (ORG).
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
            JsonNode first = orphans.get(0);
            JsonNode second = orphans.get(1);
            String firstPool = first.get("pool_id").asText();
            assertThat(first.get("fix").asText()).as(r.toString())
                    .isEqualTo("tenantctl orgs adopt alpha --pool " + firstPool + " --database org_alpha");
            assertThat(second.get("fix").isNull()).as("the second is no command to paste as it is: %s", second).isTrue();
            assertThat(second.get("fix_note").asText()).as(r.toString())
                    .startsWith("tenantctl orgs adopt ORG --pool " + second.get("pool_id").asText() + " --database org_alpha")
                    .contains("alpha is the id offered to org_alpha on pool " + firstPool);
        }
    }
}
