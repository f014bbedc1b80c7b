package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README (provision, "Failed orgs are never stuck"): "Every fan-out summary gives each failed org the command that moves it
 * on … in a joined or resumed run, which takes the run's own manifest and flags, it is the run's --resume RUN". And
 * (Runs): --resume retries failed orgs "with the run's own manifest, flags, compression and store".
 *
 * The scheduled backup is detached with {@code --freeze --compression gzip} (a consistent copy, files that open with zcat
 * anywhere) and its workers {@code backup --join RUN}. One org fails on a read error. Its {@code next_step} is
 * {@code tenantctl backup --org globex}: the on-call who follows it takes a live (unfrozen) zstd copy — neither what the
 * run promised nor the run's --resume. provision and migrate-all name {@code --resume RUN} there; backup does not.
 */
@Timeout(120)
class JoinedBackupRunNextStepKeepsTheRunsFreezeTest {

    @TempDir
    Path dir;

    @Test
    void theNextStepOfAnOrgThatFailedInAJoinedFrozenGzipBackupRunBacksItUpFrozenAndGzipped() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("globex", "notes", 10);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme,globex", "--freeze", "--compression", "gzip", "--detach", "-o", "json"))
                    .get("run_id").asText();

            // a worker of the run: globex's notes cannot be read to the end (the connection is reset mid-collection)
            Cli worker = f.newCli().decoratePools(real -> BackupFailureTest.dyingAfter(real, "notes", 3, null));
            Cli.Result joined = worker.run("backup", "--join", runId, "-o", "json");
            assertThat(joined.exitCode()).as(joined.toString()).isEqualTo(1);
            JsonNode failed = strictJson(joined).get("failed");
            assertThat(failed).as(joined.toString()).hasSize(1);
            assertThat(failed.get(0).get("org_id").asText()).isEqualTo("globex");
            String nextStep = failed.get(0).get("next_step").asText();

            // the on-call follows the next step as printed; meanwhile globex's status is read as its collections are copied
            Set<String> statusWhileCopied = ConcurrentHashMap.newKeySet();
            Cli onCall = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_globex") ? db
                    : (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class},
                    (proxy, m, args) -> {
                        if (m.getName().equals("getCollection") && "notes".equals(args[0])) {
                            statusWhileCopied.add(status(f.catalogUrl, "globex"));
                        }
                        try {
                            return m.invoke(db, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    })));
            Cli.Result followed = onCall.run(command(nextStep));
            assertThat(followed.exitCode()).as("next step '" + nextStep + "': " + followed).isZero();

            assertThat(statusWhileCopied).as("run " + runId + " backs its orgs up frozen (--freeze); its failed org's next step '"
                    + nextStep + "' must too").containsExactly("read_only");
            assertThat(globexBackupFiles(f.storeDir)).as("run " + runId + " writes gzip (--compression gzip); the files the next step '"
                    + nextStep + "' wrote for globex").isNotEmpty().allSatisfy(file -> assertThat(file).endsWith(".ndjson.gz"));
            assertThat(f.org("globex").get("status").asText()).isEqualTo("active");
        }
    }

    /** A new run (not joined): its failed org's next step backs that org up again with the run's --freeze and --compression. */
    @Test
    void theNextStepOfAnOrgThatFailedInANewFrozenGzipBackupRunCarriesItsFlags() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("globex", "notes", 10);
            Cli worker = f.newCli().decoratePools(real -> BackupFailureTest.dyingAfter(real, "notes", 3, null));
            Cli.Result r = worker.run("backup", "--org", "acme,globex", "--freeze", "--compression", "gzip", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed");
            assertThat(failed).as(r.toString()).hasSize(1);
            assertThat(failed.get(0).get("next_step").asText()).isEqualTo("tenantctl backup --org globex --freeze --compression gzip");
        }
    }

    /** The next step as arguments: "tenantctl " and any "   (comment)" left off, then -o json. */
    private static String[] command(String nextStep) {
        String cmd = nextStep.split(" {3}\\(")[0].trim();
        assertThat(cmd).startsWith("tenantctl ");
        List<String> args = new ArrayList<>(Arrays.asList(cmd.substring("tenantctl ".length()).split(" +")));
        args.addAll(List.of("-o", "json"));
        return args.toArray(String[]::new);
    }

    private static String status(String catalogUrl, String orgId) {
        try (Connection c = DriverManager.getConnection(catalogUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select status from orgs where org_id = '" + orgId + "'")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The collection files of globex's complete backups in the store (those with a manifest). */
    private static List<String> globexBackupFiles(Path store) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> backups = Files.list(store.resolve("globex"))) {
            for (Path b : backups.toList()) {
                if (Files.exists(b.resolve("manifest.json"))) {
                    try (Stream<Path> files = Files.list(b)) {
                        files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("manifest.json")).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }
}
