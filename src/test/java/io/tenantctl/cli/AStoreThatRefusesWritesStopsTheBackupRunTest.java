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
 * An S3 store's write access is proven by the first upload (S3 has no way to ask): a backup CronJob given a key that can
 * read the bucket but not write it (the restore role's), or whose bucket policy changed, passes the store probe. The first
 * org's upload is then refused (403 AccessDenied), and so would every other org's be, each after its whole database was
 * read: like a full store, a store that refuses the run's writes stops the run at the first org (exit 3, one line, kept
 * for --resume), not fails every org in turn.
 */
class AStoreThatRefusesWritesStopsTheBackupRunTest {

    @TempDir
    Path dir;

    /**
     * What the store answers every upload, past the client's retries: refused for access (403), or not served — S3's
     * SlowDown (503) when a prefix takes more requests than it serves, 5xx when it is failing. That was exit 1, each org
     * failed in turn after its whole database was read for the same end, adding load to a store asking for less; a store
     * not serving stops the run now too, saying to try again later.
     */
    enum Answer {
        ACCESS_DENIED(403, "AccessDenied", "Access Denied", "AccessDenied"),
        SLOW_DOWN(503, "SlowDown", "Please reduce your request rate.", "try again later");

        final int status;
        final String code;
        final String message;
        final String said;

        Answer(int status, String code, String message, String said) {
            this.status = status;
            this.code = code;
            this.message = message;
            this.said = said;
        }

        S3Exception exception() {
            return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("S3").build()).build();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Answer.class)
    void aStoreThatRefusesOrDoesNotServeTheWritesStopsTheRunAtTheFirstOrg(Answer answer) throws Exception {
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
                        answeringUploads(S3ObjectStore.buildClient(s3.options(bucket, "fleet"), s3.credentials()), refused, answer::exception));
                TenantctlException stopped;
                try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of()); ObjectStore store = readOnly) {
                    stopped = catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                            new Backup.Request(new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                                    new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                                    Clock.systemUTC())), TenantctlException.class);
                }
                assertThat(refused).as("one org's backup met the refusal; the others were not read for nothing").hasSize(1);
                assertThat(stopped).as("the run stops on a store that refuses its writes").isNotNull();
                assertThat(stopped.category().exitCode).as(stopped.getMessage()).isEqualTo(3);
                String runId = stopped.runId();
                assertThat(stopped.getMessage()).contains(answer.code).contains(answer.said).contains("--resume " + runId).doesNotContain("\n")
                        .doesNotContain(S3ProxyFixture.SECRET_KEY);
                JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
                for (String org : List.of("acme", "bravo", "charlie")) {
                    assertThat(CliFixture.runItem(run, org).get("outcome").asText()).as(run.toPrettyString()).isEqualTo("not_started");
                }
                assertThat(f.cli.run("backup", "--resume", runId).exitCode()).as("once the store takes writes, --resume backs up every org").isZero();
            }
        }
    }

    /**
     * A client on a bucket whose every upload request gets {@code answer}'s error (the org it was for counted in
     * {@code refused}): 403 AccessDenied for a key that may read the bucket but not write it; everything else goes to {@code real}.
     */
    @SuppressWarnings("unchecked")
    static S3Client answeringUploads(S3Client real, java.util.Set<String> refused, java.util.function.Supplier<S3Exception> answer) {
        return (S3Client) java.lang.reflect.Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[]{S3Client.class}, (proxy, m, args) -> {
            String key = switch (m.getName()) {
                case "putObject" -> args[0] instanceof PutObjectRequest r ? r.key()
                        : build(PutObjectRequest.builder(), (java.util.function.Consumer<PutObjectRequest.Builder>) args[0]).key();
                case "createMultipartUpload" -> args[0] instanceof CreateMultipartUploadRequest r ? r.key()
                        : build(CreateMultipartUploadRequest.builder(), (java.util.function.Consumer<CreateMultipartUploadRequest.Builder>) args[0]).key();
                default -> null;
            };
            if (key != null) {
                refused.add(key.split("/")[1]); // fleet/ORG/BACKUP/FILE
                throw answer.get();
            }
            try {
                return m.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static <B extends software.amazon.awssdk.utils.builder.SdkBuilder<B, R>, R> R build(B builder, java.util.function.Consumer<B> how) {
        how.accept(builder);
        return builder.build();
    }
}
