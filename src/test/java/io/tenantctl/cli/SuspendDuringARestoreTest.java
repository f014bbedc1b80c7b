package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (different verbs at once): while a restore holds an org (its lease; status {@code restoring} from
 * its claim to its flip), {@code orgs suspend} (and resume, delete) checks the org's status before it asks for the
 * lease, so instead of the busy refusal every other holder gets (exit 3, "org acme is busy: restore by …", "--wait") it
 * is a usage error (exit 2: "org acme is restoring: only active or read_only orgs can be suspended"), and {@code --wait}
 * — documented as "if another operation holds the org, wait for it" — does not wait at all. The on-call engineer who
 * must stop a customer's writes now (suspend --wait while the restore finishes) gets exit 2 and nothing suspended; when
 * the restore flips a moment later the org is writable again. A move, a frozen backup or a migration holding the org
 * are waited for; a restore must be too.
 */
@Timeout(180)
class SuspendDuringARestoreTest {

    @TempDir
    Path dir;

    @Test
    void suspendWithWaitDuringARestoreWaitsForItAndThenSuspends() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 40);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId, "-o", "json");
            assertThat(held.awaitReached()).as("the restore is copying").isTrue();

            CompletableFuture<Void> waiting = new CompletableFuture<>();
            CompletableFuture<Cli.Result> suspend = f.cli.start(new CancelToken(), text -> {
                if (text.contains("waiting (--wait)")) {
                    waiting.complete(null);
                }
            }, "orgs", "suspend", "acme", "--wait", "-o", "json");
            Cli.Result early;
            try {
                CompletableFuture.anyOf(waiting, suspend).get(60, TimeUnit.SECONDS);
                early = suspend.getNow(null);
            } finally {
                held.release();
            }
            assertThat(early).as("'orgs suspend --wait' during a restore waits for it; it ended at once with %s", early).isNull();

            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);
            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            Cli.Result s = suspend.get(60, TimeUnit.SECONDS);
            assertThat(s.exitCode()).as(s.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).as("suspended after the restore, as asked").isEqualTo("read_only");
            assertThat(BackupFixture.contents(f.db("acme"))).isEqualTo(backedUp);
        }
    }

    @Test
    void suspendWithoutWaitDuringARestoreIsRefusedAsBusyNamingTheRestore() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 40);
            String backupId = f.backup("acme");
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId, "-o", "json");
            assertThat(held.awaitReached()).as("the restore is copying").isTrue();
            try {
                Cli.Result s = f.cli.run("orgs", "suspend", "acme", "-o", "json");
                // as for every other holder: exit 3 (busy), naming the restore, and saying --wait waits for it
                assertThat(s.exitCode()).as(s.toString()).isEqualTo(3);
                JsonNode error = strictJson(s).get("error");
                assertThat(error.get("message").asText()).contains("org acme is busy: restore by").contains("--wait");
            } finally {
                held.release();
            }
            assertThat(restore.get(60, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
