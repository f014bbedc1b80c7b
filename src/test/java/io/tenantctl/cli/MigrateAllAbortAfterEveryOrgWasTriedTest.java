package io.tenantctl.cli;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: a migrate-all aborted past --max-failures said "the rest were not touched" even
 * when every org it selected had already been tried — there was no rest. It says so only when some org was not started.
 */
class MigrateAllAbortAfterEveryOrgWasTriedTest {

    @Test
    void theAbortSaysTheRestWereNotTouchedOnlyWhenSomeOrgWasNotStarted(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            Cli cli = MigrateAllAbortedByAnExpiryRefusalTest.fleet(pools, dir, "a-exp", "b-ok");
            MigrateAllExpiryTest.fiveSessionsThreeExpired(direct.getDatabase("org_a_exp").getCollection("sessions"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllExpiryTest.V2_TTL);

            Cli.Result all = cli.run("migrate-all", "--schema", v2.toString(), "--org", "a-exp", "--max-failures", "0");
            assertThat(all.exitCode()).as(all.toString()).isEqualTo(1);
            assertThat(all.err()).as("its one org was tried: %s", all).contains("aborted: more orgs failed than --max-failures allows (0)")
                    .doesNotContain("the rest were not touched");

            Cli.Result some = cli.run("migrate-all", "--schema", v2.toString(), "--max-failures", "0", "--per-pool", "1");
            assertThat(some.exitCode()).as(some.toString()).isEqualTo(1);
            assertThat(some.err()).as("b-ok was not started: %s", some).contains("the rest were not touched");
        }
    }
}
