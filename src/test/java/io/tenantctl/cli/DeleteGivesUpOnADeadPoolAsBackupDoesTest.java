package io.tenantctl.cli;

import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found timing a slow test: {@code orgs delete} (and its dry run) read the org's database with every read retried, a
 * timeout too, so on a pool that does not answer it waited out the connect timeout six times (≈ 8 s under a 1 s timeout,
 * ≈ 20 s under the 3 s default) where {@code backup --org} of the same org on the same dead pool pings it once and gives
 * up. Each look at a dead pool costs the operator one connect timeout: the delete now looks as often as the backup does,
 * and a pool that answers but refuses one read is still asked again.
 */
class DeleteGivesUpOnADeadPoolAsBackupDoesTest {

    @TempDir
    Path dir;

    /** A CLI on the fleet counting in {@code looks} every try to reach a pool: its pings, commands and collection listings. */
    private static Cli counting(BackupFixture f, AtomicInteger looks) {
        return f.newCli().quickToGiveUpOnDeadPools().decoratePools(real -> HookedPools.onCommand(
                HookedPools.onDatabase(real, (name, db) -> HookedPools.beforeEach(db, "listCollectionNames", looks::incrementAndGet)),
                (db, cmd) -> looks.incrementAndGet(), looks::incrementAndGet));
    }

    @Test
    void aDeleteAndItsDryRunLookAtADeadPoolNoMoreOftenThanABackupDoes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.pools.kill(0);

            AtomicInteger backupLooks = new AtomicInteger();
            Cli.Result backup = counting(f, backupLooks).run("backup", "--org", "acme");
            assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
            assertThat(backupLooks.get()).as("the backup looked at the dead pool: %s", backup).isPositive();

            for (String[] args : new String[][]{{"orgs", "delete", "acme"}, {"orgs", "delete", "acme", "--dry-run"}}) {
                AtomicInteger looks = new AtomicInteger();
                Cli.Result r = counting(f, looks).run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("final backup of org acme").contains("pool pool-0 does not answer: ")
                        .contains("nothing deleted");
                assertThat(looks.get()).as("%s waits out as many connect timeouts as the backup (%s): %s", String.join(" ", args),
                        backupLooks.get(), r).isLessThanOrEqualTo(backupLooks.get());
            }
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void aDeleteWhoseFirstReadIsRefusedOnceAsksAgainAndDeletes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            AtomicInteger refused = new AtomicInteger();
            Cli once = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (refused.getAndIncrement() == 0) {
                            throw new MongoSocketOpenException("Exception opening socket", new ServerAddress());
                        }
                    })));

            Cli.Result r = once.run("orgs", "delete", "acme", "-o", "json");

            assertThat(refused.get()).as("its first read was refused: %s", r).isGreaterThan(1);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("status").asText()).isEqualTo("deleting");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
        }
    }
}
