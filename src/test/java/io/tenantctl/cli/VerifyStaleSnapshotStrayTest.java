package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e: verify reads the orgs' pointers once, when it starts, and the pools' database lists later (at the first
 * org it checks on each pool, or in the fleet checks). A restore or a move that flips an org in between — routine while
 * a long verify of a large fleet runs, or a nightly verify overlaps a rebalance apply — leaves the org's new, live
 * database unexplained by verify's stale pointer: it is reported {@code stray_copy} ("no move or restore recorded this
 * copy", a problem) with the fix {@code db.getSiblingDB('…').dropDatabase()} — the org's only current data.
 */
@Timeout(180)
class VerifyStaleSnapshotStrayTest {

    @TempDir
    Path dir;

    /** Runs {@code during} once, just before verify first lists a pool's databases. */
    private static Cli verifier(BackupFixture f, Runnable during) {
        AtomicReference<Boolean> done = new AtomicReference<>(false);
        return new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test")).decoratePools(real ->
                HookedPools.onCommand(real, (db, cmd) -> {
                    if (HookedPools.is(cmd, "listDatabases") && done.compareAndSet(false, true)) {
                        during.run();
                    }
                }));
    }

    private static void assertNotToldToDropItsLiveDatabase(BackupFixture f, Cli.Result v, String orgId) {
        JsonNode org = f.org(orgId);
        String live = org.get("database_name").asText();
        String pool = org.get("pool_id").asText();
        for (JsonNode x : strictJson(v).get("findings")) {
            boolean aboutLive = x.get("detail").asText().startsWith(live + " on pool " + pool);
            assertThat(aboutLive && x.get("fix_note").asText().contains("dropDatabase"))
                    .as("verify tells the engineer to drop %s on %s, where org %s lives now: %s%n%s", live, pool, orgId, x, v)
                    .isFalse();
        }
    }

    @Test
    void aRestoreThatFlipsWhileVerifyRunsIsNotReportedAsAStrayToDrop() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 10);
            List.of("acme", "globex").forEach(f::backup);
            AtomicReference<Cli.Result> restore = new AtomicReference<>();
            Cli verifier = verifier(f, () -> restore.set(f.cli.run("restore", "--org", "acme")));

            Cli.Result v = verifier.run("verify", "-o", "json");

            assertThat(restore.get().exitCode()).as(restore.get().toString()).isZero();
            assertNotToldToDropItsLiveDatabase(f, v, "acme");
            assertThat(v.exitCode()).as("nothing is wrong with the fleet: %s", v).isZero();
        }
    }

    @Test
    void aMoveThatFlipsWhileVerifyRunsIsNotReportedAsAStrayToDrop() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 10);
            List.of("acme", "globex").forEach(f::backup);
            AtomicReference<Cli.Result> move = new AtomicReference<>();
            Cli verifier = verifier(f, () -> move.set(f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0")));

            Cli.Result v = verifier.run("verify", "-o", "json");

            assertThat(move.get().exitCode()).as(move.get().toString()).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertNotToldToDropItsLiveDatabase(f, v, "acme");
        }
    }
}
