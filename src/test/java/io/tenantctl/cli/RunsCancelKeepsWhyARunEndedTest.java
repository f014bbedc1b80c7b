package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `runs cancel` of a run that already ended otherwise (aborted past --max-failures, failed) closes it so that it no
 * longer blocks the next rollout. It used to overwrite the run's record of how it ended: the abort's reason ("more orgs
 * failed than --max-failures allows") was replaced by "cancelled by …" and its finish time by the cancel's, so that
 * `runs show` no longer said why or when the rollout stopped. Both are kept now, the cancel added to the reason, and
 * `runs show` prints the reason in its table too.
 */
class RunsCancelKeepsWhyARunEndedTest {

    @Test
    void cancellingAnAbortedRunKeepsWhyAndWhenItStopped(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "n-1", "n-2");
            // the run stopped an hour ago, past its failure budget, its orgs not started
            String why = "more orgs failed than --max-failures allows (0); the rest were not touched";
            sql(url, "update runs set status = 'aborted', finished_at = timestamptz '2026-01-02 03:04:05+00', reason = '" + why
                    + "' where run_id = '" + runId + "'");

            ok(cli, "runs", "cancel", runId);

            JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("cancelled");
            assertThat(run.get("reason").asText()).as("why the rollout stopped, then who closed it").startsWith(why).contains("cancelled by test");
            assertThat(run.get("finished_at").asText()).as("when the rollout stopped").startsWith("2026-01-02T03:04:05");
            assertThat(ok(cli, "runs", "show", runId).out()).as("the table says why too").contains(why);
        }
    }

    /**
     * Found by the on-call audit: a second {@code runs cancel} of a run (two people on call, a script's retry) exited 2,
     * "error: run … is cancelled: only a running, interrupted, aborted or failed run can be cancelled", as if it were
     * mistyped; the run is what was asked, so it says so and exits 0, changing nothing (its reason not added to again).
     */
    @Test
    void cancellingACancelledRunAgainChangesNothingAndSaysSo(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "c-1", "c-2");
            ok(cli, "runs", "cancel", runId);
            JsonNode first = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");

            Cli.Result again = cli.run("runs", "cancel", runId);
            assertThat(again.exitCode()).as("%s", again).isZero();
            assertThat(again.out()).as("%s", again).contains("run " + runId + " (provision) was already cancelled").contains("nothing to do");
            Cli.Result dry = cli.run("runs", "cancel", runId, "--dry-run");
            assertThat(dry.exitCode()).as("%s", dry).isZero();
            assertThat(dry.out()).as("%s", dry).startsWith("dry run: ").contains("already cancelled");
            Cli.Result json = cli.run("runs", "cancel", runId, "-o", "json");
            assertThat(json.exitCode()).as("%s", json).isZero();
            JsonNode doc = strictJson(json);
            assertThat(doc.get("status").asText()).isEqualTo("cancelled");
            assertThat(doc.get("changed").asBoolean(true)).as("%s", doc).isFalse();

            JsonNode after = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(after.get("reason")).as("the second cancel changed nothing").isEqualTo(first.get("reason"));
            assertThat(after.get("finished_at")).isEqualTo(first.get("finished_at"));
            assertThat(CliFixture.count(url, "select count(*) from orgs")).as("the first cancel gave the places back").isZero();
        }
    }

    /**
     * Found by a 3 a.m. audit of the run verbs: a run whose worker ended it as 'runs cancel' came (succeeded between the
     * cancel's look at the run and its update) was refused with the status the cancel had read before, "run R is running:
     * only a running, interrupted, aborted or failed run can be cancelled", a refusal that contradicts itself. The
     * refusal says how the run ended, as the catalog has it now, and where to look (run_id in -o json's error).
     */
    @Test
    void aRunThatSucceededAsTheCancelCameIsSaidToHaveSucceeded(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "s-1");
            // its worker records the run succeeded just before the cancel's update reaches it
            sql(url, "create function succeeded_first() returns trigger language plpgsql as $$ begin update runs set status = "
                    + "'succeeded', finished_at = now() where run_id = old.run_id; return null; end $$");
            sql(url, "create trigger succeeded_first before update on runs for each row when (new.status = 'cancelled' and old.status = "
                    + "'running') execute function succeeded_first()");

            Cli.Result r = cli.run("runs", "cancel", runId, "-o", "json");

            assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("message").asText()).as("%s", r).startsWith("run " + runId + " (provision) had already succeeded (ended ")
                    .endsWith("): there is nothing to cancel; 'tenantctl runs show " + runId + "' says what it did");
            assertThat(error.get("run_id").asText()).as("%s", r).isEqualTo(runId);
            assertThat(r.err().lines().filter(l -> !l.isBlank())).as("%s", r).hasSize(1);
        }
    }

    /**
     * Found by a 3 a.m. audit of the run verbs: the cancel of a detached provision run listed every org that gave its place
     * back on its one line — 2,000 orgs made a line of 19,000 characters, a fleet's 50,000 half a megabyte. It names the first
     * 20 and counts the rest, which -o json lists each ({@code provision.places_released}), as the failures of a run are said.
     */
    @Test
    void theCancelOfABigProvisionRunNamesTwentyOrgsAndCountsTheRest(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            String runId = CliFixture.provisionDetached(cli, dir, CliFixture.ids("o-", 10, 35).toArray(String[]::new));
            JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
            assertThat(dry.at("/provision/places_released")).as("%s", dry).hasSize(25);

            Cli.Result r = ok(cli, "runs", "cancel", runId);

            assertThat(r.out().lines()).as("%s", r).singleElement().asString()
                    .contains("25 orgs never provisioned gave their places back: o-10, o-11, ")
                    .contains(", o-29 and 5 more (-o json lists each: provision.places_released)").doesNotContain("o-30");
            assertThat(CliFixture.count(url, "select count(*) from orgs")).as("every place given back").isZero();
        }
    }

    /**
     * Measured by a 3 a.m. audit of the run verbs: the cancel of a detached provision run settled its orgs one at a time,
     * four round trips to the catalog each (is it still provisioning? is someone on it? did any run begin it? give its
     * place back) — 2,000 orgs took 4 s, a fleet's 50,000 over a minute and a half, the runaway run working on meanwhile.
     * The cancel and its --dry-run settle them a page a few statements: a run of 60 orgs costs the round trips one of 3
     * does, and the orgs end as before (those never begun give their places back, one a dead worker began is failed,
     * named with the provision that finishes it).
     */
    @Test
    void theCancelOfAProvisionRunTakesNoMoreRoundTripsForMoreOrgs(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            int[] small = cancelled(cli, url, dir, "a-", 3);
            int[] big = cancelled(cli, url, dir, "b-", 60);
            assertThat(java.util.Arrays.stream(small).min().orElse(0)).as("round trips counted").isPositive();
            assertThat(big).as("round trips of the --dry-run and the cancel of 60 orgs, as of 3 (%s)", java.util.Arrays.toString(small))
                    .containsExactly(small);
            assertThat(CliFixture.count(url, "select count(*) from orgs where status = 'failed'")).as("the two a dead worker began").isEqualTo(2);
            assertThat(CliFixture.count(url, "select count(*) from orgs")).as("every other place given back").isEqualTo(2);
        }
    }

    /** Cancels a detached provision run of {@code n} orgs, the first begun by a dead worker: the round trips of its --dry-run and itself. */
    private static int[] cancelled(Cli cli, String url, Path dir, String prefix, int n) {
        String runId = CliFixture.provisionDetached(cli, dir, CliFixture.ids(prefix, 10, 10 + n).toArray(String[]::new));
        String begun = prefix + 10;
        sql(url, "update run_items set status = 'running', attempts = 1, claimed_by = 'other-host/4242/dead', lease_until = now() - "
                + "interval '1 minute' where run_id = '" + runId + "' and org_id = '" + begun + "'");
        int[] trips = new int[2];
        JsonNode dry = strictJson(countingRoundTrips(trips, 0, () -> ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json")));
        JsonNode done = strictJson(countingRoundTrips(trips, 1, () -> ok(cli, "runs", "cancel", runId, "-o", "json")));
        for (JsonNode cancel : java.util.List.of(dry, done)) {
            assertThat(cancel.at("/provision/places_released")).as("%s", cancel).hasSize(n - 1);
            assertThat(cancel.at("/provision/places_released/0").asText()).as("%s", cancel).isEqualTo(prefix + 11);
            assertThat(cancel.at("/provision/failed").size()).as("%s", cancel).isEqualTo(1);
            assertThat(cancel.at("/provision/failed/" + begun).asText()).as("%s", cancel).startsWith("tenantctl provision " + begun + " --schema-hash ");
        }
        assertThat(CliFixture.count(url, "select count(*) from orgs where org_id like '" + prefix + "%'")).as("the one begun is left").isEqualTo(1);
        return trips;
    }

    /** The driver's log of what it sends: one Sync ends each round trip (statement, batch or commit) this thread makes. */
    private static Cli.Result countingRoundTrips(int[] trips, int slot, java.util.function.Supplier<Cli.Result> work) {
        java.util.logging.Logger wire = java.util.logging.Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
        Thread self = Thread.currentThread();
        java.util.logging.Handler syncs = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (Thread.currentThread() == self && String.valueOf(r.getMessage()).contains("FE=> Sync")) {
                    trips[slot]++;
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        syncs.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Level was = wire.getLevel();
        wire.setLevel(java.util.logging.Level.FINEST);
        wire.addHandler(syncs);
        try {
            return work.get();
        } finally {
            wire.removeHandler(syncs);
            wire.setLevel(was);
        }
    }
}
