package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Date;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * FerretDB enforces TTL indexes (a pg_cron job each minute, FERRETDB.md); the stand-in pools never do. A deleting org's
 * database keeps its TTL indexes, so over the 30 days before purge the pool deletes its sessions and tokens as they
 * expire — and purge, comparing the database with the fingerprint its delete recorded, called that "written since its
 * delete" and kept it (exit 1) for every org with documents that expire, leaving --drop-changed, which drops real writes
 * too, as the only way. Found by a probing helper. A document a TTL index will delete by itself (its field holds a date,
 * within the index's filter) is not what the check guards: a late write of any other is still found.
 */
class PurgeOfAnOrgWhoseExpiredDocumentsThePoolDeletedTest {

    @TempDir
    Path dir;

    /** acme with notes, and sessions that its TTL index expires: one an hour from now, one tomorrow. */
    private static MongoDatabase acme(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 5);
        MongoDatabase db = f.db("acme");
        long now = System.currentTimeMillis();
        db.getCollection("sessions").insertMany(List.of(
                new Document("_id", "s1").append("expiration", new Date(now + 3_600_000)),
                new Document("_id", "s2").append("expiration", new Date(now + 86_400_000))));
        db.runCommand(new Document("createIndexes", "sessions").append("indexes", List.of(new Document("key",
                new Document("expiration", 1)).append("name", "expiration_1").append("expireAfterSeconds", 0))));
        return db;
    }

    @Test
    void whatThePoolExpiredSinceTheDeleteIsNotAWriteAndPurgeDropsTheDatabase() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            MongoDatabase db = acme(f);
            ok(f.cli, "orgs", "delete", "acme", "-o", "json");

            // an hour later the pool's TTL job has deleted s1, as FerretDB's does
            db.getCollection("sessions").deleteOne(new Document("_id", "s1"));

            Cli.Result purged = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(purged.exitCode()).as(purged.toString()).isZero();
            JsonNode item = strictJson(purged).get("orgs").get(0);
            assertThat(item.get("action").asText()).as(purged.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }

    @Test
    void aLateWriteIsStillFoundBesideWhatThePoolExpired() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            MongoDatabase db = acme(f);
            ok(f.cli, "orgs", "delete", "acme", "-o", "json");
            db.getCollection("sessions").deleteOne(new Document("_id", "s1"));
            db.getCollection("sessions").insertOne(new Document("_id", "s9").append("user", "late")); // no expiry: it lasts
            db.getCollection("notes").insertOne(new Document("_id", 99).append("text", "late order"));

            Cli.Result purged = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(purged.exitCode()).as(purged.toString()).isEqualTo(1);
            JsonNode item = strictJson(purged).get("orgs").get(0);
            assertThat(item.get("action").asText()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains("written since its delete (collections notes, sessions)");
        }
    }

    /** A delete by an older tenantctl recorded a fingerprint of every document (no mark): it is compared as it was taken. */
    @Test
    void aFingerprintAnOlderVersionRecordedIsComparedWithEveryDocument() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            MongoDatabase db = acme(f);
            ok(f.cli, "orgs", "delete", "acme", "-o", "json");
            // as an older tenantctl recorded it: the same fingerprint, of all documents (s1 and s2 included), unmarked
            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "update orgs set deleted_fingerprint = cast('"
                    + io.tenantctl.ops.Fingerprints.of(db).toJson() + "' as jsonb) where org_id = 'acme'");
            db.getCollection("sessions").deleteOne(new Document("_id", "s1"));

            Cli.Result purged = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(purged.exitCode()).as(purged.toString()).isEqualTo(1);
            assertThat(strictJson(purged).get("orgs").get(0).get("detail").asText()).contains("written since its delete (collections sessions)");
        }
    }
}
