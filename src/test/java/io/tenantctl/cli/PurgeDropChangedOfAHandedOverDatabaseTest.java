package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deleted org's database an earlier purge handed over but could not drop, written since by a stale client, is kept
 * by the next purge, whose detail names the way on once the writes are saved: 'tenantctl orgs purge --older-than 30d
 * --drop-changed ORG'. That command was refused (exit 2, "no org of that id is deleting"): the org is deleted now, not
 * deleting. It drops the database, as the detail says.
 */
class PurgeDropChangedOfAHandedOverDatabaseTest {

    @Test
    void theCommandAKeptHandedOverDatabaseNamesDropsIt(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.handedOverByAPurgeThatDidNotDrop("acme");
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", "late order"));

            Cli.Result kept = f.cli.run("orgs", "purge");
            assertThat(kept.exitCode()).as(kept.toString()).isEqualTo(1);
            String named = "tenantctl orgs purge --older-than 30d --drop-changed acme";
            assertThat(kept.out()).contains("written since its delete").contains(named);
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            Cli.Result dropped = f.cli.run(named.substring("tenantctl ".length()).split(" "));
            assertThat(dropped.exitCode()).as("the command it named: %s", dropped).isZero();
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }
}
