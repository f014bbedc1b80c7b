package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code restore --to-org NEW --target-pool FULL} said "place the org without --pool", a flag
 * restore does not have (pasted: "Unknown options: '--pool'"). It names --target-pool; and a draining pool's refusal
 * names leaving the pin out too, not only enabling the pool.
 */
class RestoreIntoAFullTargetPoolNamesItsOwnFlagTest {

    @TempDir
    Path dir;

    @Test
    void theRefusalNamesTargetPool() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");
            String pool = f.org("acme").get("pool_id").asText();
            ok(f.cli, "pools", "set-capacity", pool, "--capacity", "1");

            for (String[] args : new String[][]{{"restore", "--org", "acme", "--to-org", "copy", "--target-pool", pool},
                    {"restore", "--org", "acme", "--to-org", "copy", "--target-pool", pool, "--dry-run"}}) {
                Cli.Result full = f.cli.run(args);
                assertThat(full.exitCode()).as(full.toString()).isEqualTo(1);
                assertThat(full.err()).contains("is full").contains("without --target-pool").doesNotContain("without --pool");
            }
            ok(f.cli, "pools", "drain", pool);
            Cli.Result draining = f.cli.run("restore", "--org", "acme", "--to-org", "copy", "--target-pool", pool);
            assertThat(draining.exitCode()).as(draining.toString()).isEqualTo(1);
            assertThat(draining.err()).contains("is draining").contains("without --target-pool");
            ok(f.cli, "restore", "--org", "acme", "--to-org", "copy"); // as the refusal says
            assertThat(f.db("copy").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }
}
