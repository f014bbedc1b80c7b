package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.BackupIds;
import io.tenantctl.store.S3ObjectStore;
import io.tenantctl.store.S3Options;
import io.tenantctl.store.S3ProxyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup to S3 whose process dies (SIGKILL, a lost node, a second Ctrl-C) while a collection larger than one part is being
 * uploaded leaves, besides the files it had finished, an incomplete multipart upload: invisible to listings, but its parts are
 * stored and billed until someone aborts it. Prune deletes the dead backup's visible files; it must abort that upload too,
 * since nothing else in tenantctl ever will (nothing lists multipart uploads).
 */
class PruneOfABackupKilledMidUploadTest {

    @TempDir
    Path dir;

    @Test
    void pruningTheIncompleteBackupAlsoAbortsTheUploadItsDeadWriterLeftOpen() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            String bucket = s3.newBucket();
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/backups");
            env.put("TENANTCTL_S3_PART_SIZE_MIB", "5");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.notes("acme", "notes", 10);
                String kept = f.backup("acme");

                // what a backup killed two hours ago while uploading its second collection left in the bucket
                String killed = BackupIds.newId(Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC), new Random());
                try (S3ObjectStore store = new S3ObjectStore(s3.options(bucket, "backups"), s3.credentials())) {
                    store.put("acme/" + killed + "/a_first.ndjson.zst", new byte[]{1, 2, 3}); // a collection it had finished
                }
                // the next collection, over one part: S3ObjectStore's upload had started it and sent part 1 when the process died,
                // before close (complete) or abort (the same two requests S3ObjectStore makes, here with the upload id kept)
                String key = "backups/acme/" + killed + "/notes.ndjson.zst";
                String uploadId;
                try (S3Client client = client(s3, bucket)) {
                    uploadId = client.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
                    client.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                            RequestBody.fromBytes(new byte[S3Options.MIN_PART_SIZE]));
                }
                assertThat(storedParts(s3, bucket, key, uploadId)).as("precondition: the dead upload's part is stored").hasSize(1);

                JsonNode pruned = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--grace-hours", "0", "-o", "json"));

                Map<String, String> actions = new HashMap<>();
                pruned.get("decisions").forEach(d -> actions.put(d.get("backup_id").asText(), d.get("action").asText()));
                assertThat(actions).as(pruned.toPrettyString()).containsEntry(killed, "delete").containsEntry(kept, "keep");
                try (S3ObjectStore store = new S3ObjectStore(s3.options(bucket, "backups"), s3.credentials())) {
                    assertThat(store.list("acme/" + killed + "/")).as("the dead backup's files are gone").isEmpty();
                    assertThat(store.exists("acme/" + kept + "/manifest.json")).as("the complete backup is kept").isTrue();
                }
                assertThat(storedParts(s3, bucket, key, uploadId))
                        .as("the dead backup's unfinished upload was aborted with it, not left stored (and billed) for ever").isEmpty();
            }
        }
    }

    /**
     * The file store's equivalent: a backup killed while writing a collection leaves FileObjectStore's hidden temp file
     * ({@code .tenantctl-upload-<random>.tmp}, next to the object it would have become) in its folder, invisible to every
     * listing. Pruning the dead backup must remove it, and the folder with it, or that space is never reclaimed.
     */
    @Test
    void pruningAnIncompleteBackupOnTheFileStoreRemovesTheTempFileItsDeadWriterLeft() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String kept = f.backup("acme");

            // killed two days ago while writing its first collection: recorded running, only the temp file in its folder
            String killed = BackupIds.newId(Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC), new Random());
            try (java.sql.Statement s = f.sql().createStatement()) {
                s.execute("insert into backups (backup_id, org_id, location, pool_id, database_name, started_at, recorded_at, status) "
                        + "values ('" + killed + "', 'acme', '" + f.storeDir.toUri() + "acme/" + killed + "/', 'pool-0', 'org_acme', "
                        + "now() - interval '2 days', now() - interval '2 days', 'running')");
            }
            Path folder = java.nio.file.Files.createDirectories(f.storeDir.resolve("acme").resolve(killed));
            Path temp = java.nio.file.Files.createTempFile(folder, ".tenantctl-upload-", ".tmp"); // as FileObjectStore.create names it
            java.nio.file.Files.write(temp, new byte[64 * 1024]);

            JsonNode pruned = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "-o", "json"));

            Map<String, String> actions = new HashMap<>();
            pruned.get("decisions").forEach(d -> actions.put(d.get("backup_id").asText(), d.get("action").asText()));
            assertThat(actions).as(pruned.toPrettyString()).containsEntry(killed, "delete").containsEntry(kept, "keep");
            assertThat(temp).as("the dead upload's temp file is removed with the backup it belonged to").doesNotExist();
            assertThat(folder).as("and the dead backup's folder with it: nothing of it is left taking space").doesNotExist();
            assertThat(f.storeDir.resolve("acme").resolve(kept).resolve("manifest.json")).as("the complete backup is kept").exists();
        }
    }

    private static S3Client client(S3ProxyFixture s3, String bucket) {
        return S3ObjectStore.buildClient(s3.options(bucket, "backups"), s3.credentials());
    }

    /**
     * The parts S3 still stores for an upload (S3Proxy's in-memory backend lists no multipart uploads, so it is asked by id;
     * an aborted upload has none).
     */
    private static List<Part> storedParts(S3ProxyFixture s3, String bucket, String key, String uploadId) {
        try (S3Client client = client(s3, bucket)) {
            return client.listParts(r -> r.bucket(bucket).key(key).uploadId(uploadId)).parts();
        } catch (NoSuchUploadException e) {
            return List.of();
        }
    }
}
