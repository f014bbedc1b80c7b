package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: when every org a dry run selected would fail (a pre-flight refuses it, nothing is written to it), the
 * summary said "would replace 0 (users.by_tenant (was tenant_1))": the count left the failing orgs out, the names did
 * not. Both leave them out now.
 */
class MigrateAllDryRunSummaryOfFailingOrgsTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void theSummaryNamesOnlyWhatTheOrgsThatWouldNotFailWouldChange(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", MigrateAllFixture.V1), "acme");
        for (int i = 0; i < 2; i++) { // one key twice under the new unique index: the org would fail
            fleet.db("acme").getCollection("users").insertOne(new Document("email", "a@acme.test").append("tenant", "t1"));
        }
        Path v2 = write(dir, "v2.json", """
                {"collections": [
                  {"name": "users", "indexes": [
                    {"name": "email_1", "key": {"email": 1}},
                    {"name": "by_tenant", "key": {"tenant": 1}},
                    {"name": "email_tenant", "key": {"email": 1, "tenant": 1}, "unique": true}
                  ], "drop": ["tenant_1"]},
                  {"name": "messages", "indexes": [{"name": "conv_1", "key": {"conversationId": 1}}]}
                ]}
                """);

        Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
        assertThat(dry.out()).as(dry.toString()).contains("1 would fail").contains("would replace 0 and drop 0 indexes;")
                .doesNotContain("was tenant_1");
    }
}
