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
import io.tenantctl.store.S3ObjectStore;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.store.ObjectStore;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * S3 answers SlowDown (503) when a prefix takes more requests than it serves, and 500/502/504 when it is failing; the SDK
 * retries each request, and past those retries the store has not served the write: a fact about the store, like one that
 * does not answer, not about the org. It was exit 1, the org failed and the next one's whole database read for the same
 * end; it stops the run now (exit 3, resumable) saying to try again later.
 */
class AStoreThatKeepsAnsweringSlowDownStopsTheBackupRunTest {

    @TempDir
    Path dir;

    @Test
    void aStoreThatKeepsAnsweringSlowDownStopsTheRunSayingToTryLater() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            String bucket = s3.newBucket();
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/fleet");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme", "bravo", "charlie");
                f.notes("acme", "a_notes", 20);
                f.notes("bravo", "a_notes", 20);
                f.notes("charlie", "a_notes", 20);
                java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
                ObjectStore readOnly = new S3ObjectStore(s3.options(bucket, "fleet"),
                        AStoreThatRefusesWritesStopsTheBackupRunTest.answeringUploads(S3ObjectStore.buildClient(s3.options(bucket, "fleet"), s3.credentials()), refused,
                                () -> (S3Exception) S3Exception.builder().statusCode(503).message("Please reduce your request rate.").awsErrorDetails(AwsErrorDetails.builder()
                                        .errorCode("SlowDown").errorMessage("Please reduce your request rate.").serviceName("S3").build()).build()));
                TenantctlException stopped;
                try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of()); ObjectStore store = readOnly) {
                    stopped = catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                            new Backup.Request(new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                                    new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                                    Clock.systemUTC())), TenantctlException.class);
                }
                assertThat(refused).as("one org's backup met the store's answer; the others were not read for nothing").hasSize(1);
                assertThat(stopped).as("the run stops on a store that keeps asking it to slow down").isNotNull();
                assertThat(stopped.category().exitCode).as(stopped.getMessage()).isEqualTo(3);
                String runId = stopped.runId();
                assertThat(stopped.getMessage()).contains("SlowDown").contains("try again later").contains("--resume " + runId).doesNotContain("\n")
                        .doesNotContain(S3ProxyFixture.SECRET_KEY);
                JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
                for (String org : List.of("acme", "bravo", "charlie")) {
                    assertThat(CliFixture.runItem(run, org).get("outcome").asText()).as(run.toPrettyString()).isEqualTo("not_started");
                }
                assertThat(f.cli.run("backup", "--resume", runId).exitCode()).as("once the store keeps up, --resume backs up every org").isZero();
            }
        }
    }
}
