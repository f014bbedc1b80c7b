package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only a fleet verify lists the pools' databases and finds retained copies; a {@code verify --org ORG} (or one of another
 * pool) does not look for them, yet it resolved the org's retained copy finding as "not seen" — and with it the ack a
 * person had put on it: the nightly gc exited 1 again for the copy, and the next fleet verify found it anew, unacked. A
 * verify leaves open the copy findings of the pools it did not list, their acks with them.
 */
class AnAckedCopyStaysAckedAfterAVerifyOfItsOrgTest {

    @Test
    void aVerifyOfTheOrgAloneDoesNotResolveItsAckedCopy(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 10);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");
            f.database("pool-0", "org_acme").getCollection("a_notes").insertOne(new Document("_id", "late order")); // a stale client
            ok(f.cli, "backup", "--org", "acme");

            JsonNode copy = findings(strictJson(f.cli.run("verify", "-o", "json")), "retained_copy").get(0);
            String id = copy.get("finding_id").asText();
            ok(f.cli, "verify", "ack", id, "--until", "30d", "--reason", "forensics: kept for the audit");
            String[] cron = {"rebalance", "gc", "--older-than", "0"};
            assertThat(f.cli.run(cron).exitCode()).as("acked: kept, exit 0").isZero();

            ok(f.cli, "verify", "--org", "acme"); // looks at acme's own database on pool-1, not at pool-0's copies
            ok(f.cli, "verify", "--pool", "pool-1");
            Cli.Result gc = f.cli.run(cron);
            assertThat(gc.exitCode()).as("the ack still holds: %s", gc).isZero();
            assertThat(gc.out()).contains("forensics: kept for the audit").contains("1 kept, acked");

            JsonNode again = findings(strictJson(f.cli.run("verify", "-o", "json")), "retained_copy").get(0);
            assertThat(again.get("finding_id").asText()).isEqualTo(id);
            assertThat(again.get("state").asText()).as(again.toString()).isEqualTo("acked");
        }
    }
}
