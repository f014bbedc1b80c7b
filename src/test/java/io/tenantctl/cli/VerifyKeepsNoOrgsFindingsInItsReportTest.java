package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.Verify;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code verify} over 10,000 orgs with hundreds of findings each ran out of memory at -Xmx256m: the run's report held
 * every org's recorded findings (its run item's detail, once as read and again rewritten for -o json) besides the
 * findings themselves. The findings are in the catalog (each org's run item): the report keeps each org's line without
 * them, and -o json's {@code orgs[]} reads each org's findings back from its run item as the line is written. The
 * report kept each org's line (without findings) unless its caller asked otherwise, as verify's command did: now no
 * verify's report holds any, whoever asks — its counts, timings and slowest few — and its orgs are read from the run's items.
 */
class VerifyKeepsNoOrgsFindingsInItsReportTest {

    @TempDir
    Path dir;

    @Test
    void theReportHoldsNoOrgsFindingsAndEveryOrgsLineStillListsThem() throws Exception {
        List<String> orgIds = List.of("acme", "globex", "initech");
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision(orgIds.toArray(String[]::new));
            for (String org : orgIds) { // every index of every collection gone: several schema_missing findings per org
                for (String c : f.db(org).listCollectionNames()) {
                    f.db(org).getCollection(c).dropIndexes();
                }
            }

            Verify.Result r;
            List<Verify.Finding> found = new ArrayList<>();
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of())) {
                Verify.Request req = new Verify.Request(List.of(), List.of(), false, null, null, null, false, false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        null, Map.of(), false, "");
                r = new Verify(new OpsContext(catalog, pools, Retry.ferretDefault(), "test")).run(req);
                r.findings().forEach(found::add); // read back from the catalog
                r.close();
            }
            for (String org : orgIds) {
                assertThat(found).as("findings of %s", org).anyMatch(x -> org.equals(x.orgId()) && x.kind().equals("schema_missing"));
            }
            // whoever asks: no line of any org held (a fleet's are many), its counts, timings and a few slowest orgs kept
            assertThat(r.report().holdsLines()).as("the report holds its orgs' lines").isFalse();
            assertThat(r.report().orgs()).as("the report holds no org's line (the run's items in the catalog hold them)").isEmpty();
            assertThat(r.report().slowest(RunReport.SLOWEST_KEPT)).hasSizeLessThanOrEqualTo(RunReport.SLOWEST_KEPT)
                    .allSatisfy(o -> assertThat(o.detailJson()).as(o.orgId()).isNull());
            assertThat(r.report().total()).as("every org of the run counted").isEqualTo(CliFixture.count(f.catalogUrl,
                    "select count(*) from run_items where run_id = '" + r.report().runId() + "'")).isEqualTo(orgIds.size());
            assertThat(r.report().timings().count()).isEqualTo(orgIds.size());
            assertThat(r.report().count("problems")).as("each org is still judged by its findings").isEqualTo(orgIds.size());

            Cli.Result json = f.cli.run("verify", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode doc = strictJson(json);
            assertThat(doc.get("orgs")).as("every org of the run").hasSize((int) CliFixture.count(f.catalogUrl,
                    "select count(*) from run_items where run_id = '" + doc.get("run_id").asText() + "'"));
            for (JsonNode line : doc.get("orgs")) {
                String org = line.get("org_id").asText();
                assertThat(line.get("outcome").asText()).isEqualTo("problems");
                List<String> ofLine = new ArrayList<>();
                line.get("findings").forEach(x -> {
                    assertThat(x.has("fix_text")).as("%s", x).isFalse();
                    ofLine.add(x.get("kind").asText() + " " + x.get("detail").asText() + " " + x.get("fix").asText());
                });
                List<String> ofOrg = new ArrayList<>();
                doc.get("findings").forEach(x -> {
                    if (org.equals(x.path("org_id").asText(null))) { // its check's, and the fleet checks' of it (backup_stale)
                        ofOrg.add(x.get("kind").asText() + " " + x.get("detail").asText() + " " + x.get("fix").asText());
                    }
                });
                assertThat(ofLine).as("org %s's line lists every finding of it", org).isNotEmpty()
                        .containsExactlyInAnyOrderElementsOf(ofOrg);
            }
        }
    }
}
