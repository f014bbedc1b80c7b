package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org's newest backup went to another store than the one a command reads (TENANTCTL_STORE changed, or --store
 * forgotten at 3 a.m.). It was "missing", and restore said its files "are gone" (exit 1): an operator would believe a
 * backup lost that is whole where it was written. Every verb that reads the store now names the store it went to.
 */
@Timeout(120)
class BackupInAnotherStoreTest {

    @TempDir
    Path dir;

    @Test
    void aBackupWrittenToAnotherStoreIsNamedWhereItIsNotCalledGone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.backup("acme");
            String other = dir.resolve("other-store").toUri().toString();
            String otherShown = other.endsWith("/") ? other.substring(0, other.length() - 1) : other;
            JsonNode taken = strictJson(f.cli.run("backup", "--org", "acme", "--store", other, "-o", "json"));
            String newest = taken.get("orgs").get(0).get("backup_id").asText();
            var atBackup = BackupFixture.contents(f.db("acme"));

            JsonNode list = strictJson(f.cli.run("backups", "list", "--org", "acme", "-o", "json"));
            JsonNode entry = null;
            for (JsonNode b : list.get("backups")) {
                if (b.get("backup_id").asText().equals(newest)) {
                    entry = b;
                }
            }
            assertThat(entry).as(list.toPrettyString()).isNotNull();
            assertThat(entry.get("status").asText()).isEqualTo("missing");
            assertThat(entry.get("error").asText()).contains("written to " + otherShown).contains("pass --store " + otherShown);

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(2);
            assertThat(restore.err()).contains(newest).contains("written to " + otherShown).contains("nothing restored")
                    .doesNotContain("gone");

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--dry-run", "-o", "json");
            assertThat(prune.out()).as(prune.toString()).contains("prune it there");

            Cli.Result verify = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            assertThat(verify.out()).as(verify.toString()).contains("check_failed").contains("run it with --store " + otherShown)
                    .doesNotContain("backup_corrupt");

            // pointed at the store it went to, the same backup is complete and restores
            Cli.Result there = f.cli.run("restore", "--org", "acme", "--store", other, "-o", "json");
            assertThat(there.exitCode()).as(there.toString()).isZero();
            assertThat(there.out()).contains(newest);
            f.assertHolds("acme", atBackup);
        }
    }

    /** An S3-compatible store is described with its endpoint: the --store to pass is the URL alone, the endpoint beside it. */
    @Test
    void aBackupInAnS3CompatibleStoreIsNamedWithTheStoreUrlToPassAndItsEndpoint() throws Exception {
        try (io.tenantctl.store.S3ProxyFixture s3 = io.tenantctl.store.S3ProxyFixture.start()) {
            java.util.Map<String, String> env = new java.util.HashMap<>(s3.env());
            String bucket = s3.newBucket();
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/fleet");
            env.put("AWS_REGION", "us-east-1");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                String newest = f.backup("acme");
                Cli.Result r = f.cli.run("restore", "--org", "acme", "--store", "s3://" + bucket + "/elsewhere");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).contains(newest).contains("pass --store s3://" + bucket + "/fleet (with TENANTCTL_S3_ENDPOINT=http");
            }
        }
    }
}
