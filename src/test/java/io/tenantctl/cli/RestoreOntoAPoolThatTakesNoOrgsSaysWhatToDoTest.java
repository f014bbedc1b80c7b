package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code restore --org acme --target-pool P} (an existing org, not --to-org) onto a pool that
 * is draining or full said only "pool P cannot take org acme: it is draining with 1/100 orgs" — what failed, not what to
 * do. At 3 a.m. the way on is another pool with room, or the org's own (the --to-org refusal already names leaving the
 * pin out). The refusal names the restore that works, and that restore, pasted, restores the org.
 */
class RestoreOntoAPoolThatTakesNoOrgsSaysWhatToDoTest {

    @TempDir
    Path dir;

    @Test
    void aDrainingOrFullTargetPoolNamesTheRestoreThatWorks() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme");
            f.provisionTier("free", "pool-1", "beta");
            f.notes("acme", "notes", 5);
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            String id = f.backup("acme");
            String works = "'tenantctl restore --org acme --backup " + id + " --target-pool pool-2'";

            ok(f.cli, "pools", "drain", "pool-1");
            for (boolean dry : new boolean[]{true, false}) {
                Cli.Result draining = dry ? f.cli.run("restore", "--org", "acme", "--target-pool", "pool-1", "--dry-run")
                        : f.cli.run("restore", "--org", "acme", "--target-pool", "pool-1");
                assertThat(draining.exitCode()).as(draining.toString()).isEqualTo(1);
                assertThat(draining.err()).as(draining.toString()).contains("pool-1").contains("draining").contains(works)
                        .contains("leave out --target-pool");
            }
            ok(f.cli, "pools", "enable", "pool-1");
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "1");
            Cli.Result full = f.cli.run("restore", "--org", "acme", "--target-pool", "pool-1");
            assertThat(full.exitCode()).as(full.toString()).isEqualTo(1);
            assertThat(full.err()).as(full.toString()).contains("pool-1").contains(works).contains("leave out --target-pool");
            assertThat(f.org("acme").get("database_name").asText()).as("refused: acme where it was").isEqualTo("org_acme");

            // the restore the refusal names, as pasted
            ok(f.cli, works.substring("'tenantctl ".length(), works.length() - 1).split(" "));
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-2");
            f.assertHolds("acme", data);
        }
    }
}
