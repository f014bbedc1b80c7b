package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.Sentinels;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A version 15 catalog with open findings (one whose fix is a command, one whose fix is a note only), upgraded: a version
 * 16 tenantctl (or later) refuses it until init (exit 3, naming init); {@code init --dry-run} says 15 → the current
 * version and writes nothing; {@code init} brings it there; {@code verify ack -o json} before any verify gives the old rows' whole line as
 * {@code fix_note} (README: "a finding no verify has seen since the upgrade"), and after a verify splits the fix as verify
 * does, a note-only fix as a note.
 */
class AVersion15CatalogWithFindingsIsUpgradedAndAckedTest {

    @Test
    void initThenAckBeforeAndAfterAVerify(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.db("beta").drop();
            String id = f.staleFinding("acme");
            Cli.Result v = f.cli.run("verify", "-o", "json");
            TestCatalog.execute(f.catalogUrl, "alter table findings drop column fix_command, drop column fix_note");
            TestCatalog.execute(f.catalogUrl, "drop table finding_sightings"); // version 17's
            TestCatalog.execute(f.catalogUrl, "drop index backups_complete_location_idx"); // version 18's
            TestCatalog.execute(f.catalogUrl, "alter table findings drop column only_deep_finds, drop column fix_puts_right"); // version 19's
            TestCatalog.execute(f.catalogUrl, "alter table org_verifications drop column rules_version"); // version 20's
            TestCatalog.execute(f.catalogUrl, "delete from flyway_schema_history where version in ('16', '17', '18', '19', '20')");
            Cli.Result refused = f.cli.run("verify", "ack", id, "--until", "1d", "--reason", "r", "-o", "json");
            assertThat(refused.exitCode()).isEqualTo(3);
            String before = Sentinels.dumpCatalog(f.catalogUrl);
            JsonNode dry = strictJson(ok(f.cli, "init", "--dry-run", "-o", "json"));
            assertThat(dry.get("from_version").asInt()).isEqualTo(15);
            assertThat(dry.get("to_version").asInt()).isEqualTo(io.tenantctl.catalog.Catalog.SCHEMA_VERSION);
            assertThat(ok(f.cli, "init", "--dry-run").out()).contains("is at schema version 15; init would bring it to "
                    + io.tenantctl.catalog.Catalog.SCHEMA_VERSION);
            assertThat(Sentinels.dumpCatalog(f.catalogUrl)).isEqualTo(before);
            Cli.Result init = f.cli.run("init", "-o", "json");
            assertThat(init.exitCode()).isZero();
            Cli.Result ack = f.cli.run("verify", "ack", id, "--until", "1d", "--reason", "r", "-o", "json");
            assertThat(ack.exitCode()).isZero();
            assertThat(strictJson(ack).get("fix").isNull()).as(ack.toString()).isTrue();
            assertThat(strictJson(ack).get("fix_note").asText()).isEqualTo("tenantctl backup --org acme");
            for (JsonNode x : strictJson(v).get("findings")) {
                if (x.get("fix").isNull()) {
                    JsonNode a = strictJson(ok(f.cli, "verify", "ack", x.get("finding_id").asText(), "--until", "1d", "--reason", "r", "-o", "json"));
                    assertThat(a.get("fix").isNull()).isTrue();
                    assertThat(a.get("fix_note")).isEqualTo(x.get("fix_note"));
                }
            }
            Cli.Result v2 = f.cli.run("verify", "-o", "json");
            for (JsonNode x : strictJson(v2).get("findings")) {
                Cli.Result a = f.cli.run("verify", "ack", x.get("finding_id").asText(), "--until", "2d", "--reason", "r", "-o", "json");
                JsonNode d = strictJson(a);
                assertThat(a.exitCode()).as(a.toString()).isZero();
                assertThat(d.get("fix")).isEqualTo(x.get("fix"));
                assertThat(d.get("fix_note")).isEqualTo(x.get("fix_note"));
            }
        }
    }
}
