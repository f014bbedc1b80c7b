package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify held every org of the fleet in memory at once, whatever it found: Verify.run read the whole orgs table into a
 * map before its run and kept it to the end (its fleet checks — stuck, failed, behind, stale backups — walked it), and its
 * stray check read the table whole a second time, with a third map of it by database name. Memory grew with the fleet,
 * not with what the report says: 60,000 orgs being provisioned (nothing to check yet, nothing wrong) and ten stuck among
 * them ran out of memory under -Xmx28m — exit 1, no finding shown — where verify should exit 4 naming the
 * ten. The orgs are read a page at a time (by id), each page's checks done before the next is read.
 */
class VerifyReadsTheFleetsOrgsInPagesTest {

    private static final int ORGS = 60_000;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final int HEAP_MB = Integer.getInteger("verify.pages.heap", 28);
    /** Below what the 60,000 lines of a run's report took (between 20 and 28 MB of heap), above verify's own needs. */
    private static final int REPORT_HEAP_MB = Integer.getInteger("verify.report.heap", 18);
    /** Every this many-th org is stuck: left provisioning two days ago, nobody holding it. */
    private static final int STUCK_EVERY = ORGS / 10;

    @TempDir
    static Path dir;
    private static TestPools pools;
    private static Map<String, String> env;

    @BeforeAll
    static void fleet() throws Exception {
        String url = CliFixture.initialisedCatalog();
        pools = new TestPools(1);
        CliFixture.addPool(Cli.withCatalog(url), "pool-0", pools.uri(0), 2 * ORGS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || lpad(g::text, 6, '0'), "
                    + "'pool-0', 'org_org_' || lpad(g::text, 6, '0'), 'provisioning', 'free', case when g % " + STUCK_EVERY + " = 0 "
                    + "then now() - interval '2 days' else now() end from generate_series(1, " + ORGS + ") g");
        }
        env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
    }

    @AfterAll
    static void close() {
        pools.close();
    }

    @Test
    void verifyOfAFleetBeingProvisionedNamesEveryStuckOrgUnderASmallHeap() throws Exception {
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve("json"), env, 120, List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"),
                Main.class.getName(), "verify", "-o", "json");
        String err = exit.err();
        assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
        assertThat(exit.code()).as("verify of %d orgs under -Xmx%dm: %s", ORGS, HEAP_MB, err).isEqualTo(4);
        JsonNode doc = CliFixture.strictJson(new Cli.Result(exit.code(), exit.out(), err));
        List<String> stuck = new ArrayList<>();
        doc.get("findings").forEach(f -> stuck.add(f.get("kind").asText() + " " + f.get("org_id").asText()));
        assertThat(stuck).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, ORGS).filter(g -> g % STUCK_EVERY == 0)
                .mapToObj(g -> "org_stuck " + String.format("org-%06d", g)).toList());
        assertThat(doc.get("problems").asLong()).isEqualTo(ORGS / STUCK_EVERY);
    }

    /**
     * verify's run report held a line per org of its run (RunEngine.report read every item back as an object, with its
     * time in a list), for a summary that says only how many, p50/p95/max and the three slowest: 'verify --resume' of a
     * run its --join workers finished over the 60,000 orgs, which adds the fleet checks and reports, ran out of memory
     * under -Xmx18m (exit 1, nothing reported; -Xmx20m too). Without -o json the report is counted, timed and its slowest
     * orgs found by the catalog, and the orgs verified clean are recorded a page at a time.
     */
    @Test
    void resumeOfAFinishedRunOverTheFleetReportsItUnderASmallHeap() throws Exception {
        String runId = finishedRun("20261207T000000Z-0a0a");
        ChildJvm.Exit exit = resumeUnderTheReportHeap("text", "verify", "--resume", runId);
        String err = exit.err();
        assertThat(exit.code()).as("verify --resume of %d orgs under -Xmx%dm: %s", ORGS, REPORT_HEAP_MB, err).isEqualTo(4);
        assertThat(exit.out()).contains("verified " + ORGS + " orgs: " + ORGS / STUCK_EVERY + " problems")
                .contains("per org: p50 30000 ms, p95 57000 ms, max 60000 ms over 60000 orgs; slowest: org-060000 60000 ms, "
                        + "org-059999 59999 ms, org-059998 59998 ms");
        try (Connection c = DriverManager.getConnection(env.get("TENANTCTL_CATALOG_URL")); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select count(*) from org_verifications")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every org but the stuck ones verified clean").isEqualTo(ORGS - ORGS / STUCK_EVERY);
        }
    }

    /**
     * verify -o json held every org's line of its run (the engine's report read each item back as an object, and the
     * JSON's orgs[] kept them in a map by org to add each one's findings), where the text report had stopped holding them:
     * 'verify --resume -o json' of a finished run over the 60,000 orgs ran out of memory under the heap the text report
     * takes (exit 1, no document). The orgs' lines, and the failed ones, are read from the run's items a page at a time as
     * the document is written: the same one document, its header (counts, p50/p95/max, orgs[]) as before.
     */
    @Test
    void resumeOfAFinishedRunOverTheFleetWritesItsJsonUnderASmallHeap() throws Exception {
        String runId = finishedRun("20261207T000000Z-0b0b");
        ChildJvm.Exit exit = resumeUnderTheReportHeap("resumed-json", "verify", "--resume", runId, "-o", "json");
        String err = exit.err();
        assertThat(exit.code()).as("verify --resume -o json of %d orgs under -Xmx%dm: %s", ORGS, REPORT_HEAP_MB, err).isEqualTo(4);
        JsonNode doc = CliFixture.strictJson(new Cli.Result(exit.code(), exit.out(), err));
        assertThat(doc.get("run_id").asText()).isEqualTo(runId);
        assertThat(doc.get("counts")).isEqualTo(JSON.readTree("{\"clean\":" + (ORGS - ORGS / STUCK_EVERY) + ",\"problems\":" + ORGS / STUCK_EVERY + "}"));
        assertThat(List.of(doc.get("p50_ms").asLong(), doc.get("p95_ms").asLong(), doc.get("max_ms").asLong())).containsExactly(30000L, 57000L, 60000L);
        assertThat(doc.get("orgs")).hasSize(ORGS);
        JsonNode stuck = doc.get("orgs").get(STUCK_EVERY - 1);
        // its line names the finding that makes it "problems" (org_stuck, a fleet check's), as findings[] does
        com.fasterxml.jackson.databind.JsonNode withoutFindings = ((com.fasterxml.jackson.databind.node.ObjectNode) stuck.deepCopy()).without("findings");
        assertThat(withoutFindings).isEqualTo(JSON.readTree(
                "{\"org_id\":\"org-006000\",\"pool_id\":\"pool-0\",\"outcome\":\"problems\",\"attempts\":1,\"ms\":6000,\"error\":null}"));
        assertThat(stuck.get("findings")).singleElement().satisfies(x -> {
            assertThat(x.get("kind").asText()).isEqualTo("org_stuck");
            assertThat(x.get("fix").asText()).isEqualTo("tenantctl provision org-006000");
        });
        List<String> fields = new ArrayList<>();
        stuck.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("org_id", "pool_id", "outcome", "attempts", "ms", "error", "findings");
        assertThat(doc.get("orgs").get(0).get("outcome").asText()).isEqualTo("clean");
        assertThat(doc.get("failed")).isEmpty();
        assertThat(doc.get("problems").asLong()).isEqualTo(ORGS / STUCK_EVERY);
    }

    /**
     * verify --metrics-file still had the run's report hold every org's line: the file's figures by pool (orgs by pool and
     * outcome, each pool's p50/p95/max) and its retries were worked out from the lines in Java, so 'verify --resume
     * --metrics-file' of the finished run over the 60,000 orgs ran out of memory under the heap the text report takes
     * (exit 1, no file). The catalog works them out (grouped by pool and outcome, percentile_disc, a sum), the relabelled
     * outcomes counted as the orgs' lines are read a page at a time: the file's figures as before.
     */
    @Test
    void resumeOfAFinishedRunOverTheFleetWritesItsMetricsFileUnderASmallHeap() throws Exception {
        String runId = finishedRun("20261207T000000Z-0d0d");
        Path file = dir.resolve("verify.prom");
        ChildJvm.Exit exit = resumeUnderTheReportHeap("metrics", "verify", "--resume", runId, "--metrics-file", file.toString());
        String err = exit.err();
        assertThat(exit.code()).as("verify --resume --metrics-file of %d orgs under -Xmx%dm: %s", ORGS, REPORT_HEAP_MB, err).isEqualTo(4);
        Map<String, org.hawkular.agent.prometheus.types.MetricFamily> m = MetricsFileTest.parse(file);
        assertThat(MetricsFileTest.gauge(m, "tenantctl_orgs", "verb", "verify", "outcome", "clean")).isEqualTo(ORGS - ORGS / STUCK_EVERY);
        assertThat(MetricsFileTest.gauge(m, "tenantctl_pool_orgs", "verb", "verify", "pool", "pool-0", "outcome", "problems"))
                .isEqualTo(ORGS / STUCK_EVERY);
        assertThat(MetricsFileTest.gauge(m, "tenantctl_pool_orgs", "verb", "verify", "pool", "pool-0", "outcome", "clean"))
                .isEqualTo(ORGS - ORGS / STUCK_EVERY);
        assertThat(MetricsFileTest.gauge(m, "tenantctl_retries", "verb", "verify")).isZero();
        assertThat(MetricsFileTest.gauge(m, "tenantctl_org_duration_max_seconds", "verb", "verify")).isEqualTo(60.0);
        org.hawkular.agent.prometheus.types.Summary pool = (org.hawkular.agent.prometheus.types.Summary) MetricsFileTest.sample(
                m.get("tenantctl_pool_org_duration_seconds"), "verb", "verify", "pool", "pool-0");
        assertThat(pool.getSampleCount()).isEqualTo(ORGS);
        assertThat(pool.getQuantiles()).extracting(org.hawkular.agent.prometheus.types.Summary.Quantile::getValue).containsExactly(30.0, 57.0);
    }

    /** Records run {@code runId}, a verify of the fleet its workers finished: every org's item succeeded in g ms, no findings. */
    private static String finishedRun(String runId) throws Exception {
        try (Connection c = DriverManager.getConnection(env.get("TENANTCTL_CATALOG_URL")); Statement s = c.createStatement()) {
            s.execute("insert into runs (run_id, verb, args, status, actor, finished_at) values ('" + runId + "', 'verify', "
                    + "'{\"deep\":false,\"fix\":false,\"orgs\":[],\"pools\":[]}', 'succeeded', 'oncall', now())");
            s.execute("insert into run_items (run_id, org_id, pool_id, seq, status, attempts, millis, detail) select '" + runId + "', "
                    + "'org-' || lpad(g::text, 6, '0'), 'pool-0', g, 'succeeded', 1, g, '{\"findings\":[]}' from generate_series(1, " + ORGS + ") g");
        }
        return runId;
    }

    /** tenantctl {@code args} in a child JVM under the report's small heap, its output kept in {@code name}; no stack trace. */
    private static ChildJvm.Exit resumeUnderTheReportHeap(String name, String... args) throws Exception {
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve(name), env, 120, List.of("-Xmx" + REPORT_HEAP_MB + "m", "-XX:+UseSerialGC"),
                Main.class.getName(), args);
        assertThat(exit.err()).as("no stack trace").doesNotContain("Exception in thread");
        return exit;
    }
}
