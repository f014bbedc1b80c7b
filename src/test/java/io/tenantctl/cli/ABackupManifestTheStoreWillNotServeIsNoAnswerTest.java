package io.tenantctl.cli;

import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedBlobStore;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.rest.AuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An S3 store that lists a bucket but refuses to serve its objects (a bucket policy, or an SSE-KMS key the role may not
 * decrypt with: 403 AccessDenied on GetObject, ListObjects allowed). The manifests that say an org was suspended, or that
 * its newest backup is a delete's, were read as if damaged and passed over: {@code orgs adopt} took a suspended org back
 * active, and {@code restore --org} brought back an org deleted after the catalog's dump. A store that does not serve the
 * manifest has said nothing: the read fails, naming the store's refusal, and nothing is decided on it (exit 3).
 */
@Timeout(180)
class ABackupManifestTheStoreWillNotServeIsNoAnswerTest {

    @TempDir
    Path dir;

    /** What a refused manifest's key holds ("/": every manifest; null: none refused). */
    private final AtomicReference<String> refuseManifests = new AtomicReference<>();

    /** The in-memory store, each manifest.json {@link #refuseManifests} names refused (403); listings still answer. */
    private BlobStore refusing(BlobStore real) {
        return HookedBlobStore.onManifestGet(real, name -> {
            String refused = refuseManifests.get();
            if (refused != null && name.contains(refused)) {
                throw new AuthorizationException("kms:Decrypt denied");
            }
        });
    }

    @Test
    void adoptDoesNotTakeASuspendedOrgBackActiveWhenItsManifestIsRefused() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(this::refusing)) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provisionTier("growth", "pool-0", "acme", "beta");
                ok(f.cli, "orgs", "suspend", "acme");
                f.backup("acme");
                f.backup("beta");

                Cli lost = f.onALostCatalog(env);

                refuseManifests.set("/");
                Cli.Result r = lost.run("orgs", "adopt", "acme", "--pool", "pool-0");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("access denied").contains("manifest.json")
                        .doesNotContain(S3ProxyFixture.SECRET_KEY);
                assertThat(lost.run("orgs", "show", "acme").exitCode()).as("acme is not adopted on a guess").isNotZero();
                // in a --file batch that org fails, naming the store's refusal and the adopt to run again
                java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("adopt.txt"), "acme\nbeta\n");
                com.fasterxml.jackson.databind.JsonNode batch = strictJson(lost.run("orgs", "adopt", "--file", file.toString(),
                        "--pool", "pool-0", "-o", "json"));
                assertThat(batch.path("adopted").asInt()).as("%s", batch).isZero();
                assertThat(batch.path("failed").asInt()).as("%s", batch).isEqualTo(2);
                assertThat(batch.path("orgs").get(0).path("error").asText()).as("%s", batch).contains("access denied");
                assertThat(batch.path("orgs").get(0).path("next_step").asText()).as("%s", batch).startsWith("tenantctl orgs adopt acme --pool pool-0");
                assertThat(lost.run("orgs", "show", "acme").exitCode()).as("acme is not adopted on a guess").isNotZero();

                refuseManifests.set(null); // the store serves it again: the adopt run again takes what the backup says
                ok(lost, "orgs", "adopt", "acme", "--pool", "pool-0");
                assertThat(strictJson(ok(lost, "orgs", "show", "acme", "-o", "json")).path("status").asText()).isEqualTo("read_only");
            }
        }
    }

    @Test
    void restoreDoesNotBringBackADeletedOrgWhoseFinalManifestIsRefused() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(this::refusing)) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.notes("acme", "notes", 3);
                f.backup("acme"); // recorded in the dump
                String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).path("backup_id").asText();
                ok(f.cli, "orgs", "purge", "--older-than", "0");
                olderDump(f, finalBackup);

                refuseManifests.set(finalBackup); // the older backup, the one the catalog records, is served
                Cli.Result r = f.cli.run("restore", "--org", "acme");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("access denied").contains(finalBackup);
                assertThat(f.databaseNames("pool-0")).as("a deleted org is not brought back").doesNotContain("org_acme");
                // nor does verify advise the restore: the org could not be checked, and says why
                com.fasterxml.jackson.databind.JsonNode v = strictJson(f.cli.run("verify", "-o", "json"));
                assertThat(CliFixture.findings(v, "missing_database")).as("%s", v).isEmpty();
                assertThat(CliFixture.findings(v, "check_failed")).as("%s", v).singleElement()
                        .satisfies(c -> assertThat(c.path("detail").asText()).contains("access denied"));
            }
        }
    }

    /** The catalog as a dump taken before acme's delete would bring it back: acme active, its final backup unknown. */
    private static void olderDump(BackupFixture f, String finalBackup) throws Exception {
        try (PreparedStatement org = f.sql().prepareStatement("update orgs set status = 'active', deleted_at = null, "
                + "status_before_delete = null, deleted_fingerprint = null where org_id = 'acme'");
             PreparedStatement backup = f.sql().prepareStatement("delete from backups where backup_id = ?")) {
            org.executeUpdate();
            backup.setString(1, finalBackup);
            assertThat(backup.executeUpdate()).isEqualTo(1);
        }
    }
}
