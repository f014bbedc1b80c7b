package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper comparing each --dry-run with the real command: {@code pools set-capacity P --capacity N
 * -o json} had no {@code dry_run} field while its dry run had {@code "dry_run": true} (so did add, drain and enable): a
 * tool reading the field found it only on dry runs. Every pools change's -o json says {@code dry_run}, false when it
 * changed the pool.
 */
class PoolsChangesSayWhetherTheyAreDryRunsTest {

    private static TestPools pools;

    @BeforeAll
    static void start() {
        pools = new TestPools(1);
    }

    @AfterAll
    static void stop() {
        pools.close();
    }

    @Test
    void everyPoolsChangeSaysDryRunTrueOrFalse() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        assertDryRun(ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5", "--dry-run", "-o", "json"), true);
        assertDryRun(ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5", "-o", "json"), false);
        for (String[] change : new String[][]{{"set-capacity", "pool-1", "--capacity", "7"}, {"drain", "pool-1"}, {"enable", "pool-1"}}) {
            String[] dry = concat(change, "--dry-run");
            assertDryRun(ok(cli, concat(new String[]{"pools"}, concat(dry, "-o", "json"))), true);
            assertDryRun(ok(cli, concat(new String[]{"pools"}, concat(change, "-o", "json"))), false);
        }
        assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).get("capacity").asInt()).isEqualTo(7);
    }

    /**
     * set-admin-url given the URL the pool already had (or --clear of a pool with none) said 'pool pool-1 has admin URL …'
     * as if it had set it, and its -o json had no changed field, unlike set-uri and set-capacity: it now says nothing
     * changed (its dry run alike) and -o json says changed false, true on a real change.
     */
    @Test
    void settingTheAdminUrlThePoolAlreadyHasSaysNothingChanged() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5");
        String admin = "postgres://monitor:${PG_PW}@pg-1:5432/postgres";
        String[] clear = {"pools", "set-admin-url", "pool-1", "--clear"};
        String[] set = {"pools", "set-admin-url", "pool-1", "--url", admin};
        assertThat(ok(cli, clear).out()).startsWith("pool pool-1 already has no admin URL: nothing to do");
        assertThat(strictJson(ok(cli, concat(clear, "-o", "json"))).path("changed").asBoolean(true)).isFalse();
        assertThat(strictJson(ok(cli, concat(set, "--dry-run", "-o", "json"))).path("changed").asBoolean(false)).isTrue();
        JsonNode first = strictJson(ok(cli, concat(set, "-o", "json")));
        assertThat(first.path("changed").asBoolean(false)).as(first.toString()).isTrue();
        String said = "pool pool-1 already has admin URL " + admin + ": nothing to do";
        Cli.Result again = ok(cli, set);
        assertThat(again.out()).as(again.toString()).startsWith(said);
        assertThat(ok(cli, concat(set, "--dry-run")).out()).startsWith("dry run: " + said);
        JsonNode doc = strictJson(ok(cli, concat(set, "-o", "json")));
        assertThat(doc.path("changed").isBoolean() && !doc.path("changed").asBoolean()).as(doc.toString()).isTrue();
        assertThat(doc.path("admin_url").asText()).isEqualTo(admin);
        assertThat(strictJson(ok(cli, concat(clear, "-o", "json"))).path("changed").asBoolean(false)).isTrue();
    }

    /**
     * Found by an audit: set-uri and set-capacity given the value the pool already had printed "changed pool pool-1"
     * (exit 0) though nothing changed, and their -o json said nothing of it. They now say it was already so, as suspend
     * of a suspended org does, and -o json says {@code changed}: false (true on a real change); their dry runs alike.
     */
    @Test
    void settingWhatThePoolAlreadyHasSaysNothingChanged() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5");
        String[][] same = {{"pools", "set-capacity", "pool-1", "--capacity", "5"}, {"pools", "set-uri", "pool-1", "--uri", pools.uri(0)}};
        String[] said = {"pool pool-1 already has capacity 5: nothing to do", "pool pool-1 already has URI " + pools.uri(0) + ": nothing to do"};
        for (int i = 0; i < same.length; i++) {
            Cli.Result text = ok(cli, same[i]);
            assertThat(text.out()).as(text.toString()).startsWith(said[i]).doesNotContain("changed pool");
            assertThat(ok(cli, concat(same[i], "--dry-run")).out()).startsWith("dry run: " + said[i]);
            JsonNode doc = strictJson(ok(cli, concat(same[i], "-o", "json")));
            assertThat(doc.path("changed").isBoolean() && !doc.path("changed").asBoolean()).as(doc.toString()).isTrue();
        }
        JsonNode raised = strictJson(ok(cli, "pools", "set-capacity", "pool-1", "--capacity", "6", "-o", "json"));
        assertThat(raised.path("changed").asBoolean()).as(raised.toString()).isTrue();
        assertThat(raised.get("capacity").asInt()).isEqualTo(6);
        JsonNode repointed = strictJson(ok(cli, "pools", "set-uri", "pool-1", "--uri", pools.uri(0) + "/", "-o", "json"));
        assertThat(repointed.path("changed").asBoolean()).as(repointed.toString()).isTrue();
    }

    /**
     * Found on call: drain of a pool already draining, and enable of one already enabled, printed the pool as a change
     * does, so an operator could not tell a drain that did something from one that found it done. They now say it was
     * already so (exit 0, the status as it was), -o json says {@code changed}: false; their dry runs alike.
     */
    @Test
    void drainingADrainingPoolOrEnablingAnEnabledOneSaysItWasAlreadySo() {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        String rowVersion = "select xmin::text::bigint from pools where pool_id = 'pool-1'"; // any write to the row moves it
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "5");
        String[][] verbs = {{"enable", "enabled", "active"}, {"drain", "draining", "draining"}};
        for (String[] v : verbs) {
            if (v[0].equals("drain")) {
                JsonNode drained = strictJson(ok(cli, "pools", "drain", "pool-1", "-o", "json"));
                assertThat(drained.path("changed").asBoolean()).as(drained.toString()).isTrue();
            }
            long before = CliFixture.count(url, rowVersion);
            String said = "pool pool-1 is already " + v[1] + ": nothing to do";
            Cli.Result text = ok(cli, "pools", v[0], "pool-1");
            assertThat(text.out()).as(text.toString()).startsWith(said);
            assertThat(ok(cli, "pools", v[0], "pool-1", "--dry-run").out()).startsWith("dry run: " + said);
            for (String[] json : new String[][]{{"pools", v[0], "pool-1", "-o", "json"}, {"pools", v[0], "pool-1", "--dry-run", "-o", "json"}}) {
                JsonNode doc = strictJson(ok(cli, json));
                assertThat(doc.path("changed").isBoolean() && !doc.path("changed").asBoolean()).as(doc.toString()).isTrue();
            }
            assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).get("status").asText()).isEqualTo(v[2]);
            assertThat(CliFixture.count(url, rowVersion)).as("nothing written to the pool's row").isEqualTo(before);
        }
    }

    private static void assertDryRun(Cli.Result r, boolean expected) {
        JsonNode doc = strictJson(r);
        assertThat(doc.path("dry_run").isBoolean()).as("dry_run is there: %s", r).isTrue();
        assertThat(doc.path("dry_run").asBoolean()).as(r.toString()).isEqualTo(expected);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
