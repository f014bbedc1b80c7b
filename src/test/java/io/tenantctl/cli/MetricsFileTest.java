package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.hawkular.agent.prometheus.types.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * --metrics-file: the file is Prometheus text format as an independent parser reads it (Hawkular's text parser, not the
 * writer that made it, not a regex), with the run's figures; it replaces the previous file by a rename, also after a
 * failed run, and is not written for a usage error.
 */
class MetricsFileTest {

    @TempDir
    Path dir;

    /** Every family of a metrics file, by name, as the parser read it. */
    static Map<String, MetricFamily> parse(Path file) throws Exception {
        Map<String, MetricFamily> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file)) {
            TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(in);
            for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
                assertThat(out).as("family %s appears once", f.getName()).doesNotContainKey(f.getName());
                out.put(f.getName(), f);
            }
        }
        return out;
    }

    /** The value of the gauge sample of {@code family} whose labels are exactly {@code labels}. */
    static double gauge(Map<String, MetricFamily> families, String family, String... labels) {
        MetricFamily f = families.get(family);
        assertThat(f).as("family %s in %s", family, families.keySet()).isNotNull();
        assertThat(f.getType()).isEqualTo(MetricType.GAUGE);
        Metric m = sample(f, labels);
        return ((Gauge) m).getValue();
    }

    static Metric sample(MetricFamily f, String... labels) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        List<Metric> found = f.getMetrics().stream().filter(m -> m.getLabels().equals(want)).toList();
        assertThat(found).as("%s%s among %s", f.getName(), want, f.getMetrics()).hasSize(1);
        return found.get(0);
    }

    @Test
    void aProvisionWithARetryWritesItsFiguresAsPrometheusText() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            AtomicInteger thrown = new AtomicInteger();
            Cli cli = Cli.withCatalog(url).decoratePools(real -> ProvisionRetryTest.failing(real, "org_beta", ProvisionRetryTest::isCreateIndexes,
                    1, ProvisionRetryTest.ferretError(1, "deadlock detected"), thrown));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            Path file = dir.resolve("tenantctl_provision.prom");
            long before = System.currentTimeMillis() / 1000;

            Cli.Result r = cli.run("provision", "alpha", "beta", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json",
                    "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode doc = strictJson(r);
            Map<String, MetricFamily> m = parse(file);
            assertThat(gauge(m, "tenantctl_orgs", "verb", "provision", "outcome", "provisioned")).isEqualTo(2);
            assertThat(gauge(m, "tenantctl_pool_orgs", "verb", "provision", "pool", "pool-1", "outcome", "provisioned")).isEqualTo(2);
            assertThat(gauge(m, "tenantctl_retries", "verb", "provision")).isEqualTo(1);
            assertThat(gauge(m, "tenantctl_last_run_exit_status", "verb", "provision")).isZero();
            assertThat(gauge(m, "tenantctl_last_run_timestamp_seconds", "verb", "provision"))
                    .isBetween((double) before, System.currentTimeMillis() / 1000.0 + 1);
            assertThat(gauge(m, "tenantctl_run_duration_seconds", "verb", "provision")).isPositive();
            assertThat(gauge(m, "tenantctl_org_duration_max_seconds", "verb", "provision")).isEqualTo(doc.get("max_ms").asLong() / 1000.0);
            MetricFamily perOrg = m.get("tenantctl_org_duration_seconds");
            assertThat(perOrg.getType()).isEqualTo(MetricType.SUMMARY);
            Summary s = (Summary) sample(perOrg, "verb", "provision");
            assertThat(s.getSampleCount()).isEqualTo(2);
            long sumMs = 0;
            for (JsonNode o : doc.get("orgs")) {
                sumMs += o.get("ms").asLong();
            }
            assertThat(s.getSampleSum()).isCloseTo(sumMs / 1000.0, within(1e-9));
            assertThat(s.getQuantiles()).extracting(Summary.Quantile::getQuantile).containsExactly(0.5, 0.95);
            assertThat(s.getQuantiles().get(0).getValue()).isEqualTo(doc.get("p50_ms").asLong() / 1000.0);
            assertThat(s.getQuantiles().get(1).getValue()).isEqualTo(doc.get("p95_ms").asLong() / 1000.0);
            assertThat(((Summary) sample(m.get("tenantctl_pool_org_duration_seconds"), "verb", "provision", "pool", "pool-1"))
                    .getSampleCount()).isEqualTo(2);
            assertThat(m).doesNotContainKeys("tenantctl_backup_bytes", "tenantctl_moved_bytes");
            assertThat(siblings(file)).as("no temp file is left beside it").containsExactly(file.getFileName().toString());
        }
    }

    /** The directory went away during the run (a remounted textfile collector): a warning that says why, the run's exit code kept. */
    @Test
    void aMetricsDirectoryThatVanishesDuringTheRunIsAWarningSayingWhy() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            Path metricsDir = java.nio.file.Files.createDirectories(dir.resolve("textfile"));
            Path file = metricsDir.resolve("tenantctl_provision.prom");
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog()).decoratePools(real -> io.tenantctl.testing.HookedPools.onCommand(real,
                    (db, cmd) -> {
                        if (io.tenantctl.testing.HookedPools.is(cmd, "createIndexes")) {
                            try {
                                java.nio.file.Files.deleteIfExists(metricsDir);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);

            Cli.Result r = cli.run("provision", "alpha", "--schema", CliFixture.smallSchema(dir).toString(), "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.err()).as(r.toString()).contains("could not write --metrics-file " + file + ": no such file or directory: ");
        }
    }

    @Test
    void aBackupWithOneFailedOrgCountsItAndTheBytesOfTheOther() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            notes(f, "acme", 10);
            notes(f, "globex", 2);
            Cli failing = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString())).decoratePools(real -> BackupFailureTest.dyingAfter(real, "notes", 3, null));
            Path file = dir.resolve("backup.prom");

            Cli.Result r = failing.run("backup", "--org", "acme,globex", "-o", "json", "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            long globexBytes = 0;
            for (JsonNode o : strictJson(r).get("orgs")) {
                if (o.get("org_id").asText().equals("globex")) {
                    globexBytes = o.get("bytes").asLong();
                }
            }
            assertThat(globexBytes).isPositive();
            Map<String, MetricFamily> m = parse(file);
            assertThat(gauge(m, "tenantctl_orgs", "verb", "backup", "outcome", "backed_up")).isEqualTo(1);
            assertThat(gauge(m, "tenantctl_orgs", "verb", "backup", "outcome", "failed")).isEqualTo(1);
            assertThat(gauge(m, "tenantctl_last_run_exit_status", "verb", "backup")).isEqualTo(1);
            assertThat(gauge(m, "tenantctl_backup_bytes", "verb", "backup", "pool", "pool-0")).isEqualTo(globexBytes);
            assertThat(gauge(m, "tenantctl_backup_documents", "verb", "backup", "pool", "pool-0")).isEqualTo(2);
            assertThat(((Summary) sample(m.get("tenantctl_org_duration_seconds"), "verb", "backup")).getSampleCount()).isEqualTo(2);
        }
    }

    /** An org refused before it started (a failed org named in a backup) has no time: the summary is the run's own "over 1 orgs". */
    @Test
    void anOrgRefusedBeforeItStartedIsNotInThePerOrgTimes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            notes(f, "acme", 10);
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(f.catalogUrl); java.sql.Statement s = c.createStatement()) {
                s.execute("update orgs set status = 'failed' where org_id = 'globex'");
            }
            Path file = dir.resolve("backup.prom");

            Cli.Result r = f.cli.run("backup", "--org", "acme,globex", "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.out() + r.err()).contains("over 1 orgs");
            Summary perOrg = (Summary) sample(parse(file).get("tenantctl_org_duration_seconds"), "verb", "backup");
            assertThat(perOrg.getSampleCount()).isEqualTo(1);
            assertThat(perOrg.getQuantiles().get(0).getValue()).as("the median is acme's time, not the refused org's 0").isPositive();
        }
    }

    /**
     * Found earlier: the per-pool times counted a skipped org as 0 ms while the run's p50/p95 left it out, so a pool's
     * median fell as more of its orgs were skipped. By pool, the same orgs as the run's own figures.
     */
    @Test
    void aSkippedOrgIsNotInThePerPoolTimesEither() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            assertThat(f.cli.run("orgs", "suspend", "globex").exitCode()).isZero();
            assertThat(f.cli.run("orgs", "suspend", "initech").exitCode()).isZero();
            Path file = dir.resolve("migrate.prom");

            Cli.Result r = f.cli.run("migrate-all", "--schema", f.schema.toString(), "--force", "-o", "json", "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode doc = strictJson(r);
            assertThat(doc.get("counts").get("skipped").asInt()).as(r.toString()).isEqualTo(2);
            Map<String, MetricFamily> m = parse(file);
            Summary run = (Summary) sample(m.get("tenantctl_org_duration_seconds"), "verb", "migrate-all");
            Summary pool = (Summary) sample(m.get("tenantctl_pool_org_duration_seconds"), "verb", "migrate-all", "pool", "pool-0");
            assertThat(run.getSampleCount()).isEqualTo(1);
            assertThat(pool.getSampleCount()).as("acme alone, as the run's own p50 counts it").isEqualTo(1);
            assertThat(pool.getSampleSum()).isEqualTo(run.getSampleSum());
            assertThat(pool.getQuantiles().get(0).getValue()).as("the pool's median is acme's time, not a skipped org's 0")
                    .isEqualTo(doc.get("p50_ms").asLong() / 1000.0);
        }
    }

    @Test
    void anExistingFileIsReplacedByARenameAndAUsageErrorWritesNothing() throws Exception {
        Path file = dir.resolve("run.prom");
        Files.writeString(file, "# previous run\ntenantctl_orgs{verb=\"provision\",outcome=\"provisioned\"} 7\n");
        Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", "postgres://postgres:x@127.0.0.1:1/nothing"));

        // a usage error before any run: the previous file stays as it was
        Cli.Result usage = cli.run("provision", "--join", "r-1", "acme", "--metrics-file", file.toString());
        assertThat(usage.exitCode()).as(usage.toString()).isEqualTo(2);
        assertThat(Files.readString(file)).startsWith("# previous run");

        // an unreachable catalog (exit 3) is recorded: the alert on the exit status must fire
        Cli.Result unreachable = cli.run("provision", "acme", "--metrics-file", file.toString());
        assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(3);
        Map<String, MetricFamily> m = parse(file);
        assertThat(gauge(m, "tenantctl_last_run_exit_status", "verb", "provision")).isEqualTo(3);
        assertThat(m).doesNotContainKey("tenantctl_orgs");
        Object after = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        assertThat(after).as("a new file was renamed over the old one, never rewritten in place").isNotEqualTo(before);
        assertThat(Files.getPosixFilePermissions(file)).extracting(Object::toString).contains("OTHERS_READ");
        assertThat(siblings(file)).containsExactly("run.prom");
    }

    @Test
    void verifyWritesItsFindingsByKind() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("acme");
            f.backup("globex");
            f.database("pool-0", "org_ghost").getCollection("x").insertOne(new org.bson.Document("a", 1));
            f.database("pool-0", "org_lost").getCollection("x").insertOne(new org.bson.Document("a", 1));
            f.db("acme").getCollection("users").dropIndex("email_1");
            Path file = dir.resolve("verify.prom");

            assertThat(f.cli.run("verify", "--metrics-file", file.toString()).exitCode()).isEqualTo(4);

            Map<String, MetricFamily> m = parse(file);
            assertThat(gauge(m, "tenantctl_findings", "verb", "verify", "kind", "orphan_database")).isEqualTo(2);
            assertThat(gauge(m, "tenantctl_findings", "verb", "verify", "kind", "schema_missing")).isEqualTo(1);
            assertThat(gauge(m, "tenantctl_problems", "verb", "verify")).isEqualTo(3);
            assertThat(gauge(m, "tenantctl_last_run_exit_status", "verb", "verify")).isEqualTo(4);
            assertThat(gauge(m, "tenantctl_orgs", "verb", "verify", "outcome", "clean")).isEqualTo(1);
            assertThat(gauge(m, "tenantctl_orgs", "verb", "verify", "outcome", "problems")).isEqualTo(1);
            assertThat(siblings(file)).containsExactly("verify.prom");
        }
    }

    /**
     * Found by a probing helper: a run with nothing to do (backup --due right after a backup) wrote quantiles and a max
     * of 0.0, which a dashboard reads as "orgs took 0 s". No org timed: no quantile or max samples (count 0 says why).
     */
    @Test
    void aRunThatTimedNoOrgWritesNoQuantilesOrMax() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            Path file = dir.resolve("due.prom");

            Cli.Result r = f.cli.run("backup", "--due", "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isZero();
            Map<String, MetricFamily> m = parse(file);
            Summary perOrg = (Summary) sample(m.get("tenantctl_org_duration_seconds"), "verb", "backup");
            assertThat(perOrg.getSampleCount()).isZero();
            assertThat(perOrg.getQuantiles()).as(Files.readString(file)).isEmpty();
            assertThat(m).as(Files.readString(file)).doesNotContainKey("tenantctl_org_duration_max_seconds");
        }
    }

    /** Found by a probing helper: the exit status's HELP listed 0, 1, 3, 130, but verify writes 4 (the README's exit codes). */
    @Test
    void theExitStatusHelpListsEveryExitCode() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path file = dir.resolve("verify.prom");
            f.cli.run("verify", "--metrics-file", file.toString());
            String help = parse(file).get("tenantctl_last_run_exit_status").getHelp();
            assertThat(help).contains("0 ok", "1 orgs failed", "2 usage", "3 config/connectivity", "4 ", "130 interrupted");
        }
    }

    private static List<String> siblings(Path file) throws Exception {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("store") && !n.endsWith(".json")).toList();
        }
    }

    private static void notes(BackupFixture f, String org, int n) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i)).append("text", new BsonString("note " + i)));
        }
        f.db(org).getCollection("notes", BsonDocument.class).insertMany(docs);
    }
}
