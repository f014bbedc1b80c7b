package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper ran two verbs on one org at once: while a move held acme's lease, {@code orgs delete acme --dry-run}
 * planned the final backup and the delete (exit 0) and {@code restore --org acme --dry-run} said "planned" (exit 0),
 * while the real commands refused at once (exit 3, "org acme is busy: move by …; pass --wait"); and
 * {@code backups prune --dry-run} said it would delete backups the real prune kept ("kept this time"). A dry run looks at
 * the lease, taking nothing, and says what the real command would do: the same refusal without --wait, a wait with it.
 */
class DryRunsOfAnOrgAnotherOperationHoldsTest {

    @TempDir
    Path dir;

    @Test
    void deleteAndRestoreDryRunsRefuseABusyOrgAsTheCommandsDo() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.heldBy("acme", "move");

            BackupFixture.refusedAsBusy(f.cli.run("orgs", "delete", "acme", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "delete", "acme", "--dry-run", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "delete", "acme", "--no-backup", "--dry-run", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("restore", "--org", "acme", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("restore", "--org", "acme", "--dry-run", "-o", "json"), "acme", "move");

            // with --wait the command would wait for the holder: the dry run says so, and plans
            Cli.Result delete = ok(f.cli, "orgs", "delete", "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(delete.err()).contains("would wait (--wait)").contains("org acme is busy: move by");
            Cli.Result restore = ok(f.cli, "restore", "--org", "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(restore.err()).contains("would wait (--wait)").contains("org acme is busy: move by");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void pruneDryRunKeepsABusyOrgsBackupsThisTimeAsThePruneDoes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String b1 = f.backup("acme");
            f.backup("acme");
            f.heldBy("acme", "move");

            String[] prune = {"backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "--grace-hours", "0", "-o", "json"};
            JsonNode dry = strictJson(ok(f.cli, concat(prune, "--dry-run")));
            JsonNode real = strictJson(ok(f.cli, prune));
            assertThat(decision(real, b1).get("action").asText()).as(real.toString()).isEqualTo("keep");
            assertThat(decision(dry, b1).get("action").asText()).as("the dry run says what the prune did: %s", dry).isEqualTo("keep");
            assertThat(decision(dry, b1).get("reason").asText()).contains("org acme is busy: move by").contains("kept this time");
            assertThat(dry.get("would_delete").asInt()).as(dry.toString()).isZero();
        }
    }

    private static String[] concat(String[] args, String more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = more;
        return out;
    }

    private static JsonNode decision(JsonNode prune, String backupId) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        prune.get("decisions").forEach(d -> out.put(d.get("backup_id").asText(), d));
        return out.get(backupId);
    }
}
