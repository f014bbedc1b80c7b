package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code org_acme__b} is the database name of org {@code acme__b} (a valid id), and
 * {@code orgs adopt --discover} offers it as that. verify called it a {@code stray_copy} of org acme, by its name's
 * prefix alone, and advised dropping it ({@code db.getSiblingDB('org_acme__b').dropDatabase()}); while acme was
 * restoring it skipped it silently as that restore's. A database is an org's copy only when the catalog ties it to the
 * org (its pointer, a retired copy, a move, a restore's run); any other one named like an org's is an orphan to adopt.
 */
class VerifyOfADatabaseThatOnlySharesAnOrgsPrefixTest {

    @TempDir
    Path dir;

    @Test
    void anotherOrgsDatabaseNotAdoptedYetIsAnOrphanToAdoptNotACopyToDrop() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.database("pool-0", "org_acme__b").getCollection("notes").insertMany(List.of(new Document("_id", 1), new Document("_id", 2),
                    new Document("_id", 3)));
            assertThat(ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0").out()).contains("acme__b org_acme__b");

            JsonNode doc = verify(f);
            assertThat(findings(doc, "stray_copy")).isEmpty();
            assertThat(findings(doc, "orphan_database")).singleElement().satisfies(x -> {
                assertThat(x.get("detail").asText()).contains("org_acme__b on pool pool-0");
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl orgs adopt acme__b --pool pool-0 --database org_acme__b");
            });

            // nor is it taken for the target of a restore of acme while acme is restoring
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'restoring' where org_id = 'acme'");
            assertThat(findings(verify(f), "orphan_database")).singleElement()
                    .satisfies(x -> assertThat(x.get("detail").asText()).contains("org_acme__b on pool pool-0"));
            assertThat(f.database("pool-0", "org_acme__b").getCollection("notes").countDocuments()).isEqualTo(3);
        }
    }

    private static JsonNode verify(BackupFixture f) {
        Cli.Result r = f.cli.run("verify", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        return strictJson(r);
    }
}
