package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming today's migrate-all fix (commit 411be6a, "waits for an org frozen for a moment by an operation
 * holding it"). The selection now takes every read_only org that has <em>any</em> lease row, not only one frozen by the
 * operation holding it. An org the operator suspended on purpose (read_only, README: "Orgs that are read_only … are
 * skipped and listed") is selected as soon as anything holds its lease — a plain backup (no --freeze) of the fleet, which
 * backs up read_only orgs too, a verify --fix. The deploy's rollout then waits for that lease as for a busy org and,
 * after --busy-timeout (default 120 s, less than a big org's backup), fails the suspended org and exits 1: the release's
 * pipeline goes red for an org that is to be skipped, and would have been skipped a minute earlier or later.
 */
@Timeout(180)
class MigrateAllWithASuspendedOrgBeingBackedUpTest {

    @TempDir
    Path dir;

    @Test
    void aSuspendedOrgIsSkippedEvenWhileABackupReadsIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 30);
            ok(f.cli, "orgs", "suspend", "acme");
            Path v2 = v2(f);
            String v2Hash = SchemaManifest.load(v2).hash();

            // a plain (unfrozen) backup of the fleet, held while it reads acme
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean armed = new AtomicBoolean(true);
            Cli backupCli = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test", "TENANTCTL_STORE",
                    f.storeDir.toUri().toString())).decoratePools(real -> HookedPools.onDatabase(real, (name, db) ->
                    name.equals("org_acme") ? onFirstListing(db, () -> {
                        if (armed.compareAndSet(true, false)) {
                            reading.countDown();
                            await(release);
                        }
                    }) : db));
            CompletableFuture<Cli.Result> backup = backupCli.start("backup", "--org", "acme", "-o", "json");
            assertThat(reading.await(60, TimeUnit.SECONDS)).as("the backup reads acme").isTrue();
            assertThat(f.org("acme").get("status").asText()).as("suspended by the operator, not frozen by the backup").isEqualTo("read_only");

            // the deploy's rollout, at that moment (a short --busy-timeout stands for a backup longer than the default)
            Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString(), "--busy-timeout", "1", "-o", "json");

            release.countDown();
            assertThat(backup.get(60, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(f.org("beta").get("schema_hash").asText()).as("beta got the release's manifest").isEqualTo(v2Hash);
            JsonNode acme = null;
            for (JsonNode o : strictJson(rollout).path("orgs")) {
                if (o.path("org_id").asText().equals("acme")) {
                    acme = o;
                }
            }
            assertThat(rollout.exitCode()).as("acme is suspended: skipped as the README says, not failed as busy; %s", rollout).isZero();
            assertThat(acme).as(rollout.toString()).isNotNull();
            assertThat(acme.path("outcome").asText()).as(acme.toString()).isEqualTo("skipped");
        }
    }

    private static Path v2(BackupFixture f) throws Exception {
        Path v2 = f.schema.resolveSibling("v2.json");
        Files.writeString(v2, CliFixture.SMALL_SCHEMA.replace(
                "{\"name\": \"conv_1_created_-1\", \"key\": {\"conversationId\": 1, \"createdAt\": -1}}",
                "{\"name\": \"conv_1_created_-1\", \"key\": {\"conversationId\": 1, \"createdAt\": -1}},\n"
                        + "        {\"name\": \"text_1\", \"key\": {\"text\": 1}}"));
        return v2;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MongoDatabase onFirstListing(MongoDatabase db, Runnable hook) {
        return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("listCollectionNames")) {
                        hook.run();
                    }
                    try {
                        return m.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
