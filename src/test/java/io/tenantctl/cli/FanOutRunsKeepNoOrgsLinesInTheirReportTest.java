package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.MigrateAll;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.Provision;
import io.tenantctl.ops.Rebalance;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run engine's report of a fan-out verb held one line per org of its run (each with its detail) as long as the
 * command ran: backup --detach of 30,000 orgs needed more than 20 MB of heap for that report alone. As verify's
 * ({@link VerifyKeepsNoOrgsFindingsInItsReportTest}), the report now keeps the run's counts, timings and slowest few,
 * whoever asks, and what lists every org (-o json's orgs[] and failed[], the table) reads the run's items a page at a
 * time: the same orgs, each with its outcome and detail, as the catalog recorded them. The memory itself is measured by
 * the slow-tagged {@link ARunOfAFleetsOrgsListedUnderASmallHeapTest}. Rebalance apply's too: its -o json, table and
 * metrics file's moved bytes read the run's items.
 */
class FanOutRunsKeepNoOrgsLinesInTheirReportTest {

    @TempDir
    Path dir;

    @Test
    void backupsReportHoldsNoOrgsLineAndItsJsonAndTableListEveryOrgTheCatalogRecorded() throws Exception {
        List<String> orgIds = List.of("acme", "globex", "initech");
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision(orgIds.toArray(String[]::new));
            f.seedNotesOf(orgIds, 5);

            Backup.Result r;
            List<RunReport.Org> lines;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 FileObjectStore store = new FileObjectStore(f.storeDir)) {
                r = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(new Backup.Request(
                        new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        Clock.systemUTC()));
                lines = CliFixture.lines(r.lines());
            }
            assertThat(r.report().holdsLines()).as("the report holds its orgs' lines").isFalse();
            assertThat(r.report().orgs()).as("no org's line held (the run's items in the catalog hold them)").isEmpty();
            assertThat(r.report().slowest(RunReport.SLOWEST_KEPT)).hasSizeLessThanOrEqualTo(RunReport.SLOWEST_KEPT);
            assertThat(r.report().total()).as("every org of the run counted").isEqualTo(items(f, r.report().runId())).isEqualTo(orgIds.size());
            assertThat(r.report().count("backed_up")).isEqualTo(orgIds.size());
            assertThat(lines).extracting(RunReport.Org::orgId).containsExactlyElementsOf(orgIds);
            for (RunReport.Org o : lines) { // each line's backup the one the catalog recorded for the org in this run
                assertThat(o.detail().path("backup_id").asText()).as("%s", o).isEqualTo(text(f.catalogUrl,
                        "select backup_id from backups where org_id = '" + o.orgId() + "' and status = 'complete'"));
            }

            Cli.Result json = ok(f.cli, "backup", "--all", "-o", "json");
            JsonNode doc = strictJson(json);
            String runId = doc.get("run_id").asText();
            assertThat(doc.get("orgs")).as("every org of the run").hasSize((int) items(f, runId));
            List<String> listed = new ArrayList<>();
            for (JsonNode line : doc.get("orgs")) {
                listed.add(line.get("org_id").asText());
                assertThat(line.get("outcome").asText()).isEqualTo("backed_up");
                assertThat(List.of(line.get("backup_id").asText())).as("%s", line).containsExactly(text(f.catalogUrl,
                        "select backup_id from backups where org_id = '" + line.get("org_id").asText() + "' and run_id = '" + runId + "'"));
                assertThat(line.get("docs").asLong()).as("%s", line).isEqualTo(5);
            }
            assertThat(listed).containsExactlyElementsOf(orgIds);
            assertThat(doc.get("counts").get("backed_up").asInt()).isEqualTo(orgIds.size());
            assertThat(doc.get("failed")).isEmpty();

            Cli.Result table = ok(f.cli, "backup", "--all");
            for (String org : orgIds) {
                assertThat(table.out()).as(table.out()).containsPattern("(?m)^" + org + "\\s+pool-0\\s+\\S+\\s+backed_up\\s+\\d+\\s+\\d+");
            }
            assertThat(table.out()).contains("backed up 3 to ");
        }
    }

    @Test
    void migrateAllsReportHoldsNoOrgsLineAndItsJsonListsEveryOrgTheCatalogRecorded() throws Exception {
        List<String> orgIds = List.of("acme", "globex", "initech");
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision(orgIds.toArray(String[]::new));
            String v2Text = CliFixture.smallSchemaWithUniqueUsername(true);
            Path v2 = java.nio.file.Files.writeString(dir.resolve("v2.json"), v2Text);

            MigrateAll.Result r;
            List<RunReport.Org> lines;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
                r = new MigrateAll(new OpsContext(catalog, pools, Retry.ferretDefault(), "test")).run(new MigrateAll.Request(
                        SchemaManifest.parse(v2Text, "v2"), new MigrateAll.Selector(List.of(), List.of(), null, false, false),
                        new MigrateAll.Apply(false, false, false), new MigrateAll.Staging(0, null),
                        new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        false, false));
                lines = CliFixture.lines(r.lines());
            }
            assertThat(r.report().holdsLines()).as("the report holds its orgs' lines").isFalse();
            assertThat(r.report().orgs()).as("no org's line held (the run's items in the catalog hold them)").isEmpty();
            assertThat(r.report().total()).as("every org of the run counted").isEqualTo(items(f, r.report().runId())).isEqualTo(orgIds.size());
            assertThat(r.report().count("migrated")).isEqualTo(orgIds.size());
            assertThat(lines).extracting(RunReport.Org::orgId).containsExactlyElementsOf(orgIds);
            assertThat(lines).allSatisfy(o -> assertThat(o.detail().path("plan").path("create_indexes").toString()).as("%s", o)
                    .contains("username_1"));

            // --force: each org looked at again, already on v2
            JsonNode doc = strictJson(ok(f.cli, "migrate-all", "--schema", v2.toString(), "--force", "-o", "json"));
            assertThat(doc.get("orgs")).as("every org of the run").hasSize((int) items(f, doc.get("run_id").asText()));
            List<String> listed = new ArrayList<>();
            doc.get("orgs").forEach(line -> {
                listed.add(line.get("org_id").asText());
                assertThat(line.get("outcome").asText()).as("%s", line).isEqualTo("unchanged");
                assertThat(line.has("plan")).as("%s", line).isTrue();
            });
            assertThat(listed).containsExactlyElementsOf(orgIds);
            assertThat(doc.get("failed")).isEmpty();
            assertThat(doc.get("skipped_orgs")).isEmpty();
        }
    }

    @Test
    void provisionsReportHoldsNoOrgsLineAndItsJsonAndTableListEveryOrgTheCatalogRecorded() throws Exception {
        List<String> orgIds = List.of("acme", "globex", "initech");
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Provision.Result r;
            List<RunReport.Org> lines;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
                r = new Provision(new OpsContext(catalog, pools, Retry.ferretDefault(), "test")).run(new Provision.Request(orgIds, null, "free",
                        SchemaManifest.parse(CliFixture.SMALL_SCHEMA, "small"), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE)));
                lines = CliFixture.lines(r.lines());
            }
            assertThat(r.report().holdsLines()).as("the report holds its orgs' lines").isFalse();
            assertThat(r.report().orgs()).as("no org's line held (the run's items in the catalog hold them)").isEmpty();
            assertThat(r.report().total()).as("every org of the run counted").isEqualTo(items(f, r.report().runId())).isEqualTo(orgIds.size());
            assertThat(r.report().count("provisioned")).isEqualTo(orgIds.size());
            assertThat(lines).extracting(RunReport.Org::orgId).containsExactlyElementsOf(orgIds);
            for (RunReport.Org o : lines) { // each line's database the one the org's row names
                assertThat(o.detail().path("database_name").asText()).as("%s", o).isEqualTo(text(f.catalogUrl,
                        "select database_name from orgs where org_id = '" + o.orgId() + "'"));
            }

            JsonNode doc = strictJson(ok(f.cli, "provision", "acme", "globex", "initech", "--schema", f.schema.toString(), "-o", "json"));
            assertThat(doc.get("orgs")).as("every org of the run").hasSize((int) items(f, doc.get("run_id").asText()));
            List<String> listed = new ArrayList<>();
            for (JsonNode line : doc.get("orgs")) {
                listed.add(line.get("org_id").asText());
                assertThat(line.get("outcome").asText()).as("%s", line).isEqualTo("unchanged");
                assertThat(line.get("database_name").asText()).as("%s", line).isEqualTo(text(f.catalogUrl,
                        "select database_name from orgs where org_id = '" + line.get("org_id").asText() + "'"));
            }
            assertThat(listed).containsExactlyElementsOf(orgIds);
            assertThat(doc.get("failed")).isEmpty();

            Cli.Result table = ok(f.cli, "provision", "acme", "globex", "initech", "--schema", f.schema.toString());
            for (String org : orgIds) {
                assertThat(table.out()).as(table.out()).containsPattern("(?m)^" + org + "\\s+pool-0\\s+\\S+\\s+unchanged\\s+");
            }
            assertThat(table.out()).contains("unchanged 3, failed 0");
        }
    }

    /**
     * A dry run records no run, so its report held every planned org's line instead (RunEngine.plan): a dry run of a fleet
     * held a line per org as long as the command ran. Its report now holds their counts only, and its lines are handed
     * over as planned: held in memory up to a page of orgs (printed as ever), spooled past it — the same lines, in order.
     */
    @Test
    void aDryRunsReportHoldsNoOrgsLineAndALargeOnesLinesAreNotHeldInMemory() throws Exception {
        int orgs = io.tenantctl.ops.run.ReportLines.PAGE + 500;
        try (io.tenantctl.testing.TestPools testPools = new io.tenantctl.testing.TestPools(1)) {
            String url = CliFixture.fleetCatalog(testPools, orgs, "null");
            try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(testPools.uri(0))) {
                for (int i = 1; i <= 3; i++) { // the named orgs' databases are there: a named org's dry run looks (7e80ce5b)
                    client.getDatabase(String.format("org_org_%06d", i)).getCollection("c").insertOne(new org.bson.Document("n", i));
                }
            }
            for (Backup.Selector selector : List.of(new Backup.Selector(List.of("org-000001", "org-000002", "org-000003"), false, List.of(), false),
                    new Backup.Selector(List.of(), true, List.of(), false))) {
                Backup.Result r;
                List<RunReport.Org> lines;
                try (Catalog catalog = Catalog.open(url); PoolClients pools = new PoolClients(Map.of());
                     FileObjectStore store = new FileObjectStore(java.nio.file.Files.createDirectories(dir.resolve("store")))) {
                    r = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(new Backup.Request(selector,
                            new Backup.Copy(Compression.GZIP, false, null), true,
                            new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                            Clock.systemUTC()));
                    lines = CliFixture.lines(r.lines());
                }
                int planned = selector.all() ? orgs : 3;
                assertThat(r.report().dryRun()).isTrue();
                assertThat(r.report().holdsLines()).as("the dry run's report holds its orgs' lines").isFalse();
                assertThat(r.report().orgs()).as("no org's line held in the report").isEmpty();
                assertThat(r.lines().held()).as("a dry run of %d orgs: its lines held in memory", planned).isEqualTo(!selector.all());
                assertThat(r.report().total()).isEqualTo(planned);
                assertThat(r.report().count("planned")).isEqualTo(planned);
                assertThat(lines).as("every planned org, in order").hasSize(planned);
                for (int i = 0; i < planned; i++) {
                    RunReport.Org o = lines.get(i);
                    assertThat(o.orgId()).isEqualTo(String.format("org-%06d", i + 1));
                    assertThat(o.outcome()).isEqualTo("planned");
                    assertThat(o.detail().path("location").asText()).as("%s", o).endsWith("/" + o.orgId() + "/");
                }
            }
            assertThat(CliFixture.count(url, "select count(*) from runs")).as("a dry run records no run").isZero();
        }
    }

    /**
     * rebalance apply --dry-run plans its moves itself, one after another (each counted on those before it), not through
     * the run engine's plan: its report held every planned move's line (with its detail) for as long as the command ran,
     * after the fan-out verbs' dry runs had stopped holding theirs. Its moves' lines are now handed over as planned, as
     * theirs are: held in memory up to a page of moves (printed as ever), spooled past it — the same lines, in order.
     */
    @Test
    void aRebalanceDryRunsReportHoldsNoMovesLineAndALargeOnesLinesAreNotHeldInMemory() throws Exception {
        int orgs = io.tenantctl.ops.run.ReportLines.PAGE + 1; // one past a page: each move is a few catalog reads
        try (io.tenantctl.testing.TestPools testPools = new io.tenantctl.testing.TestPools(2)) {
            String url = CliFixture.fleetCatalog(testPools, orgs, "null");
            CliFixture.addPool(Cli.withCatalog(url), "pool-1", testPools.uri(1), 2 * orgs, 1);
            CliFixture.sql(url, "update pools set status = 'draining' where pool_id = 'pool-0'"); // every org planned off it
            for (int moves : List.of(3, orgs)) {
                Rebalance.Result r;
                List<RunReport.Org> lines;
                try (Catalog catalog = Catalog.open(url); PoolClients pools = new PoolClients(Map.of())) {
                    // a few moves as a saved plan lists them (sized one by one), a fleet's as the drain plans them now
                    List<Rebalance.PlannedMove> saved = moves == orgs ? null : java.util.stream.IntStream.rangeClosed(1, moves).mapToObj(i ->
                            new Rebalance.PlannedMove(String.format("org-%06d", i), "pool-0", "pool-1", 0, 0, 0, "plan")).toList();
                    r = new Rebalance(new OpsContext(catalog, pools, Retry.ferretDefault(), "test")).apply(new Rebalance.ApplyRequest(saved,
                            new Rebalance.PlanRequest("orgs", 0.05, moves, List.of(), List.of()),
                            new Rebalance.Limits(java.time.Duration.ofSeconds(30), java.time.Duration.ZERO, false), true,
                            new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE)));
                    lines = CliFixture.lines(r.lines());
                }
                assertThat(r.report().dryRun()).isTrue();
                assertThat(r.report().holdsLines()).as("the dry run's report holds its moves' lines").isFalse();
                assertThat(r.report().orgs()).as("no move's line held in the report").isEmpty();
                assertThat(r.lines().held()).as("a dry run of %d moves: its lines held in memory", moves).isEqualTo(moves < orgs);
                assertThat(r.report().total()).isEqualTo(moves);
                assertThat(r.report().count("planned")).isEqualTo(moves);
                assertThat(lines).as("every planned move, in order").hasSize(moves);
                for (int i = 0; i < moves; i++) {
                    RunReport.Org o = lines.get(i);
                    assertThat(o.orgId()).isEqualTo(String.format("org-%06d", i + 1));
                    assertThat(o.outcome()).isEqualTo("planned");
                    assertThat(o.poolId()).isEqualTo("pool-0");
                    assertThat(o.detail().path("to_pool").asText()).as("%s", o).isEqualTo("pool-1");
                }
            }
            assertThat(CliFixture.count(url, "select count(*) from runs")).as("a dry run records no run").isZero();
            assertThat(CliFixture.count(url, "select count(*) from orgs where pool_id = 'pool-0'")).as("nothing moved").isEqualTo(orgs);
        }
    }

    @Test
    void rebalanceApplysReportHoldsNoOrgsLineAndItsJsonTableAndMetricsListEveryMoveTheCatalogRecorded() throws Exception {
        List<String> orgIds = List.of("acme", "globex", "initech", "umbrella");
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision(orgIds.toArray(String[]::new));
            f.seedNotesOf(orgIds, 5);

            Rebalance.Result r;
            List<RunReport.Org> lines;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
                Rebalance rebalance = new Rebalance(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"));
                r = rebalance.apply(new Rebalance.ApplyRequest(List.of(rebalance.planOne("acme", "pool-1"), rebalance.planOne("globex", "pool-1")),
                        null, new Rebalance.Limits(java.time.Duration.ofSeconds(30), java.time.Duration.ZERO, false), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE)));
                lines = CliFixture.lines(r.lines());
            }
            assertThat(r.report().holdsLines()).as("the report holds its orgs' lines").isFalse();
            assertThat(r.report().orgs()).as("no org's line held (the run's items in the catalog hold them)").isEmpty();
            assertThat(r.report().total()).as("every org of the run counted").isEqualTo(items(f, r.report().runId())).isEqualTo(2);
            assertThat(r.report().count("moved")).isEqualTo(2);
            assertThat(lines).extracting(RunReport.Org::orgId).containsExactly("acme", "globex");
            for (RunReport.Org o : lines) { // each line's move the one the catalog recorded for the org in this run
                assertThat(o.outcome()).as("%s", o).isEqualTo("moved");
                assertThat(o.detail().path("move_id").asText()).as("%s", o).isEqualTo(text(f.catalogUrl,
                        "select move_id from moves where org_id = '" + o.orgId() + "' and run_id = '" + r.report().runId() + "'"));
                assertThat(o.detail().path("to_pool").asText()).as("%s", o).isEqualTo("pool-1");
            }

            Path plan = java.nio.file.Files.writeString(dir.resolve("plan.json"), "{\"moves\": [{\"org_id\": \"initech\", \"from_pool\": \"pool-0\", "
                    + "\"to_pool\": \"pool-1\"}, {\"org_id\": \"umbrella\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}]}");
            Path prom = dir.resolve("tenantctl_rebalance.prom");
            JsonNode doc = strictJson(ok(f.cli, "rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "-o", "json",
                    "--metrics-file", prom.toString()));
            String runId = doc.get("run_id").asText();
            assertThat(doc.get("orgs")).as("every org of the run").hasSize((int) items(f, runId));
            List<String> listed = new ArrayList<>();
            long bytes = 0;
            for (JsonNode line : doc.get("orgs")) {
                listed.add(line.get("org_id").asText());
                assertThat(line.get("outcome").asText()).as("%s", line).isEqualTo("moved");
                assertThat(line.get("move_id").asText()).as("%s", line).isEqualTo(text(f.catalogUrl,
                        "select move_id from moves where org_id = '" + line.get("org_id").asText() + "' and run_id = '" + runId + "'"));
                assertThat(line.get("bytes").asLong()).as("%s", line).isPositive();
                bytes += line.get("bytes").asLong();
            }
            assertThat(listed).containsExactly("initech", "umbrella");
            assertThat(doc.get("failed")).isEmpty();
            assertThat(MetricsFileTest.gauge(MetricsFileTest.parse(prom), "tenantctl_moved_bytes", "verb", "rebalance", "pool", "pool-0"))
                    .as("the bytes moved off pool-0, the run's orgs' sum").isEqualTo(bytes);

            Path back = java.nio.file.Files.writeString(dir.resolve("back.json"), "{\"moves\": [{\"org_id\": \"acme\", \"from_pool\": \"pool-1\", "
                    + "\"to_pool\": \"pool-0\"}, {\"org_id\": \"globex\", \"from_pool\": \"pool-1\", \"to_pool\": \"pool-0\"}]}");
            Cli.Result table = ok(f.cli, "rebalance", "apply", "--plan", back.toString(), "--freeze-grace", "0");
            for (String org : List.of("acme", "globex")) {
                assertThat(table.out()).as(table.out()).containsPattern("(?m)^" + org + "\\s+pool-1\\s+pool-0\\s+moved\\s+\\d+\\s+\\d+");
            }
            assertThat(table.out()).contains("moved 2, failed 0");
        }
    }

    /** The one text {@code query} selects from the catalog at {@code url}. */
    private static String text(String url, String query) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(query)) {
            assertThat(rs.next()).as(query).isTrue();
            return rs.getString(1);
        }
    }

    private static long items(BackupFixture f, String runId) {
        return CliFixture.count(f.catalogUrl, "select count(*) from run_items where run_id = '" + runId + "'");
    }
}
