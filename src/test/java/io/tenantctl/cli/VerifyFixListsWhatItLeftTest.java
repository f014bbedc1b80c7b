package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: 'verify --fix' promises (its help, README) to list what it left for a human; only -o json did
 * ({@code left_for_human}). The text output ends with the same list.
 */
class VerifyFixListsWhatItLeftTest {

    @TempDir
    Path dir;

    @Test
    void theTextOutputListsWhatFixLeftForAHuman() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.database("pool-0", "org_zz").getCollection("messages").insertOne(new Document("n", 1)); // nobody's: adopt or drop, a human's call

            Cli.Result json = f.cli.run("verify", "--fix", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode left = strictJson(json).get("left_for_human");
            assertThat(left).hasSize(1);
            String id = left.get(0).asText().split(" ")[0];

            Cli.Result text = f.cli.run("verify", "--fix");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).as(text.toString()).contains("left for a human (1): " + id + " orphan_database");
        }
    }
}
