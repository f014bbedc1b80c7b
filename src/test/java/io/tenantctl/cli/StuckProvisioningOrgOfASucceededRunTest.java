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
 * An org left provisioning (by hand, or by a worker that died after its run was over) whose provision run already
 * succeeded: 'provision --resume RUN' only reprints that run's summary, the org still provisioning. verify's fix, and
 * the next step orgs show gives once verify --fix marked it failed, must be a command that finishes it when pasted.
 */
@Timeout(90)
class StuckProvisioningOrgOfASucceededRunTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void theFixOfAnOrgWhoseRunEndedFinishesIt() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        ok(cli, "provision", "x1");
        String stuck = "update orgs set status = 'provisioning', updated_at = now() - interval '2 hours' where org_id = 'x1'";
        sql(url, stuck);

        Cli.Result v = cli.run("verify", "--org", "x1", "-o", "json");
        String fix = null;
        for (JsonNode f : strictJson(v).get("findings")) {
            if (f.get("kind").asText().equals("org_stuck")) {
                fix = f.get("fix").asText();
            }
        }
        assertThat(fix).as("verify reports x1 stuck: %s", v).isNotNull();
        Cli.Result followed = cli.run(OnCallNextStepsTest.command(fix));
        assertThat(followed.exitCode()).as("verify's fix '%s' pasted: %s", fix, followed).isZero();
        assertThat(strictJson(ok(cli, "orgs", "show", "x1", "-o", "json")).get("status").asText())
                .as("verify's fix '%s' finishes x1: %s", fix, followed).isEqualTo("active");

        sql(url, stuck);
        Cli.Result fixed = ok(cli, "verify", "--org", "x1", "--fix");
        String next = strictJson(ok(cli, "orgs", "show", "x1", "-o", "json")).get("next").asText();
        assertThat(fixed.out()).as("verify --fix names what finishes it").contains(OnCallNextStepsTest.command(next)[0]);
        Cli.Result pasted = cli.run(OnCallNextStepsTest.command(next));
        assertThat(pasted.exitCode()).as("orgs show's next '%s' pasted: %s", next, pasted).isZero();
        assertThat(strictJson(ok(cli, "orgs", "show", "x1", "-o", "json")).get("status").asText())
                .as("orgs show's next '%s' finishes x1: %s", next, pasted).isEqualTo("active");
    }
}
