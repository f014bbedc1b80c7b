package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.addPool;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code orgs adopt NEWID --pool P --database org_globex} adopting a move's retired source copy
 * when P was a second registration of the copy's server spelled otherwise (P = mongodb://localhost:PORT, the copy
 * recorded on pool-0 = mongodb://127.0.0.1:PORT; globex since restored to a fresh database, so no org's row names it):
 * README says adopt refuses a retired copy, which gc drops once its grace is over. Adopt asks the servers, as gc does (a probe written through one pool, read back
 * through the other), and refuses it as it does through the pool that recorded it; nothing is left behind.
 */
class AdoptOfARetiredCopyThroughAnotherSpellingTest {

    @TempDir
    Path dir;

    @Test
    void aRetiredCopyIsRefusedThroughAnotherSpellingOfItsServer() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("globex");
            f.notes("globex", "notes", 10);
            f.backup("globex");
            ok(f.cli, "rebalance", "move", "globex", "--to", "pool-1", "--freeze-grace", "0");
            assertThat(f.databaseNames("pool-0")).contains("org_globex"); // the move's retained source
            ok(f.cli, "restore", "--org", "globex"); // a fresh database: no org's row names org_globex any more
            assertThat(f.org("globex").get("database_name").asText()).isNotEqualTo("org_globex");

            Cli.Result samePool = f.cli.run("orgs", "adopt", "newco", "--pool", "pool-0", "--database", "org_globex", "-o", "json");
            assertThat(samePool.exitCode()).as(samePool.toString()).isNotZero();
            assertThat(samePool.out()).contains("org globex's retired copy on pool pool-0");

            addPool(f.cli, "pool-2", f.pools.uri(0).replace("127.0.0.1", "localhost"), 10, 0);
            for (boolean dryRun : new boolean[] {true, false}) {
                Cli.Result r = dryRun
                        ? f.cli.run("orgs", "adopt", "newco", "--pool", "pool-2", "--database", "org_globex", "--dry-run", "-o", "json")
                        : f.cli.run("orgs", "adopt", "newco", "--pool", "pool-2", "--database", "org_globex", "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(samePool.exitCode());
                JsonNode org = strictJson(r).get("orgs").get(0);
                assertThat(org.get("error").asText()).as(r.toString()).contains("org globex's retired copy on pool pool-0")
                        .contains("not adoptable");
            }
            Cli.Result show = f.cli.run("orgs", "show", "newco", "-o", "json");
            assertThat(show.exitCode()).as("nothing adopted: %s", show).isNotZero();
            assertThat(f.database("pool-0", "org_globex").listCollectionNames().into(new java.util.ArrayList<>()))
                    .as("the probe is gone").doesNotContain("tenantctl_gc_probe");
        }
    }
}
