package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * As {@link VerifyOrphanFixRunsAsPastedTest}, for the org whose own database is gone while a copy of that name is on
 * another pool: verify's missing_database fix adopts the copy with {@code --database NAME}, and a name with a quote in it
 * (adopted as it was, a pool allows it) was printed bare, so the fix pasted left bash waiting for the closing quote.
 */
class MissingDatabaseFixRunsAsPastedTest {

    @TempDir
    Path dir;

    @Test
    void theAdoptOfTheCopyAsPastedNamesThatDatabase() throws Exception {
        String name = "org_q'x";
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.database("pool-0", name).getCollection("notes").insertOne(new Document("_id", 1));
            ok(f.cli, "orgs", "adopt", "qx", "--pool", "pool-0", "--database", name);
            f.database("pool-1", name).getCollection("notes").insertOne(new Document("_id", 1)); // the copy
            f.database("pool-0", name).drop();

            List<JsonNode> missing = findings(strictJson(f.cli.run("verify", "-o", "json")), "missing_database");
            assertThat(missing).hasSize(1);
            String fix = missing.get(0).path("fix").asText();
            String[] pasted = AnotherStoreNamedInAFixRunsAsPastedTest.asBashReadsIt(fix.split(" {3}\\(")[0].trim());
            assertThat(pasted).as("bash refuses %s", fix).containsExactly("orgs", "adopt", "qx", "--pool", "pool-1", "--database", name);
            ok(f.cli, pasted);
            assertThat(f.org("qx").path("pool_id").asText()).isEqualTo("pool-1");
        }
    }
}
