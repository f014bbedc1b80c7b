package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: when an org's newest backup went to another store, the "--store" that verify's fix, restore's
 * refusal and backups list name was printed as it was recorded, unquoted. A file store whose directory holds a character
 * a URL keeps and a shell does not ({@code $}, {@code &}, {@code (}: {@code file:///backups/ops$team&(old)}) made verify's
 * fix a bash syntax error, or a command that read another directory; an S3-compatible store put
 * "(with TENANTCTL_S3_ENDPOINT=…)" inside the fix command itself. The fix now runs as bash reads it.
 */
@Timeout(180)
class AnotherStoreNamedInAFixRunsAsPastedTest {

    @TempDir
    Path dir;

    /** {@code command} as bash splits it when pasted (null if bash refuses it), "tenantctl" left out. */
    static String[] asBashReadsIt(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "set -- " + command + "\nprintf '%s\\0' \"$@\"").redirectErrorStream(false).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.getErrorStream().readAllBytes();
        if (p.waitFor() != 0) {
            return null; // a syntax error; a line bash ran otherwise (a '&' sends it to the background) leaves no words
        }
        List<String> words = new ArrayList<>(List.of(out.toString(StandardCharsets.UTF_8).split("\0")));
        return words.isEmpty() || !words.remove(0).equals("tenantctl") ? null : words.toArray(String[]::new);
    }

    @Test
    void verifysFixForABackupInAFileStoreWithShellCharactersRunsAsPasted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Path other = Files.createDirectories(dir.resolve("ops$HOME&(old)"));
            String url = other.toUri().toString();
            assertThat(url).contains("$HOME&(old)"); // a URL keeps them as they are
            Cli.Result taken = f.cli.run("backup", "--org", "acme", "--store", url);
            assertThat(taken.exitCode()).as(taken.toString()).isZero();

            Cli.Result verify = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            List<JsonNode> found = findings(strictJson(verify), "check_failed");
            assertThat(found).as(verify.toString()).hasSize(1);
            String fix = found.get(0).get("fix").asText();
            String[] pasted = asBashReadsIt(fix);
            assertThat(pasted).as("bash refuses the fix %s", fix).isNotNull();
            Cli.Result run = f.cli.run(pasted);
            assertThat(run.exitCode()).as("%s -> %s", fix, run).isZero();

            // restore's refusal names the --store to pass the same way
            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(2);
            String pass = restore.err().substring(restore.err().indexOf("pass --store ") + "pass --store ".length()).trim();
            String[] store = asBashReadsIt("tenantctl " + pass);
            assertThat(store).as(restore.err()).containsExactly(url.substring(0, url.length() - 1));
        }
    }

    @Test
    void verifysFixForABackupInAnS3CompatibleStoreIsACommandItsEndpointBesideIt() throws Exception {
        try (io.tenantctl.store.S3ProxyFixture s3 = io.tenantctl.store.S3ProxyFixture.start()) {
            java.util.Map<String, String> env = new java.util.HashMap<>(s3.env());
            String bucket = s3.newBucket();
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/fleet");
            env.put("AWS_REGION", "us-east-1");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.backup("acme");
                Cli.Result verify = f.cli.run("verify", "--deep", "--org", "acme", "--store", "s3://" + bucket + "/elsewhere", "-o", "json");
                List<JsonNode> found = findings(strictJson(verify), "check_failed");
                assertThat(found).as(verify.toString()).hasSize(1);
                String fix = found.get(0).get("fix").asText();
                String[] pasted = asBashReadsIt(fix);
                assertThat(pasted).as("bash refuses the fix %s", fix).isNotNull();
                assertThat(found.get(0).get("fix_note").asText()).contains("TENANTCTL_S3_ENDPOINT=http");
                Cli.Result run = f.cli.run(pasted); // the endpoint is this environment's
                assertThat(run.exitCode()).as("%s -> %s", fix, run).isZero();
            }
        }
    }
}
