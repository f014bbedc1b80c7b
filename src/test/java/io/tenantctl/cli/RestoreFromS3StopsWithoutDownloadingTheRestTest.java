package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C "stops a restore between two batches and rolls it back". From S3, the collection file is one GET streamed as it is
 * read; closing that stream before its end (the restore stopped, or failed on the pool) makes the HTTP client read the rest of
 * the object to reuse the connection, so the restore that was told to stop first downloads the whole file — for a 20 GB
 * collection, many minutes with the org left restoring — and only then rolls back. Closing early must abort the download.
 */
class RestoreFromS3StopsWithoutDownloadingTheRestTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreStoppedInItsFirstBatchesDoesNotDownloadTheRestOfTheFile() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); FaultProxy store = FaultProxy.to(s3.endpoint().toString())) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_S3_ENDPOINT", store.uriFor(s3.endpoint().toString())); // every store request counted by the proxy
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                byte[] random = new byte[30 * 1024];
                new Random(3).nextBytes(random);
                String payload = Base64.getEncoder().encodeToString(random); // 40 KB of text
                List<Document> docs = new ArrayList<>();
                for (int i = 0; i < 3200; i++) {
                    docs.add(new Document("_id", i).append("payload", payload));
                    if (docs.size() == 400) {
                        f.db("acme").getCollection("attachments").insertMany(docs);
                        docs.clear();
                    }
                }
                String backupId = f.backup("acme", "--compression", "none");
                long fileBytes = 0;
                for (JsonNode c : strictJson(ok(f.cli, "backups", "show", backupId, "-o", "json")).get("manifest").get("collections")) {
                    fileBytes += c.get("bytes").asLong();
                }
                assertThat(fileBytes).as("a 128 MB file").isGreaterThan(128L * 1000 * 1000);

                // Ctrl-C as the restore creates the attachments collection in its fresh database: it opens the file, reads its
                // first batch (8 MB) and stops there, before inserting it
                CancelToken cancel = new CancelToken();
                Cli restoring = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                    if (HookedPools.is(cmd, "create") && "attachments".equals(cmd.getString("create")) && db.startsWith("org_acme__r")) {
                        cancel.cancel("SIGINT");
                    }
                }));
                long bytesBefore = store.bytes();
                Cli.Result r = restoring.run(cancel, "restore", "--org", "acme", "--backup", backupId);
                long fetched = store.bytes() - bytesBefore;

                assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
                JsonNode org = f.org("acme");
                assertThat(org.get("database_name").asText()).isEqualTo("org_acme");
                assertThat(org.get("status").asText()).isEqualTo("active");
                assertThat(f.db("acme").getCollection("attachments").countDocuments()).as("acme's own data untouched").isEqualTo(3200);
                assertThat(f.databaseNames("pool-0")).as("the partial fresh database was removed").noneMatch(n -> n.startsWith("org_acme__r"));
                assertThat(fetched).as("bytes the stopped restore fetched from the store, of a " + fileBytes + "-byte file")
                        .isLessThan(fileBytes / 2);
            }
        }
    }
}
