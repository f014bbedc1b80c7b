package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    private final CheckedVerifyFleet fleet = new CheckedVerifyFleet(ORGS);
    private final FaultProxy catalogProxy = fleet.proxy;

    @AfterEach
    void stop() {
        fleet.close();
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
                .contains("verified " + ORGS + " orgs: " + ORGS + " problems, " + ORGS + " new");
        // -v says the note was left (the catalog deletes it after a day), in one line
        assertThat(r.err().lines().filter(l -> !l.isBlank())).as(r.toString()).singleElement().asString()
                .startsWith("warning: could not delete this verify's note of the findings it saw (catalog unreachable");
    }

    /**
     * A report of a checked run ({@code output}: its format flags), its catalog's connections all cut as it deletes the
     * note of the findings it saw — after every one of them was read back and printed.
     */
    private Cli.Result reportWhoseCatalogIsLostAfterItIsRead(String... output) throws Exception {
        String url = fleet.url;
        Cli cli = fleet.cli;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            // a sighting's rows are deleted only as the report is closed (a day-old note's too, none here)
            s.execute("create function held_delete() returns trigger language plpgsql as $$ begin perform pg_advisory_lock(" + HELD
                    + "); perform pg_advisory_unlock(" + HELD + "); return old; end $$");
            s.execute("create trigger held_delete before delete on finding_sightings for each row execute function held_delete()");
        }
        String run = fleet.checkedRun(1, 0);
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
}
