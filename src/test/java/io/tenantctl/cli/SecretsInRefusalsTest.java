package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Red team, pass 4: pools set-admin-url / add errors, S3 store faults. */
class SecretsInRefusalsTest {

    private static TestPools pools;

    @BeforeAll
    static void start() {
        pools = new TestPools(1);
    }

    @AfterAll
    static void stop() {
        pools.close();
    }

    /**
     * "Never a password": an admin URL typed without its scheme (or with a typo in it) is refused, and the refusal quotes
     * the URL's first 12 characters — for USER:PASSWORD@HOST that is the user and (the start of) the password. Pool URIs
     * mask the user info in the same refusal; admin URLs do not.
     */
    @Test
    void anAdminUrlWithoutItsSchemeIsRefusedWithoutQuotingItsPassword() {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        for (String typed : new String[]{"pg:Hunter2xy@pg-1:5432/postgres", "postgres:/pg:Hunter2xy@pg-1:5432/postgres",
                "postgress://pg:Hunter2xy@pg-1/postgres"}) {
            for (String output : new String[]{"table", "json"}) {
                Cli.Result r = cli.run("pools", "set-admin-url", "pool-1", "--url", typed, "-o", output);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.out() + r.err()).as("the admin URL's password, or its start, must never be shown: " + r)
                        .doesNotContain("Hunt");
            }
        }
    }

    /**
     * "Every failure one clear line saying what failed, on what, what to do." An S3 store whose credentials are half set
     * (AWS_SECRET_ACCESS_KEY without AWS_ACCESS_KEY_ID, say a Secret key renamed) exits 3, but its one line is the AWS
     * SDK's dump of its whole provider chain — thousands of characters of class names (SystemPropertyCredentialsProvider,
     * ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])), …) — and never says that
     * the secret it was given was ignored for want of the key id.
     */
    @Test
    void anS3StoreWithHalfItsCredentialsSaysSoInOneShortLine(@TempDir Path dir) throws Exception {
        try (io.tenantctl.store.S3ProxyFixture s3 = io.tenantctl.store.S3ProxyFixture.start()) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/b");
            env.put("AWS_REGION", "us-east-1");
            env.remove("AWS_ACCESS_KEY_ID");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                Cli.Result r = f.cli.run("backup", "--org", "acme", "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String line = r.err().strip();
                assertThat(line.lines().count()).as(r.toString()).isEqualTo(1);
                assertThat(line).as("what to do: name the missing variable").contains("AWS_ACCESS_KEY_ID");
                assertThat(line).as("a clear line, not the SDK's provider chain: " + line.length() + " characters").doesNotContain("ProviderChain")
                        .hasSizeLessThan(400);
            }
        }
    }
}
