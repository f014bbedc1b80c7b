package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code restore --org acme --backup ID} of an incomplete backup (its worker killed before the
 * manifest, listed {@code incomplete}, "abandoned") said "it is incomplete (interrupted?); choose another backup" — which
 * one, and how, left to the operator, while a damaged backup's refusal names the next older complete one and the restore
 * that takes it. It does here too, and that restore, pasted, restores the org.
 */
class RestoreOfAnIncompleteBackupNamesOneThatWorksTest {

    @TempDir
    Path dir;

    @Test
    void theRefusalNamesTheNextOlderCompleteBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            String good = f.backup("acme");
            String cut = f.backup("acme");
            // cut's worker killed before its manifest: no manifest.json, its row left running, its claim run out
            Files.delete(f.storeDir.resolve("acme").resolve(cut).resolve("manifest.json"));
            CliFixture.sql(f.catalogUrl, "update backups set status = 'running' where backup_id = '" + cut + "'");
            f.expireItemClaims();

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--backup", cut, "-o", "json");

            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            String works = "'tenantctl restore --org acme --backup " + good + "'";
            assertThat(strictJson(refused).get("error").get("message").asText()).as(refused.toString()).contains("incomplete").contains(works);
            ok(f.cli, works.substring("'tenantctl ".length(), works.length() - 1).split(" "));
            f.assertHolds("acme", data);
        }
    }
}
