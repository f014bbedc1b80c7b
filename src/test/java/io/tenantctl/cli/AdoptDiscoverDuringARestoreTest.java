package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: while a restore (default mode) is filling the org's fresh database {@code org_acme__r…}, no
 * catalog row names that database yet (the org is flipped to it only at the end) and it is not retired, so
 * {@code orgs adopt --discover} lists it as a database "with no org" and even suggests a valid id for it
 * ({@code acme__r…}). The operator who follows discover's next step literally registers the half-written restore
 * target as a new, active org; the restore then cannot flip acme to its own database (database_name is unique) and
 * fails, and a bogus org holding a partial copy of acme's data stays. A database a running restore is writing is the
 * restore's, not a candidate for adoption.
 */
class AdoptDiscoverDuringARestoreTest {

    @TempDir
    Path dir;

    @Test
    void discoverDoesNotOfferTheDatabaseARunningRestoreIsFilling() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");
            var before = BackupFixture.contents(f.db("acme"));

            // the restore is held at the create of its second collection: its fresh database exists and is part-filled
            BackupFixture.HeldAtCreate held = f.holdCreate(db -> db.startsWith("org_acme__r"), 2);
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "-o", "json");
            try {
                assertThat(held.awaitReached()).as("the restore reached its second collection").isTrue();
                assertThat(f.databaseNames("pool-0")).anyMatch(n -> n.startsWith("org_acme__r"));

                JsonNode found = strictJson(ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0", "-o", "json"));
                List<String> offered = new ArrayList<>();
                found.get("databases").forEach(d -> offered.add(d.get("database_name").asText()));
                assertThat(offered).as("discover offers the database a running restore is filling: %s", found)
                        .noneMatch(n -> n.startsWith("org_acme__r"));

                // and its next step, followed literally, must not take it (whatever discover printed)
                Cli.Result text = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0");
                Path file = dir.resolve("adopt.txt");
                Files.writeString(file, text.out());
                f.cli.run("orgs", "adopt", "--pool", "pool-0", "--file", file.toString());
            } finally {
                held.release();
            }
            Cli.Result r = restore.get(120, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as("the restore, after discover's lines were adopted: %s", r).isZero();
            f.assertHolds("acme", before);
            List<String> orgs = new ArrayList<>();
            strictJson(ok(f.cli, "orgs", "list", "-o", "json")).get("orgs").forEach(o -> orgs.add(o.get("org_id").asText()));
            assertThat(orgs).as("no org was made of acme's half-restored database").containsExactly("acme");
        }
    }
}
