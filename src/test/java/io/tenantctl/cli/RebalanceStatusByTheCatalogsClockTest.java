package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found probing clocks: {@code rebalance status} measured a move's elapsed time (and its ETA) from when the catalog
 * stamped it to this host's clock. On a host two hours ahead of the catalog, a move copying for ten minutes said it had
 * run for 2 h 10 min, and its ETA grew as much; on one behind, elapsed went negative.
 */
class RebalanceStatusByTheCatalogsClockTest {

    @Test
    void aMovesElapsedTimeIsTheCatalogsNotThisHosts() {
        String url = CliFixture.initialisedCatalog();
        TestCatalog.skewClock(url, Duration.ofHours(-2)); // the catalog's clock: 2 h behind this host's
        TestCatalog.execute(url, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, "
                + "prior_status, docs_total, docs_copied, started_at, copying_at, updated_at) values ('m-1', 'acme', 'pool-1', 'org_acme', "
                + "'pool-2', 'org_acme', 'copying', 'active', 100, 50, now() - interval '10 minutes', now() - interval '10 minutes', now())");

        JsonNode moves = strictJson(ok(Cli.withCatalog(url), "rebalance", "status", "-o", "json"));

        JsonNode m = moves.get(0);
        assertThat(m.get("elapsed_ms").asLong()).as("ten minutes by the catalog's clock: %s", m)
                .isBetween(Duration.ofMinutes(10).toMillis(), Duration.ofMinutes(11).toMillis());
        assertThat(m.get("eta_ms").asLong()).as("half copied in ten minutes: %s", m)
                .isBetween(Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(11).toMillis());
    }
}
