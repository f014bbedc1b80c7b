package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention never deletes an org's newest complete backup (not even with --keep-last 0) nor one in progress; incomplete
 * backups go only after the grace period; --dry-run deletes nothing.
 */
class BackupsPruneTest {

    @TempDir
    Path dir;

    @Test
    void pruneKeepsTheNewestCompleteAndInProgressBackupsAndRespectsTheGracePeriod() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String b1 = f.backup("acme");
            String b2 = f.backup("acme");
            String b3 = f.backup("acme");
            // another process is writing a backup right now: recorded as running, files but no manifest yet
            String running = BackupIds.newId(Clock.systemUTC(), new Random());
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                new BackupRepository(catalog).start(running, "acme", "test", "pool-0", "org_acme", Instant.now(), null, null);
            }
            partialFiles(f, running);
            String oldIncomplete = "20200101T000000Z-oldinc";
            partialFiles(f, oldIncomplete); // killed long ago, never recorded
            String youngIncomplete = BackupIds.newId(Clock.systemUTC(), new Random());
            partialFiles(f, youngIncomplete); // killed a moment ago

            assertThat(statuses(f)).containsEntry(b1, "complete").containsEntry(b2, "complete").containsEntry(b3, "complete")
                    .containsEntry(running, "running").containsEntry(oldIncomplete, "incomplete").containsEntry(youngIncomplete, "incomplete");

            // tier defaults (free: keep_last 2, 14 days of dailies): only the oldest complete one goes
            assertThat(actions(strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--dry-run", "-o", "json"))))
                    .containsEntry(b1, "would_delete").containsEntry(b2, "keep").containsEntry(b3, "keep").containsEntry(running, "keep")
                    .containsEntry(oldIncomplete, "would_delete").containsEntry(youngIncomplete, "keep");
            assertThat(statuses(f)).as("dry run deletes nothing").hasSize(6);

            JsonNode pruned = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "0", "--keep-daily", "0",
                    "-o", "json"));
            assertThat(actions(pruned)).containsEntry(b1, "delete").containsEntry(b2, "delete").containsEntry(b3, "keep")
                    .containsEntry(running, "keep").containsEntry(oldIncomplete, "delete").containsEntry(youngIncomplete, "keep");
            assertThat(statuses(f)).containsOnlyKeys(b3, running, youngIncomplete);
            assertThat(f.storeDir.resolve("acme").resolve(b1)).doesNotExist();
            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            assertThat(plan.get("backup_id").asText()).as("the newest complete backup is still restorable").isEqualTo(b3);

            JsonNode noGrace = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "0", "--grace-hours", "0",
                    "-o", "json"));
            assertThat(actions(noGrace)).containsEntry(b3, "keep").containsEntry(running, "keep").containsEntry(youngIncomplete, "delete");
            assertThat(statuses(f)).containsOnlyKeys(b3, running);
            f.assertClean("acme");
        }
    }

    @Test
    void aBackupWhoseWorkerWasKilledIsIncompleteOnceItsLeaseExpiresNotADayLater() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String kept = f.backup("acme");
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();
            // a worker claimed acme and started writing its backup
            String taking = BackupIds.newId(Clock.systemUTC(), new Random());
            try (Catalog catalog = Catalog.open(f.catalogUrl); java.sql.Connection c = java.sql.DriverManager.getConnection(f.catalogUrl);
                 java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("update run_items set status = 'running', claimed_by = 'worker-3/77/x', lease_until = now() + interval '1 minute' "
                        + "where run_id = '" + runId + "'");
                new BackupRepository(catalog).start(taking, "acme", "test", "pool-0", "org_acme", Instant.now(), null, runId);
                partialFiles(f, taking);
                assertThat(statuses(f)).containsEntry(taking, "running");
                assertThat(actions(strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--grace-hours", "0", "--dry-run", "-o", "json"))))
                        .containsEntry(taking, "keep");

                // the worker is killed (SIGKILL, node lost); a minute later its claim has expired
                s.executeUpdate("update run_items set lease_until = now() - interval '1 second' where run_id = '" + runId + "'");
            }
            assertThat(statuses(f)).as("not 'running' for a day").containsEntry(taking, "incomplete").containsEntry(kept, "complete");
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            listed.get("backups").forEach(b -> {
                if (b.get("backup_id").asText().equals(taking)) {
                    assertThat(b.get("error").asText()).contains("abandoned").contains(runId);
                }
            });
            assertThat(actions(strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--grace-hours", "0", "-o", "json"))))
                    .containsEntry(taking, "delete").containsEntry(kept, "keep");
            assertThat(statuses(f)).containsOnlyKeys(kept);
            f.assertClean("acme");
        }
    }

    @Test
    void listAndPruneTakeSeveralOrgsLikeEveryVerbThatSelectsOrgs() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            String acme = f.backup("acme");
            String globex = f.backup("globex");
            f.backup("initech");
            for (String[] orgs : new String[][]{{"--org", "acme,globex"}, {"--org", "acme", "--org", "globex"}}) {
                JsonNode listed = strictJson(ok(f.cli, concat(new String[]{"backups", "list", "-o", "json"}, orgs)));
                Map<String, String> byId = new LinkedHashMap<>();
                listed.get("backups").forEach(b -> byId.put(b.get("backup_id").asText(), b.get("org_id").asText()));
                assertThat(byId).as(String.join(" ", orgs)).containsOnly(Map.entry(acme, "acme"), Map.entry(globex, "globex"));

                JsonNode pruned = strictJson(ok(f.cli, concat(new String[]{"backups", "prune", "--dry-run", "-o", "json"}, orgs)));
                assertThat(pruned.get("decisions")).extracting(d -> d.get("org_id").asText()).containsExactlyInAnyOrder("acme", "globex");
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void partialFiles(BackupFixture f, String backupId) throws Exception {
        Path d = Files.createDirectories(f.storeDir.resolve("acme").resolve(backupId));
        Files.writeString(d.resolve("notes.ndjson"), "{\"_id\": 1}\n");
    }

    private static Map<String, String> statuses(BackupFixture f) {
        Map<String, String> out = new LinkedHashMap<>();
        strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")
                .forEach(e -> out.put(e.get("backup_id").asText(), e.get("status").asText()));
        return out;
    }

    private static Map<String, String> actions(JsonNode prune) {
        Map<String, String> out = new LinkedHashMap<>();
        prune.get("decisions").forEach(d -> out.put(d.get("backup_id").asText(), d.get("action").asText()));
        return out;
    }
}
