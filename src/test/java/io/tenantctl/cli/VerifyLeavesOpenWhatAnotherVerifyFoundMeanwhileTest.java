package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two verifies at once (a cron's fleet verify, and an operator's {@code verify --org} meanwhile): the fleet one checks
 * acme, then the operator's finds acme's indexes gone (another index dropped since) and records it, then the fleet one
 * ends. It resolved every open finding of the orgs it checked that it had not seen itself — the one the operator's
 * verify had just found, on an org the fleet verify had looked at before that: a missing index, real, shown resolved
 * (its ack refused as "resolved"), until the next verify. What was recorded after a verify began is left open by it.
 */
@Timeout(120)
class VerifyLeavesOpenWhatAnotherVerifyFoundMeanwhileTest {

    @TempDir
    Path dir;

    @Test
    void aFindingAnotherVerifyRecordedWhileThisOneRanStaysOpen() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");

            // when the fleet verify reaches its second org, the first one lost its indexes and another verify found it
            AtomicReference<String> first = new AtomicReference<>();
            AtomicReference<Cli.Result> meanwhile = new AtomicReference<>();
            Cli fleet = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "cron")).decoratePools(real ->
                    HookedPools.onDatabase(real, (name, db) -> {
                        if (!List.of("org_acme", "org_globex").contains(name)) {
                            return db;
                        }
                        first.compareAndSet(null, name);
                        if (!name.equals(first.get()) && meanwhile.get() == null) {
                            String org = first.get().substring("org_".length());
                            for (String c : f.db(org).listCollectionNames()) {
                                f.db(org).getCollection(c).dropIndexes();
                            }
                            meanwhile.set(f.cli.run("verify", "--org", org, "-o", "json"));
                        }
                        return db;
                    }));

            Cli.Result whole = fleet.run("verify", "--per-pool", "1", "--concurrency", "1", "-o", "json");
            assertThat(meanwhile.get()).as("the other verify ran meanwhile: %s", whole).isNotNull();
            assertThat(meanwhile.get().exitCode()).as(meanwhile.get().toString()).isEqualTo(4);
            String org = first.get().substring("org_".length());
            List<JsonNode> missing = CliFixture.findings(strictJson(meanwhile.get()), "schema_missing");
            assertThat(missing).as(meanwhile.get().toString()).isNotEmpty();
            assertThat(CliFixture.findings(strictJson(whole), "schema_missing")).as("the fleet verify had checked %s before", org).isEmpty();

            for (JsonNode x : missing) {
                String id = x.get("finding_id").asText();
                assertThat(CliFixture.count(f.catalogUrl, "select count(*) from findings where finding_id = '" + id
                        + "' and resolved_at is null")).as("%s is still open after the fleet verify", id).isEqualTo(1);
            }
            Cli.Result ack = f.cli.run("verify", "ack", missing.get(0).get("finding_id").asText(), "--until", "7d", "--reason", "rebuild tonight");
            assertThat(ack.exitCode()).as("an ack of the missing index, open: %s", ack).isZero();

            // the next verify sees it again: known, not new
            Cli.Result next = f.cli.run("verify", "-o", "json");
            assertThat(CliFixture.findings(strictJson(next), "schema_missing")).extracting(x -> x.get("finding_id").asText())
                    .containsExactlyInAnyOrderElementsOf(missing.stream().map(x -> x.get("finding_id").asText()).toList());
        }
    }
}
