package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: 'orgs adopt --file' of databases a provision of the same ids was working on at that moment
 * refused the org the provision held as "already in the catalog (provisioning …): adopt registers databases that have
 * no org yet", with no next step, although the provision was about to fail on the data there and leave the failed row
 * adopt takes over. The org is busy, as for a failed row: the refusal names the holder, and the next step waits for it.
 */
class AdoptOfAnOrgBeingProvisionedTest {

    @TempDir
    Path dir;

    @Test
    void anOrgAProvisionHoldsIsBusyAndItsNextStepWaitsForIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            for (String db : new String[]{"org_adp1", "org_adp2"}) { // made by the application, before any org row
                f.database("pool-0", db).getCollection("messages").insertOne(new Document("_id", 1).append("text", "hello"));
            }
            Pause pause = Pause.at(1);
            // the provision is held as it first looks at the org's database (under the org's lease)
            Cli held = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_adp1") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", pause::call)));
            CompletableFuture<Cli.Result> provision = held.start("provision", "--schema", f.schema.toString(), "adp1", "--pool", "pool-0");
            Cli.Result adopted;
            try {
                pause.awaitPaused("the provision reached the org's database");
                Path file = Files.writeString(dir.resolve("adopt.txt"), "adp1 org_adp1\nadp2 org_adp2\n");
                adopted = f.cli.run("orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "-o", "json");
            } finally {
                pause.wake();
            }
            assertThat(provision.get(120, TimeUnit.SECONDS).exitCode()).as("the provision fails on the data there").isEqualTo(1);

            assertThat(adopted.exitCode()).as("%s", adopted).isEqualTo(1);
            JsonNode adp1 = strictJson(adopted).get("orgs").get(0);
            assertThat(adp1.get("org_id").asText()).isEqualTo("adp1");
            assertThat(adp1.get("error").asText()).as("%s", adp1).contains("org adp1 is busy: provision by");
            assertThat(adp1.get("next_step").asText()).isEqualTo("tenantctl orgs adopt adp1 --pool pool-0 --database org_adp1 --wait");
            assertThat(strictJson(adopted).get("orgs").get(1).get("outcome").asText()).as("adp2").isEqualTo("adopted");

            ok(f.cli, adp1.get("next_step").asText().substring("tenantctl ".length()).split(" "));
            assertThat(f.org("adp1").get("status").asText()).isEqualTo("active");
            assertThat(f.db("adp1").getCollection("messages").countDocuments()).isEqualTo(1);
        }
    }
}
