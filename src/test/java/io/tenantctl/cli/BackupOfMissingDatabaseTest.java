package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docs audit: verify reports an org whose database is gone ({@code missing_database}) with the fix
 * {@code tenantctl restore --org ORG} "from its newest backup". But {@code backup} (and so the hourly
 * {@code backup --due} CronJob the README deploys) backs up a database that does not exist as a <em>complete</em> backup
 * of 0 collections, which becomes the org's newest backup: the fix then restores nothing, and retention ({@code keep
 * last N}, "newest complete backup always kept") goes on to prune the backups that hold the data.
 */
@Timeout(120)
class BackupOfMissingDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aBackupOfAnOrgWhoseDatabaseIsGoneIsNotRecordedComplete() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.db("acme").drop(); // the org's database is lost (a pool restored from an old snapshot, a mistaken dropDatabase)

            Cli.Result scheduled = f.cli.run("backup", "--org", "acme", "-o", "json");

            assertThat(scheduled.exitCode()).as("a backup of a database that does not exist must fail the org, not succeed: " + scheduled)
                    .isEqualTo(1);
            JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            assertThat(list.findValuesAsText("status").stream().filter("complete"::equals).count())
                    .as("only the backup that holds the data is complete: " + list.toPrettyString()).isEqualTo(1);
        }
    }

    @Test
    void restoringTheOrgAfterTheScheduledBackupRanBringsTheDataBack() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            f.backup("acme");
            f.db("acme").drop();
            f.cli.run("backup", "--org", "acme"); // the scheduled 'backup --due' once acme's tier frequency passed, or a manual one

            // README, On call, "Restore one org" (and verify's missing_database fix): restore from the newest backup
            Cli.Result restore = f.cli.run("restore", "--org", "acme");

            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(BackupFixture.contents(f.db("acme"))).as("acme's documents after 'tenantctl restore --org acme'").isEqualTo(before);
        }
    }

    /**
     * 3 a.m. audit: 'backup --org acme --dry-run' of an org whose database is gone planned it ('1 orgs would be backed up',
     * exit 0) where the backup fails it ('… has no collections (it does not exist): nothing to back up; …', exit 1). The
     * dry run of an org named with --org now says it as the run would, with the run's next step, and makes no database.
     */
    @Test
    void aDryRunOfANamedOrgWhoseDatabaseIsGoneSaysWhatTheBackupWould() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 3);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            f.backup("acme");
            f.db("acme").drop();

            Cli.Result dry = f.cli.run("backup", "--org", "acme,globex", "--dry-run", "-o", "json");

            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            JsonNode doc = strictJson(dry);
            assertThat(doc.get("orgs").get(0).get("outcome").asText()).as(dry.toString()).isEqualTo("failed");
            assertThat(doc.get("orgs").get(0).get("error").asText()).contains("database org_acme on pool pool-0 has no collections (it does not exist)");
            assertThat(doc.get("orgs").get(1).get("outcome").asText()).isEqualTo("planned");
            assertThat(doc.get("failed").get(0).get("next_step").asText()).isEqualTo("tenantctl restore --org acme");
            assertThat(f.databaseNames("pool-0")).as("the dry run made no database by looking").doesNotContain("org_acme");
            Cli.Result table = f.cli.run("backup", "--org", "acme", "--dry-run");
            assertThat(table.exitCode()).as(table.toString()).isEqualTo(1);
            assertThat(table.out()).contains("0 orgs would be backed up").contains("1 cannot be");
            assertThat(table.out()).as("its line says why").contains("has no collections (it does not exist)");

            ok(f.cli, "restore", "--org", "acme"); // the next step it named
            assertThat(BackupFixture.contents(f.db("acme"))).as("acme's documents, as backed up").isEqualTo(before);
        }
    }
}
