package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming the pools surface: one FerretDB registered as two pools (a second 'pools add' of the same server,
 * here its URI with a trailing slash; or a 'pools set-uri' onto another pool's server). gc and purge know this case
 * (DatabaseGc compares the URIs' host:port and probes), but verify does not: listing pool-b it finds acme's live
 * database, sees that acme "lives on pool-a", and reports a {@code stray_copy} whose fix is
 * {@code db.getSiblingDB('org_acme').dropDatabase()} on pool-b — run at 3 a.m., that drops acme's only database.
 * Nothing lost, ever, and every printed fix must be safe to run: verify must not call an org's live database a stray
 * copy to drop, whatever pool row it was listed through.
 */
class VerifyTwoPoolsOnOneServerTest {

    @Test
    void anOrgsLiveDatabaseSeenThroughASecondPoolRowOfTheSameServerIsNeverAStrayToDrop(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-b", pools.uri(0) + "/", 10, 2); // the same host:port, spelled with a trailing slash
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "--schema", schema, "--pool", "pool-a");

            Cli.Result r = cli.run("verify", "-o", "json");

            JsonNode doc = strictJson(r);
            assertThat(r.exitCode()).as("one server registered twice hides no problem: %s", r).isZero();
            assertThat(doc.get("findings").findValuesAsText("kind")).as("%s", r).containsExactly("pools_share_a_server");
            for (JsonNode f : doc.get("findings")) {
                String fix = f.path("fix").asText();
                assertThat(fix).as("verify told the operator to drop acme's live database (org_acme, where the catalog "
                                + "points it, on the very server pool-b names): %s", f.toPrettyString())
                        .doesNotContain("getSiblingDB('org_acme').dropDatabase()");
            }
        }
    }

    /**
     * Spelled otherwise (localhost for 127.0.0.1) verify cannot tell from the URIs, and it writes nothing to ask the
     * servers: acme's database seen through pool-b is reported, but its fix first says how to tell it is the live one.
     */
    @Test
    void spelledOtherwiseTheFixSaysHowToTellBeforeItSaysDrop(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-b", pools.uri(0).replace("127.0.0.1", "localhost"), 10, 2);
            ok(cli, "provision", "acme", "--schema", CliFixture.smallSchema(dir).toString(), "--pool", "pool-a");

            JsonNode doc = strictJson(cli.run("verify", "-o", "json"));

            JsonNode stray = doc.get("findings").get(0);
            assertThat(stray.path("kind").asText()).isEqualTo("stray_copy");
            assertThat(stray.path("fix").isNull()).as("something to make sure of by hand first: no command").isTrue();
            String fix = stray.path("fix_note").asText();
            assertThat(fix.indexOf("is not pool-a's server under another name")).as(fix).isNotNegative()
                    .isLessThan(fix.indexOf("dropDatabase()"));
        }
    }
}
