package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a pool may hold a database named like one of tenantctl's flags ({@code -v}); adopt takes
 * it from a {@code --file}, but verify's fix {@code tenantctl orgs adopt ORG --pool P --database -v}, pasted, failed
 * with exit 2 "Expected parameter for option '--database' but found '-v'" (and so did {@code --database=-v}). adopt now
 * takes an option's value as given even when it looks like a flag, so the printed fix runs.
 */
class AdoptOfADatabaseNamedLikeAFlagTest {

    @TempDir
    Path dir;

    @Test
    void verifysAdoptFixForADatabaseNamedDashVRunsAsPrinted() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.database("pool-0", "-v").getCollection("notes").insertOne(new Document("_id", 1));
            ok(f.cli, "orgs", "adopt", "--file", java.nio.file.Files.writeString(dir.resolve("adopt.txt"), "vv -v\n").toString(),
                    "--pool", "pool-0");
            // its database is on pool-1 now (copied there by hand), gone from pool-0: verify's fix points the org at it
            f.database("pool-1", "-v").getCollection("notes").insertOne(new Document("_id", 1));
            f.database("pool-0", "-v").drop();

            JsonNode missing = findings(strictJson(f.cli.run("verify", "-o", "json")), "missing_database").get(0);
            String fix = missing.get("fix").asText();
            assertThat(fix).startsWith("tenantctl orgs adopt vv --pool pool-1 --database");

            Cli.Result pasted = f.cli.run(fix.substring("tenantctl ".length()).split(" "));
            assertThat(pasted.exitCode()).as(pasted.toString()).isZero();
            JsonNode vv = strictJson(ok(f.cli, "orgs", "show", "vv", "-o", "json"));
            assertThat(vv.get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(vv.get("database_name").asText()).isEqualTo("-v");

            // and written with '=' too
            f.database("pool-0", "-q").getCollection("notes").insertOne(new Document("_id", 1));
            ok(f.cli, "orgs", "adopt", "qq", "--pool", "pool-0", "--database=-q");
            assertThat(strictJson(ok(f.cli, "orgs", "show", "qq", "-o", "json")).get("database_name").asText()).isEqualTo("-q");
        }
    }
}
