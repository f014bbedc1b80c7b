package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retained move source written since its move is kept by {@code rebalance gc} with exit 1, so that a gc run from cron
 * says it needs someone. Once a person has looked and decided to keep the copy for now (forensics), the only way on was
 * {@code --drop-changed}: the nightly gc exited 1 every night. The copy's verify finding, acked with {@code verify ack},
 * now tells gc a person looked: still kept (never dropped, listed as kept and acked), exit 0; {@code verify unack} undoes
 * that (exit 1 again), and {@code --drop-changed} still drops it.
 */
class GcOfACopyAckedInVerifyExitsZeroTest {

    @Test
    void anAckedCopyIsKeptWithExitZeroUntilTheAckIsUndone(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 100);
            MongoDatabase source = f.database("pool-0", "org_acme");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");
            source.getCollection("a_notes").insertOne(new Document("_id", "late order")); // a stale client's write

            String[] cron = {"rebalance", "gc", "--older-than", "0"};
            assertThat(f.cli.run(cron).exitCode()).as("kept for a person: exit 1").isEqualTo(1);

            JsonNode verify = strictJson(f.cli.run("verify", "--retired-grace", "0", "-o", "json"));
            JsonNode copy = null;
            for (JsonNode finding : verify.get("findings")) {
                if (finding.get("kind").asText().startsWith("retained_copy") && finding.get("pool_id").asText().equals("pool-0")) {
                    copy = finding;
                }
            }
            assertThat(copy).as("verify lists the retained copy: %s", verify).isNotNull();
            String id = copy.get("finding_id").asText();
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "forensics: kept for the audit");

            Cli.Result table = f.cli.run(cron);
            assertThat(table.exitCode()).as("a person looked and acked it: %s", table).isZero();
            assertThat(table.out()).contains("org_acme").contains("kept").contains("acked").contains(id).contains("forensics: kept for the audit")
                    .contains("dropped 0 databases; 1 kept, acked");
            Cli.Result dryTable = f.cli.run("rebalance", "gc", "--older-than", "0", "--dry-run");
            assertThat(dryTable.exitCode()).as("the dry run says the same: %s", dryTable).isZero();
            assertThat(dryTable.out()).contains("acked").contains(id).contains("would drop 0 databases; 1 would be kept, acked");
            for (String[] args : List.of(new String[]{"rebalance", "gc", "--older-than", "0", "-o", "json"},
                    new String[]{"rebalance", "gc", "--older-than", "0", "--dry-run", "-o", "json"})) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isZero();
                JsonNode item = strictJson(r).get("items").get(0);
                assertThat(item.get("database_name").asText()).isEqualTo("org_acme");
                assertThat(item.get("action").asText()).as(r.toString()).isEqualTo("kept");
                assertThat(item.get("detail").asText()).as(r.toString()).contains("written since move");
                assertThat(item.path("acked").path("finding_id").asText()).as(r.toString()).isEqualTo(id);
                assertThat(item.path("acked").path("reason").asText()).as(r.toString()).isEqualTo("forensics: kept for the audit");
            }
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
            assertThat(source.getCollection("a_notes").countDocuments(new Document("_id", "late order"))).isEqualTo(1);
            assertThat(source.getCollection("a_notes").countDocuments()).isEqualTo(101);

            // undone: the copy is for a person to look at again
            ok(f.cli, "verify", "unack", id);
            Cli.Result again = f.cli.run(cron);
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
            assertThat(again.out()).contains("1 kept for a person to look at");

            // acked again, then dropped on purpose: --drop-changed still drops it
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "forensics");
            JsonNode forced = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0", "--drop-changed", "pool-0/org_acme", "-o", "json"));
            assertThat(forced.get("items").get(0).get("action").asText()).as(forced.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }

    /** Undoing an ack: the finding is a problem again for verify too; a dry run changes nothing; an unknown id is refused. */
    @Test
    void unackMakesTheFindingAProblemAgain(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String id = f.staleFinding("acme");
            ok(f.cli, "verify", "ack", id, "--until", "1d", "--reason", "r");
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).isZero();

            JsonNode dry = strictJson(ok(f.cli, "verify", "unack", id, "--dry-run", "-o", "json"));
            assertThat(dry.path("dry_run").asBoolean()).as(dry.toString()).isTrue();
            assertThat(dry.path("acked_until").isNull()).as(dry.toString()).isTrue();
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).as("the dry run undid nothing").isZero();

            Cli.Result undone = ok(f.cli, "verify", "unack", id);
            assertThat(undone.out()).contains(id).contains("no longer acked");
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).isEqualTo(4);
            assertThat(ok(f.cli, "verify", "unack", id).out()).contains("not acked");

            Cli.Result unknown = f.cli.run("verify", "unack", "F-000000000000");
            assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
            assertThat(unknown.err()).contains("F-000000000000");
        }
    }
}
