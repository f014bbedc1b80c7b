package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: gc (and purge) identify a database by (pool id, name) and protect only what an org's pointer names under that
 * pool id. A move keeps the org's database name on the target ({@code org_acme} on pool-0 retired, {@code org_acme} live on
 * pool-1). {@code pools set-uri} accepts any URI, including one another pool already uses (the README's "two registrations
 * of one FerretDB"), and does not look at what the pool's retired databases would then name. Once pool-0's URI is the
 * server pool-1 is on, {@code rebalance gc} drops "pool-0/org_acme" - acme's live database - and says "dropped".
 */
class GcAfterSetUriTest {

    @TempDir
    Path dir;

    /**
     * pool-0's registration pointed at the server pool-1 is on ("a host moved"), spelled as pool-1's URI spells it, or
     * otherwise ({@code localhost} for {@code 127.0.0.1}, as a DNS name for its address): gc must see one database.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gcNeverDropsALiveDatabaseAfterAPoolsUriChanges(boolean spelledOtherwise) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 100);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");

            String sameServer = spelledOtherwise ? f.pools.uri(1).replace("127.0.0.1", "localhost") : f.pools.uri(1);
            Cli.Result setUri = f.cli.run("pools", "set-uri", "pool-0", "--uri", sameServer);
            JsonNode gc = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));

            assertThat(f.databaseNames("pool-1")).as("set-uri said %s; gc said %s", setUri, gc).contains("org_acme");
            f.assertHolds("acme", live);
            JsonNode item = gc.get("items").get(0);
            assertThat(item.get("action").asText()).as(gc.toString()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).as(gc.toString()).contains("acme").contains("through pool pool-1");
            assertThat(f.databaseNames("pool-1").stream().flatMap(db -> f.database("pool-1", db).listCollectionNames()
                    .into(new java.util.ArrayList<>()).stream())).as("the probe is gone").doesNotContain("tenantctl_gc_probe");
        }
    }
}
