package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * backup --all and backup --due (and migrate-all, by the same listing as --all) selected their orgs with the catalog's
 * listing of them read in one result (OrgRepository.list, findAll), which the driver held raw, every row, beside the orgs
 * made of them: recording a run of 30,000 orgs ran out of memory under -Xmx32m (it needed -Xmx40m). Listings are read
 * 1,000 orgs at a time now; the orgs selected were still held until the run was recorded (30,000: -Xmx26m, --due -Xmx28m).
 * Their selection is now read a page at a time as the run is recorded, on its connection, as verify's is (what such a
 * run held after that was its report, a line per org of the run: it holds their counts, timings and slowest few now).
 */
@org.junit.jupiter.api.Tag("slow") // 30,000 orgs, two runs of them recorded in a child JVM: 15 s on 2 cores
class ARunOfAFleetsOrgsListedUnderASmallHeapTest {

    private static final int ORGS = 30_000;
    private static final int HEAP_MB = 30;

    @TempDir
    Path dir;

    /**
     * migrate-all held every org of the catalog until its run was recorded, and backup --all every org it listed, whether
     * selected or not: a rollout of a fleet of 30,000 orgs already up to date (0 to migrate), and a backup --all of a catalog
     * whose 30,000 orgs are deleted but ten, ran out of memory under -Xmx16m (exit 1, no run). Read a page at a time, what
     * they select and nothing else is held: both record their run.
     */
    @Test
    void migrateAllOfAnUpToDateFleetAndBackupAllOfAChurnedOneRecordTheirRunUnder16Mb() throws Exception {
        int heapMb = Integer.getInteger("fleet.select.heap", 16);
        try (TestPools pools = new TestPools(1)) {
            Path schema = CliFixture.smallSchema(dir);
            String hash = io.tenantctl.schema.SchemaManifest.parse(CliFixture.SMALL_SCHEMA, "small").hash();
            String url = CliFixture.fleetCatalog(pools, ORGS, "'" + hash + "'");
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall", "TENANTCTL_STORE",
                    Files.createDirectories(dir.resolve("store")).toUri().toString());
            Map<List<String>, String> runs = new java.util.LinkedHashMap<>();
            // nothing to migrate: over as it is recorded, said as without --detach
            runs.put(List.of("migrate-all", "--schema", schema.toString(), "--detach"), ": 0 orgs in the run: ");
            runs.put(List.of("backup", "--all", "--detach"), " created with 10 orgs");
            for (Map.Entry<List<String>, String> run : runs.entrySet()) {
                if (run.getKey().get(0).equals("backup")) { // the fleet churned: all but ten deleted
                    CliFixture.sql(url, "update orgs set status = 'deleted' where org_id > 'org-000010'");
                }
                ChildJvm.Exit exit = ChildJvm.run(dir, env, 120, List.of("-Xmx" + heapMb + "m", "-XX:+UseSerialGC"), Main.class.getName(),
                        run.getKey().toArray(String[]::new));
                String err = exit.err();
                assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
                assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", run.getKey(), ORGS, heapMb, err).isEqualTo(0);
                assertThat(exit.out()).as(String.join(" ", run.getKey())).startsWith("run ").contains(run.getValue());
            }
        }
    }

    /**
     * Once recorded, the run's report held a line per org of the run (with its detail) as long as the command ran: backup
     * and migrate-all --detach of 30,000 selected orgs needed more than 20 MB of heap for it alone, and ran out of memory
     * under -Xmx16m. The report keeps the run's counts, timings and slowest few; -o json's orgs[] reads the run's items a
     * page at a time.
     */
    @Test
    void aDetachedRunOfThirtyThousandSelectedOrgsIsRecordedAndListedUnder16Mb() throws Exception {
        int heapMb = Integer.getInteger("fleet.select.heap", 16);
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "md5(g::text) || md5(g::text)"); // none on the schema below
            Cli cli = Cli.withCatalog(url);
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall", "TENANTCTL_STORE",
                    Files.createDirectories(dir.resolve("store")).toUri().toString());
            String schema = CliFixture.smallSchema(dir).toString();
            Map<List<String>, String> runs = new java.util.LinkedHashMap<>();
            runs.put(List.of("backup", "--all", "--detach"), " created with " + ORGS + " orgs");
            runs.put(List.of("backup", "--all", "--detach", "-o", "json"), null);
            runs.put(List.of("migrate-all", "--schema", schema, "--detach"), " created with " + ORGS + " orgs to migrate");
            runs.put(List.of("migrate-all", "--schema", schema, "--detach", "-o", "json"), null);
            for (Map.Entry<List<String>, String> run : runs.entrySet()) {
                List<String> args = run.getKey();
                ChildJvm.Exit exit = ChildJvm.run(dir, env, 120, List.of("-Xmx" + heapMb + "m", "-XX:+UseSerialGC"), Main.class.getName(),
                        args.toArray(String[]::new));
                String err = exit.err();
                assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
                assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", args, ORGS, heapMb, err).isEqualTo(0);
                String runId;
                if (run.getValue() == null) {
                    com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(exit.out());
                    runId = doc.get("run_id").asText();
                    assertThat(doc.get("orgs")).as("%s: every org of the run listed", args).hasSize(ORGS);
                    assertThat(doc.get("orgs").get(ORGS - 1).get("outcome").asText()).isEqualTo("not_started");
                } else {
                    assertThat(exit.out()).as(String.join(" ", args)).startsWith("run ").contains(run.getValue());
                    runId = exit.out().split(" ")[1];
                }
                CliFixture.ok(cli, "runs", "cancel", runId); // the next run is not held up by this one
            }
        }
    }

    /**
     * A dry run records no run, so its lines were not read back from the catalog as a run's are: the run engine's plan held
     * a line per org (with its detail), several times over, for as long as the command ran — backup --all --dry-run of
     * 30,000 orgs ran out of memory under -Xmx16m (exit 1). The plan hands each line on as it is made, a page at a time,
     * spooled past a page: the table and -o json list every org, the summary counts them all.
     */
    @Test
    void aDryRunOfThirtyThousandSelectedOrgsListsThemAllUnder16Mb() throws Exception {
        int heapMb = Integer.getInteger("fleet.select.heap", 16);
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            Path store = Files.createDirectories(dir.resolve("store"));
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall", "TENANTCTL_STORE", store.toUri().toString());
            for (List<String> args : List.of(List.of("backup", "--all", "--dry-run"), List.of("backup", "--all", "--dry-run", "-o", "json"))) {
                ChildJvm.Exit exit = ChildJvm.run(dir, env, 120, List.of("-Xmx" + heapMb + "m", "-XX:+UseSerialGC"), Main.class.getName(),
                        args.toArray(String[]::new));
                String err = exit.err();
                assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
                assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", args, ORGS, heapMb, err).isEqualTo(0);
                if (args.contains("json")) {
                    com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(exit.out());
                    assertThat(doc.get("dry_run").asBoolean()).isTrue();
                    assertThat(doc.get("planned").asInt()).isEqualTo(ORGS);
                    assertThat(doc.get("orgs")).as("every org planned listed").hasSize(ORGS);
                    assertThat(doc.get("orgs").get(ORGS - 1).get("org_id").asText()).isEqualTo("org-030000");
                    assertThat(doc.get("orgs").get(ORGS - 1).get("outcome").asText()).isEqualTo("planned");
                } else {
                    List<String> lines = exit.out().lines().toList();
                    assertThat(lines).as("a header, a row per org, the summary").hasSize(ORGS + 2);
                    assertThat(lines.get(ORGS)).startsWith("org-030000 ").contains(" planned ");
                    assertThat(lines.get(ORGS + 1)).startsWith("dry run: nothing written; " + ORGS + " orgs would be backed up to ");
                }
            }
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from runs")) {
                rs.next();
                assertThat(rs.getInt(1)).as("a dry run records no run").isZero();
            }
        }
    }

    @Test
    void backupAllAndBackupDueDetachedRecordThirtyThousandOrgs() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "md5(g::text) || md5(g::text)");
            Cli cli = Cli.withCatalog(url);
            Path store = Files.createDirectories(dir.resolve("store"));
            for (List<String> args : List.of(List.of("backup", "--all", "--detach"), List.of("backup", "--due", "--detach"))) {
                ChildJvm.Exit exit = ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall", "TENANTCTL_STORE",
                        store.toUri().toString()), 120, List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"), Main.class.getName(),
                        args.toArray(String[]::new));
                String err = exit.err();
                assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
                assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", args, ORGS, HEAP_MB, err).isEqualTo(0);
                assertThat(exit.out()).as(String.join(" ", args)).startsWith("run ").contains(" created with " + ORGS + " orgs");
                String runId = exit.out().split(" ")[1];
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from run_items where status in ('pending', 'held') and run_id = '" + runId + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("%s: orgs to do", args).isEqualTo(ORGS);
                }
                CliFixture.ok(cli, "runs", "cancel", runId); // the next run is not held up by this one
            }
        }
    }

    /**
     * provision looks up only the orgs it is asked for (a page of ids a query) and counts each pool's orgs in the catalog,
     * never holding the fleet's rows: three new orgs and one that exists, provisioned into a catalog of 30,000 orgs under
     * -Xmx16m (holding the fleet's rows takes more than that).
     */
    @Test
    void provisionOfAFewOrgsIntoAFleetHoldsNoneOfTheFleetsOtherOrgsUnder16Mb() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            ChildJvm.Exit exit = ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall"), 120,
                    List.of("-Xmx16m", "-XX:+UseSerialGC"), Main.class.getName(), "provision", "acme", "org-000007", "globex", "initech",
                    "--schema", CliFixture.smallSchema(dir).toString());
            assertThat(exit.err()).as("no stack trace").doesNotContain("Exception in thread");
            assertThat(exit.code()).as("provision of 4 orgs of a fleet of %d under -Xmx16m: %s", ORGS, exit.err()).isEqualTo(0);
            assertThat(exit.out()).contains("provisioned 3, unchanged 1, failed 0");
            assertThat(CliFixture.count(url, "select count(*) from orgs where status = 'active'")).isEqualTo(ORGS + 3);
        }
    }

    /**
     * orgs list read every org of the catalog (and -o json serialised them) in memory before printing a line: at 3 a.m.
     * an 'orgs list' of a 30,000-org fleet, or of its one pool, ran out of memory under -Xmx16m (exit 1, nothing listed).
     * It now reads a page at a time and spools its table or document: every org listed, one JSON document.
     */
    @Test
    void orgsListOfAFleetListsEveryOrgUnder16Mb() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
            for (List<String> args : List.of(List.of("orgs", "list", "--pool", "pool-0"), List.of("orgs", "list", "-o", "json"))) {
                ChildJvm.Exit exit = ChildJvm.run(dir, env, 120, List.of("-Xmx16m", "-XX:+UseSerialGC"), Main.class.getName(),
                        args.toArray(String[]::new));
                assertThat(exit.code()).as("%s of %d orgs under -Xmx16m: %s", args, ORGS, exit.err()).isEqualTo(0);
                if (args.contains("json")) {
                    com.fasterxml.jackson.databind.JsonNode listed = new com.fasterxml.jackson.databind.ObjectMapper()
                            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(exit.out());
                    assertThat(listed.get("orgs")).hasSize(ORGS);
                    assertThat(listed.get("orgs").get(ORGS - 1).get("org_id").asText()).isEqualTo("org-030000");
                } else {
                    assertThat(exit.out().lines()).hasSize(ORGS + 1).first().asString().startsWith("ORG ");
                    assertThat(exit.err()).contains("30000 orgs");
                }
            }
        }
    }
}
