package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a review of verify: once its whole report was read back from the catalog and printed, closing it deleted the
 * catalog's note of which findings this verify saw (its sighting); a catalog lost right then failed that delete and the
 * command exited 3 — "catalog unreachable" under a complete, correct report, which a script reads as no report. The note
 * is deleted after a day anyway: its delete is best-effort, the exit code the report's (4: problems), stdout the whole
 * report, stderr at most one warning line. The catalog is cut (every connection, at the proxy) while that delete waits
 * on a lock the test holds, the report already read back.
 */
class VerifyWhoseCatalogIsLostAfterItsReportKeepsTheReportsExitTest {

    private static final int ORGS = 2;
    private static final long HELD = 727_001; // the advisory lock the delete of the sighting waits on

    private TestPools pools;
    private FaultProxy catalogProxy;

    @AfterEach
    void stop() {
        if (catalogProxy != null) {
            catalogProxy.close();
        }
        if (pools != null) {
            pools.close();
        }
    }

    @Test
    void aJsonReportWholeAndPrintedExitsAsItsProblemsSayThoughTheCatalogIsLostAfter() throws Exception {
        Cli.Result r = reportWhoseCatalogIsLostAfterItIsRead("-o", "json");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        JsonNode report = strictJson(r);
        assertThat(report.get("problems").asLong()).as(r.toString()).isEqualTo(ORGS);
        assertThat(report.get("findings")).as(r.toString()).hasSize(ORGS);
        assertThat(report.get("orgs")).as(r.toString()).hasSize(ORGS);
        assertThat(r.err().lines().filter(l -> !l.isBlank())).as(r.toString()).hasSizeLessThanOrEqualTo(1)
                .allMatch(l -> l.startsWith("warning: "));
    }

    @Test
    void aTextReportWholeAndPrintedExitsAsItsProblemsSayThoughTheCatalogIsLostAfter() throws Exception {
        Cli.Result r = reportWhoseCatalogIsLostAfterItIsRead("-v");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.out()).as(r.toString()).contains("schema_missing  org org-1").contains("schema_missing  org org-2")
                .contains("verified " + ORGS + " org(s): " + ORGS + " problem(s), " + ORGS + " new");
        // -v says the note was left (the catalog deletes it after a day), in one line
        assertThat(r.err().lines().filter(l -> !l.isBlank())).as(r.toString()).singleElement().asString()
                .startsWith("warning: could not delete this verify's note of the findings it saw (catalog unreachable");
    }

    /**
     * A report of a checked run ({@code output}: its format flags), its catalog's connections all cut as it deletes the
     * note of the findings it saw — after every one of them was read back and printed.
     */
    private Cli.Result reportWhoseCatalogIsLostAfterItIsRead(String... output) throws Exception {
        String url = CliFixture.initialisedCatalog();
        String jdbc = url.substring("jdbc:".length());
        catalogProxy = FaultProxy.to(jdbc);
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", "jdbc:" + catalogProxy.uriFor(jdbc), "USER", "oncall"));
        pools = new TestPools(1);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 2 * ORGS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || g, 'pool-0', "
                    + "'org_org_' || g, 'active', 'free', now() from generate_series(1, " + ORGS + ") g");
            // a sighting's rows are deleted only as the report is closed (a day-old note's too, none here)
            s.execute("create function held_delete() returns trigger language plpgsql as $$ begin perform pg_advisory_lock(" + HELD
                    + "); perform pg_advisory_unlock(" + HELD + "); return old; end $$");
            s.execute("create trigger held_delete before delete on finding_sightings for each row execute function held_delete()");
        }
        String run = checkedRun(url, cli);
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("verify", "--resume", run),
                java.util.stream.Stream.of(output)).toArray(String[]::new);
        try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
            s.execute("select pg_advisory_lock(" + HELD + ")");
            CompletableFuture<Cli.Result> report = cli.start(args);
            waitForTheDeleteToWait(holder, report);
            catalogProxy.cutAll();
            s.execute("select pg_advisory_unlock(" + HELD + ")");
            return report.get(60, TimeUnit.SECONDS);
        }
    }

    /** Until the sighting's delete waits on the held lock (the report read back and printed), or the command ended. */
    private static void waitForTheDeleteToWait(Connection holder, CompletableFuture<Cli.Result> report) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !report.isDone()) {
            try (Statement s = holder.createStatement(); ResultSet rs = s.executeQuery("select count(*) from pg_locks where "
                    + "locktype = 'advisory' and not granted and objid = " + HELD)) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("the sighting's delete never waited: " + (report.isDone() ? report.get() : "still running"));
    }

    /** A detached verify run whose every org's check recorded one missing index, as a worker leaves it. */
    private static String checkedRun(String url, Cli cli) throws Exception {
        String run = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("update run_items set status = 'succeeded', attempts = 1, millis = 5, detail = json_build_object('findings', "
                    + "json_build_array(json_build_object('kind', 'schema_missing', 'severity', 'problem', 'subject', 'c.ix', "
                    + "'detail', 'org ' || org_id || ' lacks c.ix', 'fix', 'tenantctl verify --org ' || org_id || ' --fix', 'fix_note', "
                    + "null, 'fix_text', 'tenantctl verify --org ' || org_id || ' --fix')))::jsonb where run_id = '" + run + "'");
        }
        return run;
    }
}
