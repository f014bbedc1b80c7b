package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Red-team findings on migrate-all: each test fails on the code it was written against because of the bug it names. */
@Timeout(60)
class MigrateAllRedTeamTest {

    private final TestPools pools = new TestPools(1);
    private final MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct();
    private String url;

    @AfterEach
    void stop() {
        direct.close();
        pools.close();
    }

    private Cli fleet(Path dir, String... orgs) {
        url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), List.of(orgs));
        return cli;
    }

    /**
     * "Every mutating verb has --dry-run … writes nothing": an operator who is told to resume a rollout and first
     * previews it with --dry-run must not have it done for real.
     */
    @Test
    void aDryRunOfAResumeWritesNothing(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha", "beta");
        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli.Result detached = cli.run("migrate-all", "--schema", v2.toString(), "--detach", "-o", "json");
        assertThat(detached.exitCode()).as(detached.toString()).isZero();
        String runId = strictJson(detached).get("run_id").asText();
        Map<String, String> hashesBefore = hashes(cli);
        Map<String, Map<String, Document>> alphaBefore = direct.indexes(pools.uri(0), "alpha");

        Cli.Result dry = cli.run("migrate-all", "--resume", runId, "--dry-run", "-o", "json");

        assertThat(hashes(cli)).as("a dry run records no new schema hash\n" + dry).isEqualTo(hashesBefore);
        assertThat(direct.indexes(pools.uri(0), "alpha")).as("a dry run creates no index\n" + dry).isEqualTo(alphaBefore);
        assertThat(MigrateAllFixture.itemStatuses(MigrateAllFixture.runShow(cli, runId)))
                .as("the run's orgs are still to do after a dry run\n" + dry).containsEntry("pending", 2);
    }

    /** The per-org -o json detail of a real run says what was done to the org (as it does for a dry run). */
    @Test
    void theJsonOfARealRunSaysWhatWasDoneToEachOrg(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha");
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(direct.indexes(pools.uri(0), "alpha").get("messages")).containsKey("created_-1");
        JsonNode org = strictJson(r).get("orgs").get(0);
        assertThat(org.path("plan").path("create_indexes")).as("what was done to alpha: " + org)
                .extracting(JsonNode::asText).containsExactly("messages.created_-1");
    }
    /**
     * A release moves a TTL index to another date field under the same name (a conflict, so the deploy passes
     * --replace-conflicting); the rebuilt index would expire documents, so the org is refused with a next step. That
     * next step, followed literally, must show how many documents would expire, and adding --allow-expiry to it as it
     * says must finish the org. It drops --replace-conflicting, so each command only hits the conflict instead.
     */
    @Test
    void theNextStepOfARefusedTtlRebuildWorksWhenFollowedLiterally(@TempDir Path dir) {
        url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", """
                {"collections": [{"name": "sessions", "indexes": [
                  {"name": "ttl", "key": {"createdAt": 1}, "expireAfterSeconds": 2592000}]}]}
                """), List.of("acme"));
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "sessions", "indexes": [
                  {"name": "ttl", "key": {"lastSeenAt": 1}, "expireAfterSeconds": 2592000}]}]}
                """);
        java.time.Instant now = java.time.Instant.now();
        for (int i = 0; i < 5; i++) { // created today; three last seen 60 days ago, which the rebuilt index would expire
            direct.db(pools.uri(0), "acme").getCollection("sessions").insertOne(new Document("_id", i)
                    .append("createdAt", java.util.Date.from(now))
                    .append("lastSeenAt", java.util.Date.from(now.minusSeconds(i < 3 ? 60L * 86_400 : 60))));
        }

        Cli.Result refused = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        String next = strictJson(refused).get("failed").get(0).get("next_step").asText();
        assertThat(next).as(refused.toString()).startsWith("tenantctl migrate-all ").contains("--dry-run").contains("--allow-expiry");
        List<String> command = List.of(next.substring("tenantctl ".length(), next.indexOf("   (")).trim().split("\\s+"));

        Cli.Result preview = cli.run(command.toArray(String[]::new));
        assertThat(preview.out() + preview.err()).as("the next step '%s' shows how many documents would expire\n%s", next, preview)
                .contains("3 documents");

        List<String> allowed = new java.util.ArrayList<>(command);
        allowed.set(allowed.indexOf("--dry-run"), "--allow-expiry");
        Cli.Result done = cli.run(allowed.toArray(String[]::new));
        assertThat(done.exitCode()).as("the next step with --allow-expiry, as it says: %s\n%s", allowed, done).isZero();
        CliFixture.assertExactly(url, v2, List.of("acme"));
    }
    /**
     * A canary fails on one org's data (duplicate logins under a new unique index). The operator fixes that org and,
     * wanting to retry only it before the fleet, runs 'migrate-all --resume RUN --org a'. The --org is silently
     * ignored (a resumed run keeps its own selection and flags): the canary passes and every held org is migrated.
     * A selection given with --resume must either be honoured or refused (exit 2) with nothing done — never ignored.
     */
    @Test
    void aSelectionGivenWithResumeIsNeverSilentlyIgnored(@TempDir Path dir) {
        Cli cli = fleet(dir, "a", "b", "c");
        Path v2 = write(dir, "v2.json", """
                {"collections": [
                  {"name": "users", "indexes": [
                    {"name": "email_1", "key": {"email": 1}},
                    {"name": "tenant_1", "key": {"tenant": 1}},
                    {"name": "login_1", "key": {"login": 1}, "unique": true}
                  ]},
                  {"name": "messages", "indexes": [
                    {"name": "conv_1", "key": {"conversationId": 1}}
                  ]}
                ]}
                """);
        var users = direct.db(pools.uri(0), "a").getCollection("users");
        users.insertOne(new Document("_id", 1).append("login", "sam"));
        users.insertOne(new Document("_id", 2).append("login", "sam"));
        Map<String, String> before = hashes(cli);

        Cli.Result canary = cli.run("migrate-all", "--schema", v2.toString(), "--canary", "1", "-o", "json");
        assertThat(canary.exitCode()).as(canary.toString()).isEqualTo(1);
        assertThat(strictJson(canary).get("aborted").asText()).as(canary.toString()).contains("canary");
        String runId = strictJson(canary).get("run_id").asText();

        users.updateOne(new Document("_id", 2), new Document("$set", new Document("login", "sam2"))); // the fix
        Cli.Result one = cli.run("migrate-all", "--resume", runId, "--org", "a", "-o", "json");

        Map<String, String> after = hashes(cli);
        assertThat(after.get("b")).as("b was not asked for\n" + one).isEqualTo(before.get("b"));
        assertThat(after.get("c")).as("c was not asked for\n" + one).isEqualTo(before.get("c"));
        assertThat(direct.indexes(pools.uri(0), "b").get("users")).as("b was not asked for\n" + one).doesNotContainKey("login_1");
    }
    /**
     * The deploy pipeline of README "Scaling out": release N is a detached run its workers --join (they take no
     * rollout lock). Release N+1's pipeline runs 'migrate-all --schema next.json --wait' to queue behind it; instead of
     * waiting it exits 3 at once ("unfinished: join it …") and the deploy fails. --wait must wait for a rollout in
     * progress (here: stopped with Ctrl-C while waiting, exit 130), whatever drives it.
     */
    @Test
    void waitQueuesBehindADetachedRolloutInsteadOfExiting3(@TempDir Path dir) throws Exception {
        Cli cli = fleet(dir, "a", "b");
        Cli.Result detached = cli.run("migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "--detach", "-o", "json");
        assertThat(detached.exitCode()).as(detached.toString()).isZero();
        Path next = write(dir, "v3.json", MigrateAllFixture.V2_CONFLICT);

        io.tenantctl.fanout.CancelToken cancel = new io.tenantctl.fanout.CancelToken();
        java.util.concurrent.CompletableFuture<Void> told = new java.util.concurrent.CompletableFuture<>();
        StringBuffer stderr = new StringBuffer();
        java.util.concurrent.CompletableFuture<Cli.Result> queued = Cli.withCatalog(url).start(cancel, text -> {
            stderr.append(text);
            if (stderr.indexOf("waiting") >= 0) {
                told.complete(null);
            }
        }, "migrate-all", "--schema", next.toString(), "--replace-conflicting", "--wait", "-o", "json");
        java.util.concurrent.CompletableFuture.anyOf(queued, told).get(20, java.util.concurrent.TimeUnit.SECONDS);
        cancel.cancel("SIGTERM"); // the operator gives up waiting
        Cli.Result r = queued.get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(r.exitCode()).as("--wait was waiting for the rollout in progress when stopped\n" + r).isEqualTo(130);
    }
}
