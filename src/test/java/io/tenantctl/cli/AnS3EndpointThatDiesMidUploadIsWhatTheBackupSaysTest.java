package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probe reported that a backup whose S3 endpoint died mid-upload recorded a later probe's error ("cannot check
 * …/manifest.json"), not the failed upload. It does not: that check is the backup's first call to the store, so it is
 * what fails only when the endpoint dies before any upload. Held here: an endpoint that dies for good during a collection
 * file's upload, or the manifest's, is named as that upload by the backup row, the run item and the command's message.
 */
class AnS3EndpointThatDiesMidUploadIsWhatTheBackupSaysTest {

    private static S3ProxyFixture s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @TempDir
    Path dir;

    /** {@code pct}: how far into a healthy backup's traffic the endpoint dies; {@code file}: the upload that meets it. */
    @ParameterizedTest
    @CsvSource({"40, notes.ndjson.zst", "95, manifest.json"})
    void theBackupRowTheRunItemAndTheMessageNameTheFailedUpload(int pct, String file) throws Exception {
        try (FaultProxy proxy = FaultProxy.to(s3.endpoint().toString())) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_S3_ENDPOINT", proxy.uriFor(s3.endpoint().toString()));
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            env.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", "1500");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.seedNotes("acme", 3000);
                long before = proxy.bytes();
                ok(f.cli, "backup", "--org", "acme");
                long healthy = proxy.bytes() - before;
                proxy.afterBytes(healthy * pct / 100, () -> proxy.cutEvery(0)); // gone for good: every later call fails too

                Cli.Result r = f.cli.run("backup", "--org", "acme", "-o", "json");
                assertThat(proxy.fired()).as("the endpoint died during the backup").isTrue();
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String message = strictJson(r).get("error").get("message").asText();
                String runId = strictJson(r).get("error").get("run_id").asText();
                assertThat(message).as(r.toString()).contains("cannot upload acme/").contains("/" + file + " in s3://").doesNotContain("cannot check");
                proxy.passThrough();

                JsonNode failed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups").get(0);
                assertThat(failed.get("error").asText()).as(failed.toString()).startsWith("cannot upload acme/").contains("/" + file + " in s3://");
                JsonNode item = CliFixture.runItem(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")), "acme");
                assertThat(item.get("error").asText()).as(item.toString()).contains("cannot upload acme/").contains("/" + file + " in s3://");
            }
        }
    }
}
