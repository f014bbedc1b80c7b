package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a {@code restore --to-org NEW} killed mid-copy. {@code orgs show NEW}'s next step pinned
 * {@code --target-pool} to the pool placement had chosen, which the operator never typed (once that pool was drained,
 * the advice failed where the restore without it worked); and the restore run again rolled the dead one back without a
 * word, its dry run not saying that it would. The next step is the restore as it was given; what a dead operation left
 * is said when it is put right, and by a dry run as what would be.
 */
class ADeadRestoreToANewOrgTest {

    private static final int NOTES = 20_000;

    @TempDir
    Path dir;

    @Test
    void theNextStepIsTheRestoreAsGivenAndTheRollbackIsSaid() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", NOTES);
            String backupId = f.backup("acme");
            RestoreCrashTest.killRestoreWhen(f, dir, () -> copying(f), "--org", "acme", "--backup", backupId, "--to-org", "dst");

            JsonNode shown = strictJson(ok(f.cli, "orgs", "show", "dst", "-o", "json"));
            String next = shown.get("next").asText();
            assertThat(next).as(shown.toString()).isEqualTo("tenantctl restore --org acme --backup " + backupId + " --to-org dst");

            // found by a probing helper: the dry run planned the half-made org's pool, where the real run rolls the dead
            // restore back first and places dst anew — on the other pool once the half-made one's is drained
            String halfMade = f.org("dst").get("pool_id").asText();
            String other = halfMade.equals("pool-0") ? "pool-1" : "pool-0";
            ok(f.cli, "pools", "drain", halfMade);

            String[] pasted = next.substring("tenantctl ".length()).split(" ");
            Cli.Result dry = f.cli.run(append(pasted, "--dry-run", "-o", "json"));
            // found in review: it said every way a rollback can end ('its partial database dropped, the org's status put back, a
            // --to-org org not created …'), not the one this org's will
            String runId = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(dry.err()).as(dry.toString()).contains("org dst: the restore of backup " + backupId + " (run " + runId + ") that held it "
                    + "died: org dst (made by restore --to-org) would not be created: its partial database org_dst on pool " + halfMade
                    + " would be dropped; its run would be closed as failed\n");
            assertThat(strictJson(dry).get("pool_id").asText()).as("planned as the real run places it: %s", dry).isEqualTo(other);
            assertThat(f.org("dst").get("status").asText()).as("a dry run").isEqualTo("restoring");

            Cli.Result real = ok(f.cli, pasted);
            assertThat(real.err()).as("as its dry run said: %s", real).contains("the restore of backup " + backupId + " (run " + runId
                    + ") died; the partial database org_dst was removed; org dst was not created\n");
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("failed");
            assertThat(f.org("dst").get("pool_id").asText()).as(real.toString()).isEqualTo(other);
            assertThat(f.db("dst").getCollection("notes").countDocuments()).isEqualTo(NOTES);
            assertThat(f.org("dst").get("status").asText()).isEqualTo("active");
        }
    }

    private static boolean copying(BackupFixture f) {
        for (String pool : new String[]{"pool-0", "pool-1"}) {
            if (f.databaseNames(pool).contains("org_dst") && f.database(pool, "org_dst").getCollection("notes").estimatedDocumentCount() >= 1000) {
                return true;
            }
        }
        return false;
    }

    private static String[] append(String[] args, String... more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }
}
