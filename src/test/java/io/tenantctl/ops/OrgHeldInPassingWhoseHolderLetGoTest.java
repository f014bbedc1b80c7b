package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule backup's selection (and suspend/resume) ask of an org listed in passing: is it held by an operation that
 * will leave it in use? Found beside MigrateAllOfAnOrgWhoseHolderLetGoDuringSelectionTest: an org listed restoring
 * whose restore ended before its lease was looked for (active, lease let go) counted as not held — `backup --all` left
 * it out without a word, `backup --org` failed it "org is restoring", `orgs suspend` refused it. The look happens
 * after the listing, so the org is given here as listed and its row changed in between.
 */
class OrgHeldInPassingWhoseHolderLetGoTest {

    @Test
    void anOrgListedInPassingThatIsInUseByNowCountsAsHeld(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = TestCatalog.initialisedDatabase();
            Cli cli = Cli.withCatalog(url);
            assertThat(cli.run("pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "10").exitCode()).isZero();
            Path schema = Files.writeString(dir.resolve("s.json"), "{\"collections\": [{\"name\": \"users\", \"indexes\": []}]}");
            assertThat(cli.run("provision", "--schema", schema.toString(), "acme", "stuck").exitCode()).isZero();
            TestCatalog.execute(url, "update orgs set status = 'restoring' where org_id in ('acme', 'stuck')");
            try (Catalog catalog = Catalog.open(url)) {
                Org acmeAsListed = catalog.orgs().get("acme");
                Org stuckAsListed = catalog.orgs().get("stuck");
                TestCatalog.execute(url, "update orgs set status = 'active' where org_id = 'acme'"); // its restore ended meanwhile

                assertThat(Orgs.heldInPassing(catalog, acmeAsListed)).as("in use by now").isTrue();
                assertThat(Orgs.heldInPassing(catalog, stuckAsListed)).as("still restoring, and nobody holds it").isFalse();
            }
        }
    }
}
