package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a verify shared by workers ({@code verify --fix --detach}, then {@code verify --join RUN} on each
 * worker, as README "Scaling out" runs every fan-out verb) records its {@code --fix} with the run (Verify.Args: "a joiner
 * of a --fix --dry-run run only verifies") — but a joined worker never reads it back: it fixes only when it was itself
 * given --fix. The workers, started with the command the detach printed ("start workers with: tenantctl verify --join
 * RUN"), only look; the org's missing index is not created, and the run the operator started as a --fix reports it left
 * for a human.
 */
class VerifyFixJoinedTest {

    @TempDir
    Path dir;

    @Test
    void workersJoiningAVerifyFixRunApplyItsFixes() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.provisionTier("free", "pool-1", "initech");
            Stream.of("acme", "globex", "initech").forEach(f::backup);
            f.db("acme").getCollection("users").dropIndex("email_1");

            Cli.Result detached = ok(f.cli, "verify", "--fix", "--detach");
            String printed = detached.out();
            String runId = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(printed).contains("start workers with: tenantctl verify --join " + runId);

            // two workers, each started exactly as the detach said
            ok(f.cli, "verify", "--join", runId);
            ok(f.cli, "verify", "--join", runId);

            assertThat(indexNames(f, "acme")).as("acme's users indexes after the workers of a 'verify --fix' run")
                    .contains("email_1");
            Cli.Result resumed = f.cli.run("verify", "--resume", runId, "-o", "json");
            JsonNode doc = strictJson(resumed);
            assertThat(doc.get("findings").toString()).doesNotContain("schema_missing");
        }
    }

    private static List<String> indexNames(BackupFixture f, String org) {
        List<String> names = new ArrayList<>();
        for (BsonDocument d : f.db(org).getCollection("users").listIndexes(BsonDocument.class)) {
            names.add(d.getString("name").getValue());
        }
        return names;
    }
}
