package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (g): {@code backups list} promises "newest first per org", and the README's runbook for restoring one org is
 * "{@code backups list --org acme}, then {@code restore --org acme} (newest backup)". Since catalog version 9, "newest"
 * means by the catalog's clock ({@code recorded_at}): restore, prune and verify --deep all order that way, so a worker
 * whose clock was behind cannot make the backup taken last look old. {@code backups list} alone still orders by the
 * backup id, i.e. by that worker's clock (Backups.merge sorts ids in reverse): the backup restore would take is listed
 * last, and the one at the top of the list — what the operator reads as the newest — is not what restore takes.
 */
class BackupsListNewestFirstAsRestoreTakesItTest {

    @TempDir
    Path dir;

    @Test
    void theListsNewestIsTheBackupRestoreTakes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String first = f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "written last"));
            // taken last, by a worker whose clock is 3 days behind (a VM resumed from a snapshot)
            String last = PruneClockSkewTest.backupByAWorkerAt(f, "acme", Instant.now().minus(Duration.ofDays(3)));

            JsonNode restore = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            assertThat(restore.toString()).as("restore takes the backup taken last").contains(last).doesNotContain(first);

            JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            List<String> ids = new ArrayList<>();
            list.get("backups").forEach(b -> ids.add(b.get("backup_id").asText()));
            assertThat(ids).as("backups list, newest first: %s", list.toPrettyString()).containsExactly(last, first);

            String table = ok(f.cli, "backups", "list", "--org", "acme").out();
            assertThat(table.indexOf(last)).as("the table lists the backup restore takes first:%n%s", table)
                    .isLessThan(table.indexOf(first));
        }
    }
}
