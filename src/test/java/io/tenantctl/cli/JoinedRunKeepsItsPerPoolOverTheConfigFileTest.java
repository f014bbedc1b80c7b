package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README (Runs; Scaling out): "The run records the value it was created with (--detach --per-pool 2, shown by runs show):
 * a worker that joins or resumes it keeps that limit unless it passes --per-pool itself", and (Configuration) a --join
 * or --resume takes the run's own arguments: the config file's defaults "do not count for it (only what is typed does)".
 *
 * A fleet's shared config file says {@code per-pool=4} (the team's default). A rollout onto a fragile pool is detached with
 * {@code --per-pool 1}, and the Indexed Job's workers run {@code provision --join RUN} with that same config file. Today
 * each joiner takes the file's 4 as if it had been typed (FanoutOptions.engine: {@code perPool != null}), and puts four of
 * the run's orgs on the pool at once, although {@code runs show} still says per-pool 1.
 */
@Timeout(120)
class JoinedRunKeepsItsPerPoolOverTheConfigFileTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void aWorkerJoiningWithAConfigFilePerPoolKeepsTheRunsOwnLimit(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        CliFixture.addPool(Cli.withCatalog(url), "pool-1", pools.uri(0), 100, 1);
        Path schema = CliFixture.smallSchema(dir);
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, String.join("\n", "catalog=" + url, "per-pool=4", ""));

        // the run: 6 orgs on pool-1, at most one at a time on it
        List<String> orgs = CliFixture.ids("c", 0, 6);
        List<String> detach = new ArrayList<>(List.of("provision", "--schema", schema.toString(), "--per-pool", "1", "--detach", "-o", "json"));
        detach.addAll(orgs);
        String runId = strictJson(ok(Cli.withCatalog(url), detach.toArray(String[]::new))).get("run_id").asText();
        assertThat(strictJson(ok(Cli.withCatalog(url), "runs", "show", runId, "-o", "json")).get("run").get("per_pool").asInt()).isEqualTo(1);

        // How many of the run's orgs are in flight on pool-1 at once, over the whole run, with no waiting: at every command
        // the worker sends to an org's database, the run's items under a live claim (the catalog's count, which is what
        // --per-pool caps) and the org databases with a command outstanding. With the config file's 4 taken as typed, the
        // worker starts four claim loops that claim their orgs while the first one's schema is being applied.
        AtomicInteger maxClaimed = new AtomicInteger();
        AtomicInteger maxOutstanding = new AtomicInteger();
        Map<String, Integer> outstanding = new ConcurrentHashMap<>();
        try (Connection catalog = DriverManager.getConnection(url);
             PreparedStatement claimed = catalog.prepareStatement("select count(*) from run_items where run_id = ? "
                     + "and status = 'running' and lease_until >= now()")) {
            claimed.setString(1, runId);
            Cli worker = new Cli(Map.of("USER", "test")).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (!db.startsWith("org_")) {
                    return;
                }
                outstanding.merge(db, 1, Integer::sum);
                maxOutstanding.accumulateAndGet(outstanding.size(), Math::max);
                synchronized (claimed) {
                    try (ResultSet rs = claimed.executeQuery()) {
                        rs.next();
                        maxClaimed.accumulateAndGet(rs.getInt(1), Math::max);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, (db, cmd) -> {
                if (db.startsWith("org_")) {
                    outstanding.computeIfPresent(db, (k, n) -> n == 1 ? null : n - 1);
                }
            }));

            Cli.Result joined = worker.run("provision", "--config", config.toString(), "--join", runId, "--concurrency", "4", "-o", "json");

            assertThat(joined.exitCode()).as(joined.toString()).isZero();
            assertThat(strictJson(joined).get("counts").get("provisioned").asInt()).isEqualTo(orgs.size());
            assertThat(maxClaimed.get()).as("run " + runId + " was detached with --per-pool 1 and the worker typed no --per-pool: the "
                    + "config file's per-pool=4 must not put several of its orgs on pool-1 at once").isEqualTo(1);
            assertThat(maxOutstanding.get()).as("org databases with a command outstanding at once").isEqualTo(1);
        }
    }
}
