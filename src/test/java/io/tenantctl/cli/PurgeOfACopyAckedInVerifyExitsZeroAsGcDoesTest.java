package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deleted org's database a purge handed over but could not drop, then written by a stale client, is kept by both
 * {@code orgs purge} and {@code rebalance gc} for a person, and verify lists it as a retained copy. A person who looked
 * and acked that finding ("keep it") silenced gc (exit 0), but purge, which keeps the same database for the same reason,
 * still exited 1 every night. Purge honours the same ack as gc: still kept (never dropped), exit 0, the ack named; an
 * unack brings exit 1 back.
 */
class PurgeOfACopyAckedInVerifyExitsZeroAsGcDoesTest {

    @Test
    void anAckedLeftoverOfAPurgeIsKeptWithExitZero(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            // handed over, not dropped (its drop fails), then written by a client whose routing still had it
            f.handedOverByAPurgeThatDidNotDrop("acme");
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", "late order"));
            Cli.Result kept = f.cli.run("orgs", "purge");
            assertThat(kept.exitCode()).as("kept for a person: %s", kept).isEqualTo(1);
            assertThat(kept.out()).contains("written since its delete");

            List<JsonNode> copies = findings(strictJson(f.cli.run("verify", "-o", "json")), "retained_copy");
            assertThat(copies).hasSize(1);
            String id = copies.get(0).get("finding_id").asText();
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "legal hold");
            assertThat(f.cli.run("rebalance", "gc", "--older-than", "0").exitCode()).as("gc honours the ack").isZero();

            Cli.Result purge = f.cli.run("orgs", "purge");
            assertThat(purge.exitCode()).as("purge honours it as gc does: %s", purge).isZero();
            assertThat(purge.out()).contains("org_acme").contains("kept").contains(id).contains("legal hold")
                    .contains("written since its delete").contains("1 kept, acked");
            for (String[] args : List.of(new String[]{"orgs", "purge", "-o", "json"}, new String[]{"orgs", "purge", "--dry-run", "-o", "json"})) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isZero();
                JsonNode item = strictJson(r).get("orgs").get(0);
                assertThat(item.get("action").asText()).as(r.toString()).isEqualTo("kept");
                assertThat(item.path("acked").path("finding_id").asText()).as(r.toString()).isEqualTo(id);
                assertThat(item.path("acked").path("reason").asText()).as(r.toString()).isEqualTo("legal hold");
            }
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments(new Document("_id", "late order"))).isEqualTo(1);

            ok(f.cli, "verify", "unack", id);
            assertThat(f.cli.run("orgs", "purge").exitCode()).as("undone: for a person again").isEqualTo(1);
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
        }
    }
}
