package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Found by probing: a fan-out run that stops on something that is not the org's (a full store, a store that does not
 * answer, the catalog lost) left the org it was on recorded {@code running}, its claim let go: {@code runs show} said the
 * org was still running though nothing worked on it, with no word of why, and {@code runs list} said the run was running
 * for a lease's length. The org reads abandoned, saying why the run stopped, and so does the run, with its --resume.
 */
class ARunStoppedMidOrgSaysWhatItLeftTest {

    @TempDir
    Path dir;

    @Test
    void theOrgInFlightWhenTheRunStoppedReadsAbandonedWithWhyAndTheRunSaysHowToResumeIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "bravo");
            f.notes("acme", "a_notes", 20);
            f.notes("bravo", "a_notes", 20);
            TenantctlException stopped;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new AFullStoreStopsTheBackupRunTest.Full(new FileObjectStore(f.storeDir))) {
                stopped = catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                        new Backup.Request(new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                                new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                                Clock.systemUTC())), TenantctlException.class);
            }
            assertThat(stopped).isNotNull();
            assertThat(stopped.category().exitCode).as(stopped.getMessage()).isEqualTo(3);
            String runId = stopped.runId();

            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            JsonNode acme = CliFixture.runItem(run, "acme");
            assertThat(acme.get("status").asText()).as("nothing works on it: " + run.toPrettyString()).isEqualTo("abandoned");
            assertThat(acme.get("outcome").asText()).as("not failed: the store, not the org, is to blame").isEqualTo("not_started");
            assertThat(acme.get("error").asText()).as("why").contains("No space left on device").contains("run stopped");
            assertThat(CliFixture.runItem(run, "bravo").get("status").asText()).as("never claimed").isEqualTo("pending");
            assertThat(run.get("status").asText()).as("the run, as runs list says it").isEqualTo("abandoned");

            Cli.Result shown = ok(f.cli, "runs", "show", runId);
            assertThat(shown.out()).as(shown.out()).doesNotContainPattern("acme\\s+running").containsPattern("acme\\s+abandoned");

            Cli.Result listed = ok(f.cli, "runs", "list");
            assertThat(listed.out()).as(listed.out()).contains("abandoned " + runId + ": tenantctl backup --resume " + runId)
                    .contains("tenantctl runs cancel " + runId);
            JsonNode runs = strictJson(ok(f.cli, "runs", "list", "-o", "json"));
            assertThat(runs.get("runs").get(0).get("status").asText()).as(runs.toPrettyString()).isEqualTo("abandoned");

            assertThat(f.cli.run("backup", "--resume", runId).exitCode()).as("--resume goes on").isZero();
            JsonNode after = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(CliFixture.runItem(after, "acme").get("status").asText()).as(after.toPrettyString()).isEqualTo("succeeded");
            assertThat(CliFixture.runItem(after, "acme").get("error").isNull()).as("the stop's error goes once it is done").isTrue();
        }
    }
}
