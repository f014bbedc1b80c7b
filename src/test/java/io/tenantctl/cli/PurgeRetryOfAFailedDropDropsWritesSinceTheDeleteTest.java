package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README (orgs purge): a deleting org's database written since its delete checked it "is kept (exit 1, written since its
 * delete ...)" — those writes are in no backup; and "a drop that failed stays in retired_databases and the next purge (or
 * rebalance gc) retries it". The retry must not be a back door around that check: a write that reaches the database
 * between a failed drop and the retry is in no backup either.
 */
class PurgeRetryOfAFailedDropDropsWritesSinceTheDeleteTest {

    @TempDir
    Path dir;

    @Test
    void aPurgeRetryingAFailedDropKeepsADatabaseWrittenSinceTheDelete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme"); // final backup taken, fingerprint recorded
            sql(f, "update orgs set deleted_at = now() - interval '40 days' where org_id = 'acme'");

            // the first purge hands the org over but its drop fails (a pool hiccup)
            Cli dropFails = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_acme")
                    ? HookedPools.failing(db, "drop", 1, "pool hiccup (test)") : db));
            Cli.Result first = dropFails.run("orgs", "purge", "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            assertThat(strictJson(first).get("orgs").get(0).get("action").asText()).isEqualTo("failed");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            // meanwhile a client with a stale connection string writes into it: these documents are in no backup
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", "late").append("text", "written after the delete"));

            JsonNode retry = strictJson(f.cli.run("orgs", "purge", "-o", "json"));

            assertThat(f.databaseNames("pool-0")).as("a database written since its delete is kept, as on the first purge: " + retry)
                    .contains("org_acme");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments(new Document("_id", "late"))).isEqualTo(1);
            assertThat(retry.get("orgs").get(0).get("action").asText()).isEqualTo("kept");
            assertThat(retry.get("orgs").get(0).get("detail").asText()).contains("written since its delete").contains("notes");
        }
    }

    private static void sql(BackupFixture f, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
