package io.tenantctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a catalog restored from an older dump, the store holds backups the catalog does not record, and restore (with no
 * --backup) takes the newest of both as retention orders them: a recorded one by when the catalog recorded it, one only
 * the store has by when it started. That start was read from its id, which holds only the second: a store-only backup
 * taken later in the same second as a recorded one sorted before it, and restore took the older backup, losing what
 * the newer one holds. Its manifest says when it started, to the millisecond.
 */
class AStoreOnlyBackupInTheSecondOfARecordedOneTest {

    @TempDir
    Path dir;

    @Test
    void restoreTakesTheStoreOnlyBackupThatStartedLaterInThatSecond() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            String older = f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new org.bson.Document("_id", 99).append("text", "written after the older backup"));
            Map<String, List<RawBsonDocument>> newerHolds = BackupFixture.contents(f.db("acme"));
            String newer = f.backup("acme");
            Instant newerStarted = Instant.parse(new ObjectMapper().readTree(Files.readString(f.files("acme", newer).get("manifest.json")))
                    .get("startedAt").asText());
            org.junit.jupiter.api.Assumptions.assumeTrue(newerStarted.getNano() >= 2_000_000, "the newer backup started late enough in its second");
            // the catalog from before the newer backup, and the older one recorded in that second, before the newer started
            TestCatalog.execute(f.catalogUrl, "delete from backups where backup_id = '" + newer + "'");
            Instant recorded = newerStarted.truncatedTo(ChronoUnit.SECONDS).plusNanos(newerStarted.getNano() / 2);
            TestCatalog.execute(f.catalogUrl, "update backups set recorded_at = '" + recorded + "' where backup_id = '" + older + "'");
            f.db("acme").getCollection("notes").deleteMany(new org.bson.Document());

            Cli.Result r = f.cli.run("restore", "--org", "acme");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out() + r.err()).as(r.toString()).contains(newer);
            f.assertHolds("acme", newerHolds);
        }
    }
}
