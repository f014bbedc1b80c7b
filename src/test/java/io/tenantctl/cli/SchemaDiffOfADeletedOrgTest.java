package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code schema diff} of an org whose database purge had dropped listed every collection
 * and index as missing, exit 4, without a word that the org was deleted — drift, to whoever was on call. It is refused
 * (exit 2) saying the org is deleted.
 */
class SchemaDiffOfADeletedOrgTest {

    @TempDir
    Path dir;

    @Test
    void aDeletedOrgHasNoSchemaToCompare() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            Cli.Result diff = f.cli.run("schema", "diff", "acme", "-o", "json");
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(2);
            assertThat(diff.err()).contains("org acme is deleted").contains("no schema to compare");
        }
    }

    /**
     * Found by probing: an org whose database is gone from its pool (dropped by hand, a pool restored from an older
     * snapshot) was diffed as "2 missing collections, 3 missing indexes" — drift a rollout or verify --fix "fixes" by
     * making an empty database, while the org's data is what is missing (verify calls it missing_database). And on the
     * stand-in pools the diff's listCollections made the database again. It now says the database is not there and names
     * verify, without making it.
     */
    @Test
    void anOrgWhoseDatabaseIsGoneIsSaidSo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").drop();

            for (String[] args : new String[][]{{"schema", "diff", "acme", "--schema", f.schema.toString()},
                    {"schema", "diff", "acme", "--schema", f.schema.toString(), "-o", "json"}}) {
                Cli.Result diff = f.cli.run(args);
                assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
                if (args[args.length - 1].equals("json")) {
                    assertThat(CliFixture.strictJson(diff).get("database_exists").asBoolean(true)).as(diff.toString()).isFalse();
                    assertThat(CliFixture.strictJson(diff).path("next_step").asText(null)).as(diff.toString()).isEqualTo("tenantctl verify --org acme");
                } else {
                    assertThat(diff.out()).as(diff.toString()).contains("database org_acme is not on pool pool-0")
                            .contains("tenantctl verify --org acme");
                }
            }
            java.util.List<String> names = new java.util.ArrayList<>();
            try (com.mongodb.client.MongoClient c = com.mongodb.client.MongoClients.create(f.pools.uri(0))) {
                c.listDatabaseNames().into(names);
            }
            assertThat(names).as("the diff did not make the database again").doesNotContain("org_acme");
            Cli.Result verify = f.cli.run("verify", "--org", "acme", "-o", "json"); // what the diff names says so
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(4);
            assertThat(CliFixture.findings(CliFixture.strictJson(verify), "missing_database")).as(verify.toString()).hasSize(1);
        }
    }

    /**
     * Found by an audit: a rollout reaching an org whose database is gone from its pool (migrate-all --force here; any
     * rollout whose diff lists collections to create) made an empty database in its place (FerretDB makes one on the first
     * create), said the org migrated, exit 0, and verify's missing_database was gone with the loss. It now fails the org
     * (exit 1), naming the database, the pool and verify, in a dry run too, and makes nothing: verify still says
     * missing_database. Its next step is verify, not the same rollout again. The pools answer listCollections of a database
     * they do not have as FerretDB does (none, nothing made); the stand-in would make it.
     */
    @Test
    void aRolloutOfAnOrgWhoseDatabaseIsGoneFailsItAndMakesNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.db("acme").drop();
            java.util.function.UnaryOperator<io.tenantctl.pool.PoolConnector> likeFerretDb = real -> io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) ->
                    !name.equals("org_acme") ? db : (com.mongodb.client.MongoDatabase) java.lang.reflect.Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[]{com.mongodb.client.MongoDatabase.class}, (p, m, a) -> {
                                if (m.getName().equals("listCollectionNames") && !f.databaseNames("pool-0").contains(name)) {
                                    return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                                            new Class<?>[]{com.mongodb.client.ListCollectionNamesIterable.class}, (q, n, b) -> switch (n.getName()) {
                                                case "into" -> b[0];
                                                case "first" -> null;
                                                default -> throw new UnsupportedOperationException(n.getName());
                                            });
                                }
                                try {
                                    return m.invoke(db, a);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            }));
            Cli cli = f.newCli().decoratePools(likeFerretDb);

            Cli.Result dry = cli.run("migrate-all", "--schema", f.schema.toString(), "--force", "--dry-run");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(dry.toString()).contains("database org_acme is not on pool pool-0 at all");
            Cli.Result run = cli.run("migrate-all", "--schema", f.schema.toString(), "--force", "-o", "json");
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            com.fasterxml.jackson.databind.JsonNode doc = CliFixture.strictJson(run);
            assertThat(run.out()).as(run.toString()).contains("database org_acme is not on pool pool-0 at all")
                    .contains("tenantctl verify --org acme");
            assertThat(doc.toString()).as("the failed org's next step is verify, not the rollout again")
                    .contains("\"next_step\":\"tenantctl verify --org acme\"")
                    .doesNotContain("\"next_step\":\"tenantctl migrate-all --org acme");
            // said typed, as the next steps go by it (not by the message's wording): its line and its run's item
            for (com.fasterxml.jackson.databind.JsonNode line : doc.get("orgs")) {
                assertThat(line.path("database_gone").asBoolean(false)).as(doc.toString()).isEqualTo(line.get("org_id").asText().equals("acme"));
            }
            com.fasterxml.jackson.databind.JsonNode item = CliFixture.strictJson(ok(f.cli, "runs", "show", doc.get("run_id").asText(), "-o", "json"))
                    .get("items").findParents("org_id").stream().filter(i -> i.get("org_id").asText().equals("acme")).findFirst().orElseThrow();
            assertThat(item.get("detail").get("database_gone").asBoolean()).as(item.toString()).isTrue();
            assertThat(f.databaseNames("pool-0")).as("no empty database made in the org's place").doesNotContain("org_acme")
                    .contains("org_globex");
            // a release's rollout (a new manifest) fails it the same way; orgs show, where on-call looks for the org behind
            // that rollout, names verify, not that rollout again, which only fails it again
            java.nio.file.Path v2 = java.nio.file.Files.writeString(dir.resolve("v2.json"), CliFixture.smallSchemaWithUniqueUsername(false));
            Cli.Result release = cli.run("migrate-all", "--schema", v2.toString());
            assertThat(release.exitCode()).as(release.toString()).isEqualTo(1);
            Cli.Result shown = f.cli.run("orgs", "show", "acme");
            assertThat(shown.out()).as(shown.toString()).contains("tenantctl verify --org acme").doesNotContain("tenantctl migrate-all");
            Cli.Result fix = cli.run("verify", "--org", "acme", "--fix"); // nor does verify's fix make it
            assertThat(fix.exitCode()).as(fix.toString()).isEqualTo(4);
            assertThat(f.databaseNames("pool-0")).as(fix.toString()).doesNotContain("org_acme");
            Cli.Result verify = f.cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(4);
            assertThat(CliFixture.findings(CliFixture.strictJson(verify), "missing_database")).as(verify.toString()).hasSize(1);

            // a run aborted on it (--max-failures 0, acme first) names no --resume, which would only fail it, and abort, again
            Cli.Result aborted = cli.run("migrate-all", "--schema", v2.toString(), "--force", "--max-failures", "0", "--per-pool", "1");
            assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
            String runId = CliFixture.strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(aborted.err()).as(aborted.toString()).contains("aborted: more orgs failed than --max-failures allows")
                    .doesNotContain("Resume with: tenantctl migrate-all --resume " + runId)
                    .contains("tenantctl verify --org").contains("tenantctl runs cancel " + runId);
            ok(f.cli, "runs", "cancel", runId);

            // a pool user that may not list databases (13): the rollout cannot tell, and goes on as it did
            Cli blind = f.newCli().decoratePools(real -> io.tenantctl.testing.HookedPools.onCommand(likeFerretDb.apply(real), (db, command) -> {
                if (db.equals("admin") && io.tenantctl.testing.HookedPools.is(command, "listDatabases")) {
                    throw io.tenantctl.testing.HookedPools.commandError(13, "not authorized on admin to execute command");
                }
            }));
            ok(blind, "migrate-all", "--schema", v2.toString(), "--org", "acme");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
        }
    }
}
