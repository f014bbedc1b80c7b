package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org left moving with no move of it recorded (an older tenantctl, a hand edit): verify said 'rebalance resume',
 * which found no unfinished move; orgs show gave no next step; orgs resume and rebalance move refused it. The way out
 * verify and orgs show name must put it back, pasted: its database is where its pool says, so it is active there.
 */
@Timeout(90)
class AnOrgMovingWithNoMoveTest {

    private final TestPools pools = new TestPools(2);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void verifysFixPutsItBackOnItsPool() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
        ok(cli, "provision", "x2");
        sql(url, "update orgs set status = 'moving', updated_at = now() - interval '2 hours' where org_id = 'x2'");

        String next = strictJson(ok(cli, "orgs", "show", "x2", "-o", "json")).path("next").asText(null);
        assertThat(next).as("orgs show names a way out").isNotNull();
        Cli.Result v = cli.run("verify", "--org", "x2", "-o", "json");
        String fix = null;
        for (JsonNode f : strictJson(v).get("findings")) {
            if (f.get("kind").asText().equals("org_stuck")) {
                fix = f.get("fix").asText();
            }
        }
        assertThat(fix).as("verify reports x2 stuck: %s", v).isNotNull();
        assertThat(OnCallNextStepsTest.command(next)).as("orgs show and verify name the same way out").isEqualTo(OnCallNextStepsTest.command(fix));

        Cli.Result followed = cli.run(OnCallNextStepsTest.command(fix));
        assertThat(followed.exitCode()).as("verify's fix '%s' pasted: %s", fix, followed).isZero();
        assertThat(followed.out()).as("says what it did").contains("x2");
        JsonNode x2 = strictJson(ok(cli, "orgs", "show", "x2", "-o", "json"));
        assertThat(x2.get("status").asText()).as("after '%s': %s", fix, followed).isEqualTo("active");
        assertThat(x2.get("pool_id").asText()).isEqualTo("pool-1");
        ok(cli, "rebalance", "move", "x2", "--to", "pool-2", "--freeze-grace", "0");
    }
}
