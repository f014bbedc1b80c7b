package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.OnCallNextStepsTest.command;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e: {@code pool_over_capacity}'s fix is {@code tenantctl rebalance plan --pool P (then apply it)}. But
 * {@code rebalance plan --pool} means "only these pools, as sources and targets": with the over-full pool alone in scope
 * there is nowhere to move its orgs, so the plan followed literally has no move, while another pool has plenty of room.
 */
@Timeout(120)
class VerifyOverCapacityFixTest {

    @TempDir
    Path dir;

    @Test
    void theOverCapacityFixPlansMovesOffThePool() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex", "initech");
            for (String org : List.of("acme", "globex", "initech")) {
                f.backup(org);
            }
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.execute("update pools set capacity = 1 where pool_id = 'pool-0'"); // lowered: the pool's PostgreSQL is struggling
            }

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = null;
            for (JsonNode x : strictJson(v).get("findings")) {
                if (x.get("kind").asText().equals("pool_over_capacity")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as(v.toString()).isNotNull();

            List<String> args = new ArrayList<>(List.of(command(fix)));
            args.addAll(List.of("-o", "json"));
            Cli.Result plan = f.cli.run(args.toArray(String[]::new));
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            List<String> off = new ArrayList<>();
            strictJson(plan).get("moves").forEach(m -> {
                if (m.get("from_pool").asText().equals("pool-0")) {
                    off.add(m.get("org_id").asText());
                }
            });
            assertThat(off).as("'%s' (pool-0 holds 3 orgs, capacity 1; pool-1 is empty with room for 100) must plan moves off pool-0:%n%s",
                    fix, plan.out()).hasSizeGreaterThanOrEqualTo(2);
        }
    }
}
