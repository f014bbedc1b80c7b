package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: the last mask knew {@code password=} but not an environment file's own lines, so passing
 * the secrets file README's systemd example keeps ({@code POOL1_PASSWORD=…}, {@code AWS_SECRET_ACCESS_KEY=…}) as an
 * org list, or an org id pasted from it, had the error quote the secret back — on stderr and in the {@code -o json}
 * error document — while the catalog URL two lines down was masked.
 */
class AnEnvLineQuotedBackIsMaskedTest {

    @TempDir
    Path dir;

    private static final String POOL_PW = "Snt-EnvPoolPw-5Rq";
    private static final String AWS_SECRET = "Snt-EnvAws-3Lk";
    private static final String TOKEN = "Snt-EnvToken-9Vb";

    @Test
    void aSecretFromAVarEqualsValueLineIsNotQuotedBack() throws Exception {
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(), "USER", "test"));
        Path env = Files.writeString(dir.resolve("backup.env"), "POOL1_PASSWORD=" + POOL_PW + "\nAWS_SECRET_ACCESS_KEY=" + AWS_SECRET
                + "\nAWS_SESSION_TOKEN=" + TOKEN + "\n");
        for (String[] args : new String[][]{
                {"provision", "--file", env.toString(), "--dry-run"},
                {"provision", "--file", env.toString(), "--dry-run", "-o", "json"},
                {"orgs", "show", "POOL1_PASSWORD=" + POOL_PW, "-o", "json"},
                {"orgs", "show", "AWS_SESSION_TOKEN=" + TOKEN},
                {"orgs", "show", "aws_secret_access_key=" + AWS_SECRET}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            for (String secret : new String[]{POOL_PW, AWS_SECRET, TOKEN}) {
                assertThat(r.out() + r.err()).as(r.toString()).doesNotContain(secret);
            }
            assertThat(r.out() + r.err()).as("the key is still named, so the operator sees what was quoted: %s", r)
                    .containsPattern("(POOL1_PASSWORD|AWS_SESSION_TOKEN|aws_secret_access_key)=\\*\\*\\*");
        }
    }

    /**
     * Found in review: a compose file's YAML lines ({@code POSTGRES_PASSWORD: …}, as docker-compose.ferretdb.yml has) passed
     * as an org list, and a password given to an option tenantctl does not have ({@code --password …}, which picocli
     * echoes as {@code '--password', '…'}), came back whole in the error: only KEY=value was masked. Each keeps its key.
     */
    @Test
    void aSecretFromAYamlLineOrAnUnknownOptionIsNotQuotedBack() throws Exception {
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(), "USER", "test"));
        Path compose = Files.writeString(dir.resolve("compose.yml"), "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: "
                + POOL_PW + "\n      AWS_SESSION_TOKEN: \"" + TOKEN + "\"\n");
        for (String[] args : new String[][]{
                {"provision", "--file", compose.toString(), "--dry-run"},
                {"provision", "--file", compose.toString(), "--dry-run", "-o", "json"},
                {"orgs", "list", "--password", AWS_SECRET, "-o", "json"},
                {"orgs", "show", "acme", "--aws-secret-access-key", AWS_SECRET}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            for (String secret : new String[]{POOL_PW, AWS_SECRET, TOKEN}) {
                assertThat(r.out() + r.err()).as(r.toString()).doesNotContain(secret);
            }
            assertThat(r.out() + r.err()).as("the key is still named, so the operator sees what was quoted: %s", r)
                    .containsPattern("'POSTGRES_PASSWORD: \\*\\*\\*'|'--password', '\\*\\*\\*'|'--aws-secret-access-key', '\\*\\*\\*'");
            if (List.of(args).contains("json")) {
                assertThat(r.json().get("error").get("code").asInt()).as(r.toString()).isEqualTo(2);
            }
        }
    }
}
