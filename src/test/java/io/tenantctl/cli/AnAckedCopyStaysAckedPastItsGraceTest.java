package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retained copy's finding is {@code retained_copy} within its grace and {@code retained_copy_overdue} past it: another
 * kind, so another finding id. An operator who acked the copy ("forensics, keep it until the audit") found the ack gone
 * the night the copy aged past its grace — nothing about the copy had changed, yet verify exited 4 and the nightly gc
 * exited 1 on it again. The ack follows the copy across its grace until it runs out (or is undone).
 */
class AnAckedCopyStaysAckedPastItsGraceTest {

    @Test
    void theAckOfACopyWithinItsGraceStillHoldsOnceItIsOverdue(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 10);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");
            f.database("pool-0", "org_acme").getCollection("a_notes").insertOne(new Document("_id", "late order")); // a stale client
            ok(f.cli, "backup", "--org", "acme"); // the copy is the only thing verify has to say

            // within its grace: the copy is retained_copy; the operator acks it
            JsonNode young = copyFinding(strictJson(f.cli.run("verify", "--retired-grace", "7d", "-o", "json")));
            assertThat(young.get("kind").asText()).isEqualTo("retained_copy");
            String acked = young.get("finding_id").asText();
            ok(f.cli, "verify", "ack", acked, "--until", "30d", "--reason", "forensics: kept for the audit");
            String[] cron = {"rebalance", "gc", "--older-than", "0"};
            assertThat(f.cli.run(cron).exitCode()).as("acked: gc keeps it with exit 0").isZero();

            // the copy ages past its grace (the same copy, unchanged): retained_copy_overdue, a problem
            Cli.Result verify = f.cli.run("verify", "--retired-grace", "0", "-o", "json");
            JsonNode old = copyFinding(strictJson(verify));
            assertThat(old.get("kind").asText()).isEqualTo("retained_copy_overdue");
            assertThat(old.get("state").asText()).as("the ack carried over: %s", old).isEqualTo("acked");
            assertThat(old.get("ack_reason").asText()).isEqualTo("forensics: kept for the audit");
            assertThat(verify.exitCode()).as("nothing un-acked is left: %s", verify).isZero();
            Cli.Result gc = f.cli.run(cron);
            assertThat(gc.exitCode()).as("the nightly gc still sees the ack: %s", gc).isZero();
            assertThat(gc.out()).contains("org_acme").contains("forensics: kept for the audit").contains("1 kept, acked");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            // the ack is the overdue finding's own now: undoing it makes the copy a problem again
            String overdue = old.get("finding_id").asText();
            ok(f.cli, "verify", "unack", overdue);
            assertThat(f.cli.run("verify", "--retired-grace", "0").exitCode()).isEqualTo(4);
            assertThat(f.cli.run(cron).exitCode()).isEqualTo(1);
        }
    }

    private static JsonNode copyFinding(JsonNode verify) {
        for (JsonNode finding : verify.get("findings")) {
            if (finding.get("kind").asText().startsWith("retained_copy") && finding.get("pool_id").asText().equals("pool-0")) {
                return finding;
            }
        }
        throw new AssertionError("no retained copy finding in " + verify);
    }
}
