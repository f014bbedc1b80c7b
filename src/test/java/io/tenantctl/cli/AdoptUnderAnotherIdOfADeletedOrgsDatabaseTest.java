package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After {@code orgs purge}, a client with a stale connection string writes to org_acme again and the database is back
 * on the pool, holding data no backup has. {@code orgs adopt acme} refuses (the id is not reused) and says what to do:
 * "a deleted org's id is not reused: adopt the database under another id". Followed, that adopt is refused too —
 * "database org_acme already belongs to org 'acme'" — because the deleted org's row (whose database purge dropped) still
 * claims the name. The hint does not work, and nothing else registers, backs up or drops that data.
 */
class AdoptUnderAnotherIdOfADeletedOrgsDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void adoptUnderAnotherIdAsTheRefusalSaysRegistersTheDatabase() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            // a stale client writes again: the database is back, with data in no backup
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", 1).append("text", "after the purge"));

            Cli.Result refused = f.cli.run("orgs", "adopt", "acme", "--pool", "pool-0", "-o", "json");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            String error = strictJson(refused).get("orgs").get(0).get("error").asText();
            assertThat(error).contains("adopt the database under another id");

            // followed: the same database, under another id
            Cli.Result followed = f.cli.run("orgs", "adopt", "acme-revived", "--pool", "pool-0", "--database", "org_acme", "-o", "json");

            assertThat(followed.exitCode()).as("the refusal's advice, followed: %s", followed).isZero();
            JsonNode revived = f.org("acme-revived");
            assertThat(revived.get("database_name").asText()).isEqualTo("org_acme");
            assertThat(revived.get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme-revived").getCollection("notes").countDocuments()).isEqualTo(1);
        }
    }
}
