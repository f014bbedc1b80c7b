package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;

import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;

/**
 * What the tests of verify's report read from the catalog stand on: a fresh catalog behind a {@link FaultProxy} (to
 * count and cut its traffic), a CLI that reaches it only through the proxy, a one-pool fleet of {@code orgs} active orgs
 * (rows only: these tests read a run's findings back, not the pools), and detached verify runs whose items hold findings
 * as a worker leaves them.
 */
final class CheckedVerifyFleet implements AutoCloseable {

    /** The catalog, direct: what a test sets up and inspects with. */
    final String url;
    /** The same catalog through {@link #proxy}: what {@link #cli} uses. */
    final String proxied;
    final FaultProxy proxy;
    final Cli cli;
    final int orgs;
    private final TestPools pools;

    CheckedVerifyFleet(int orgs) {
        this.orgs = orgs;
        url = CliFixture.initialisedCatalog();
        String jdbc = url.substring("jdbc:".length());
        proxy = FaultProxy.to(jdbc);
        proxied = "jdbc:" + proxy.uriFor(jdbc);
        cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", proxied, "USER", "oncall"));
        pools = new TestPools(1);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 2 * orgs, 1);
        TestCatalog.execute(url, "insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || g, "
                + "'pool-0', 'org_org_' || g, 'active', 'free', now() from generate_series(1, " + orgs + ") g");
    }

    /**
     * A detached verify run whose every org's check recorded {@code each} missing indexes and {@code padding} characters
     * besides (what an item carries other than its findings), as a worker leaves it.
     */
    String checkedRun(int each, int padding) {
        String run = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        TestCatalog.execute(url, "update run_items set status = 'succeeded', attempts = 1, millis = 5, detail = (select json_build_object("
                + "'findings', json_agg(json_build_object('kind', 'schema_missing', 'severity', 'problem', 'subject', 'c' || g || '.ix_' || g, "
                + "'detail', 'org ' || org_id || ' lacks c' || g || '.ix_' || g, 'fix', 'tenantctl verify --org ' || org_id "
                + "|| ' --fix', 'fix_note', null, 'fix_text', 'tenantctl verify --org ' || org_id || ' --fix') order by g), 'note', repeat('x', "
                + padding + ")) from generate_series(1, " + each + ") g)::jsonb where run_id = '" + run + "'");
        return run;
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            pools.close();
        }
    }
}
