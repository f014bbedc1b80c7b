package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code pools set-uri} checks only the form of the new URI. Pointed (a typo in the host, the wrong
 * environment's address, a new FerretDB not yet filled) at a server that holds none of the pool's orgs' databases, it
 * exits 0 and the routing view at once sends every application of every org on that pool to a server where its database
 * does not exist: reads come back empty and the first write creates a fresh database there. Setting the URI back
 * afterwards loses those writes (they are on the other server, in no backup), which is exactly the split the move and
 * restore paths refuse to make ("never points an org at a server that did not get it"). The change must be refused (or at
 * least not made without an explicit override) while the pool's live orgs have no database on the new server, naming
 * them; the pool's URI stays what it was.
 */
class SetUriToAServerWithoutTheOrgsTest {

    @Test
    void setUriRefusesAServerWhereThePoolsLiveOrgsHaveNoDatabase(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir); TestPools elsewhere = new TestPools(1)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 20);
            f.notes("globex", "notes", 20);
            Map<String, List<RawBsonDocument>> acme = BackupFixture.contents(f.db("acme"));
            Map<String, List<RawBsonDocument>> globex = BackupFixture.contents(f.db("globex"));
            String before = strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("uri").asText();
            assertThat(elsewhere.databaseNames(0)).as("the other server holds none of pool-0's orgs").doesNotContain("org_acme", "org_globex");

            Cli.Result dryRun = f.cli.run("pools", "set-uri", "pool-0", "--uri", elsewhere.uri(0), "--dry-run");
            Cli.Result setUri = f.cli.run("pools", "set-uri", "pool-0", "--uri", elsewhere.uri(0), "-o", "json");

            assertThat(dryRun.exitCode()).as("the dry run says it would be refused: %s", dryRun).isNotZero();
            assertThat(setUri.exitCode()).as("re-pointing a pool at a server without its orgs' databases: %s", setUri).isNotZero();
            JsonNode error = strictJson(setUri).get("error");
            assertThat(error.get("message").asText()).as(setUri.toString()).contains("org_acme");
            assertThat(strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("uri").asText())
                    .as("the pool's URI is left as it was").isEqualTo(before);
            // the orgs are still routed to their data
            f.assertHolds("acme", acme);
            f.assertHolds("globex", globex);
        }
    }

    /**
     * Found on call: a set-uri to a new credential variable not yet exported in this shell was refused saying the new
     * server "could not be listed (…export VAR…), so it is not known to hold the pool's orgs: …; pass --force to set it
     * anyway" — the --force that skips the check for the missing databases, when the way is to export the variable.
     */
    @Test
    void aNewUriWhoseVariableIsNotSetHereIsRefusedSayingToExportItNotToForce(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String before = strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("uri").asText();
            String rotated = before.replace("mongodb://", "mongodb://app:${POOL0_NEW_PASSWORD}@");

            for (String[] args : new String[][]{{"--dry-run"}, {"-o", "json"}}) {
                Cli.Result r = f.cli.run(CliFixture.args(List.of("pools", "set-uri", "pool-0", "--uri", rotated), List.of(args)));
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String message = args[0].equals("-o") ? strictJson(r).get("error").get("message").asText() : r.err();
                assertThat(message).as(r.toString()).contains("export POOL0_NEW_PASSWORD=").contains("unchanged").doesNotContain("--force");
            }
            assertThat(strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("uri").asText()).isEqualTo(before);
        }
    }

    /**
     * Found on call: a set-uri onto a server that refuses the new URI's credentials (a password variable holding another
     * server's password) was refused as a server that "could not be listed (…authentication failed…): …; pass --force to
     * set it anyway": pasted, the --force routes every org of the pool to a server that lets none of them in.
     */
    @Test
    void aNewServerThatRefusesItsCredentialsIsRefusedSayingWhatToCheckNotToForce(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir); TestPools elsewhere = new TestPools(1)) {
            f.provision("acme");
            String before = strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("uri").asText();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.cli.catalogUrl(), "USER", "test", "POOL0_NEW_PASSWORD", "wrong-one-here"));
            // the stand-in has no users at all: any credentials are refused, as a wrong password is
            String refusing = elsewhere.uri(0).replace("mongodb://", "mongodb://app:${POOL0_NEW_PASSWORD}@") + "/?authSource=admin";

            for (String[] args : new String[][]{{"--dry-run"}, {"-o", "json"}}) {
                Cli.Result r = cli.run(CliFixture.args(List.of("pools", "set-uri", "pool-0", "--uri", refusing), List.of(args)));
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String message = args[0].equals("-o") ? strictJson(r).get("error").get("message").asText() : r.err();
                assertThat(message).as(r.toString()).contains("refused tenantctl's credentials").contains("${POOL0_NEW_PASSWORD}")
                        .contains("unchanged").doesNotContain("--force");
                assertThat(r.out() + r.err()).doesNotContain("wrong-one-here");
            }
            assertThat(strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("uri").asText()).isEqualTo(before);
        }
    }
}
