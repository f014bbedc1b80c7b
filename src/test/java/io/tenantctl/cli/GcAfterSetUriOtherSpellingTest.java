package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
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
 * Review of 2de2fba: DatabaseGc.owner decides "registered on the same server" by comparing the URIs' host:port strings
 * (PoolUri.servers). The same server written another way - {@code localhost} for {@code 127.0.0.1}, a DNS name for its
 * address, a mongodb+srv name for its members, a ${VAR} host - is "another server", and gc drops the org's live database
 * exactly as before the fix. The sets-meet test is only safe as a refusal: a gc that cannot tell two pools apart must
 * compare what the servers are (e.g. the database's own contents or a server id from hello), or refuse to drop.
 */
class GcAfterSetUriOtherSpellingTest {

    @TempDir
    Path dir;

    @Test
    void gcNeverDropsALiveDatabaseWhenThePoolNamesTheSameServerAsLocalhost() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 100);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");

            // pool-0's registration pointed at the server pool-1 is on, by its name rather than its address
            String sameServer = f.pools.uri(1).replace("127.0.0.1", "localhost");
            Cli.Result setUri = f.cli.run("pools", "set-uri", "pool-0", "--uri", sameServer);
            JsonNode gc = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));

            assertThat(f.databaseNames("pool-1")).as("set-uri said %s; gc said %s", setUri, gc).contains("org_acme");
            f.assertHolds("acme", live);
        }
    }
}
