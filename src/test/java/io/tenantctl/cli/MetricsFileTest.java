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

    /** An org refused before it started (a failed org named in a backup) has no time: the summary is the run's own "over 1 org". */
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
            assertThat(r.out() + r.err()).contains("over 1 org").doesNotContain("1 orgs");
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
     * verify's metrics file worked out its figures (orgs by outcome, by pool and outcome, each pool's p50/p95/max, retries)
     * from a line per org held in memory; they now come from the catalog. The file of a recorded run over two pools, with
     * failed orgs, retries, a skipped org and orgs relabelled 'problems' by their own findings and by a fleet-level one (a
     * stuck org), is the same, figure for figure, as it was when every line was held (the text below is what that wrote);
     * so is the file of a worker that joins the run once it is over, which relabels by the orgs' own findings alone.
     */
    @Test
    void verifyOfARunWithFailuresAndRetriesWritesTheFiguresItsLinesGave() throws Exception {
        try (TestPools pools = new TestPools(2)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
            CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 1);
            CliFixture.sql(url, "insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) values "
                    + "('org-stuck', 'pool-1', 'org_org_stuck', 'provisioning', 'free', now() - interval '2 days')");
            CliFixture.sql(url, "insert into runs (run_id, verb, args, status, actor, finished_at) values ('20261207T000000Z-0c0c', 'verify', "
                    + "'{\"deep\":false,\"fix\":false,\"orgs\":[],\"pools\":[]}', 'succeeded', 'oncall', now())");
            String problem = "{\"findings\":[{\"kind\":\"schema_missing\",\"severity\":\"problem\",\"subject\":\"users\",\"detail\":\"gone\"}]}";
            String info = "{\"findings\":[{\"kind\":\"no_schema_record\",\"severity\":\"info\",\"subject\":\"\",\"detail\":\"none\"}]}";
            CliFixture.sql(url, "insert into run_items (run_id, org_id, pool_id, seq, status, attempts, millis, error, detail) values "
                    + "('20261207T000000Z-0c0c', 'a1', 'pool-0', 1, 'succeeded', 1, 100, null, '{\"findings\":[]}'), "
                    + "('20261207T000000Z-0c0c', 'a2', 'pool-0', 2, 'succeeded', 2, 250, null, '" + problem + "'), "
                    + "('20261207T000000Z-0c0c', 'a3', 'pool-0', 3, 'succeeded', 1, 300, null, '" + info + "'), "
                    + "('20261207T000000Z-0c0c', 'a4', 'pool-0', 4, 'failed', 3, 900, 'reading its database: timed out', null), "
                    + "('20261207T000000Z-0c0c', 'a5', 'pool-0', 5, 'skipped', 1, null, null, null), "
                    + "('20261207T000000Z-0c0c', 'b1', 'pool-1', 6, 'succeeded', 1, 50, null, '{\"findings\":[]}'), "
                    + "('20261207T000000Z-0c0c', 'org-stuck', 'pool-1', 7, 'succeeded', 1, 70, null, '{\"findings\":[]}'), "
                    + "('20261207T000000Z-0c0c', 'b3', 'pool-1', 8, 'failed', 2, 400, 'listing its indexes: refused', null), "
                    + "('20261207T000000Z-0c0c', 'b4', 'pool-1', 9, 'succeeded', 4, 1200, null, '" + problem + "')");
            Path file = dir.resolve("verify.prom");

            Cli.Result r = cli.run("verify", "--resume", "20261207T000000Z-0c0c", "--metrics-file", file.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            assertThat(figures(file)).isEqualTo(RECORDED_RUNS_FIGURES);
            // a worker joining it once it is over reports it without the fleet's checks: the orgs' findings relabel them, those
            // the resume's fleet checks wrote into an org's item too (org-stuck's org_stuck: problems, as in the run above)
            Path joined = dir.resolve("joined.prom");
            Cli.Result j = cli.run("verify", "--join", "20261207T000000Z-0c0c", "--metrics-file", joined.toString());
            assertThat(figures(joined)).as(j.toString()).isEqualTo(JOINED_RUNS_FIGURES);
        }
    }

    /**
     * Found by a helper: a --detach whose run was over at once (its orgs all active already: nothing for a worker to do)
     * printed what provision without --detach prints, but wrote no --metrics-file, so the operator's pipeline found none.
     * It now writes the file provision without --detach writes, figure for figure; a --detach whose run waits for its
     * workers still writes none (nothing was worked on: the last run's file stays).
     */
    @Test
    void aDetachedRunOverAtOnceWritesTheFileTheVerbWithoutDetachWrites() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            String schema = CliFixture.smallSchema(dir).toString();
            CliFixture.ok(cli, "provision", "alpha", "--schema", schema);
            Path plain = dir.resolve("plain.prom");
            Path detached = dir.resolve("detached.prom");

            CliFixture.ok(cli, "provision", "alpha", "--schema", schema, "--metrics-file", plain.toString());
            Cli.Result d = cli.run("provision", "alpha", "--schema", schema, "--detach", "--metrics-file", detached.toString());

            assertThat(d.exitCode()).as(d.toString()).isZero();
            assertThat(d.out()).as("over at once: no workers to start").doesNotContain("--join").contains("unchanged 1");
            assertThat(detached).as(d.toString()).exists();
            assertThat(gauge(parse(detached), "tenantctl_orgs", "verb", "provision", "outcome", "unchanged")).isEqualTo(1);
            assertThat(figures(detached)).isEqualTo(figures(plain));

            Path waiting = dir.resolve("waiting.prom");
            Cli.Result w = cli.run("provision", "beta", "--schema", schema, "--detach", "--metrics-file", waiting.toString());
            assertThat(w.out()).as(w.toString()).contains("--join");
            assertThat(waiting).as("a run left to its workers measured nothing here").doesNotExist();
        }
    }

    /** The lines of metrics file {@code file} but its wall time and timestamp. */
    private static String figures(Path file) throws Exception {
        return Files.readString(file).lines().filter(l -> !l.contains("tenantctl_run_duration_seconds")
                && !l.contains("tenantctl_last_run_timestamp_seconds")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    /** The metrics file of the recorded run above, but its wall time and timestamp, as the report holding every line wrote it. */
    private static final String RECORDED_RUNS_FIGURES = """
            # HELP tenantctl_findings Problems the last verify found, by kind (informational and acked findings left out)
            # TYPE tenantctl_findings gauge
            tenantctl_findings{kind="check_failed",verb="verify"} 2.0
            tenantctl_findings{kind="org_stuck",verb="verify"} 1.0
            tenantctl_findings{kind="schema_missing",verb="verify"} 2.0
            # HELP tenantctl_last_run_exit_status Exit status of the last run: 0 ok, 1 orgs failed, 2 usage error, 3 config/connectivity, 4 problems found (verify), 130 interrupted
            # TYPE tenantctl_last_run_exit_status gauge
            tenantctl_last_run_exit_status{verb="verify"} 4.0
            # HELP tenantctl_org_duration_max_seconds Slowest org of the last run
            # TYPE tenantctl_org_duration_max_seconds gauge
            tenantctl_org_duration_max_seconds{verb="verify"} 1.2
            # HELP tenantctl_org_duration_seconds Per-org wall time in the last run (nearest-rank quantiles)
            # TYPE tenantctl_org_duration_seconds summary
            tenantctl_org_duration_seconds{verb="verify",quantile="0.5"} 0.25
            tenantctl_org_duration_seconds{verb="verify",quantile="0.95"} 1.2
            tenantctl_org_duration_seconds_count{verb="verify"} 8
            tenantctl_org_duration_seconds_sum{verb="verify"} 3.27
            # HELP tenantctl_orgs Orgs of the last run by outcome
            # TYPE tenantctl_orgs gauge
            tenantctl_orgs{outcome="clean",verb="verify"} 3.0
            tenantctl_orgs{outcome="failed",verb="verify"} 2.0
            tenantctl_orgs{outcome="problems",verb="verify"} 3.0
            tenantctl_orgs{outcome="skipped",verb="verify"} 1.0
            # HELP tenantctl_pool_org_duration_seconds Per-org wall time in the last run by pool (nearest-rank quantiles)
            # TYPE tenantctl_pool_org_duration_seconds summary
            tenantctl_pool_org_duration_seconds{pool="pool-0",verb="verify",quantile="0.5"} 0.25
            tenantctl_pool_org_duration_seconds{pool="pool-0",verb="verify",quantile="0.95"} 0.9
            tenantctl_pool_org_duration_seconds_count{pool="pool-0",verb="verify"} 4
            tenantctl_pool_org_duration_seconds_sum{pool="pool-0",verb="verify"} 1.55
            tenantctl_pool_org_duration_seconds{pool="pool-1",verb="verify",quantile="0.5"} 0.07
            tenantctl_pool_org_duration_seconds{pool="pool-1",verb="verify",quantile="0.95"} 1.2
            tenantctl_pool_org_duration_seconds_count{pool="pool-1",verb="verify"} 4
            tenantctl_pool_org_duration_seconds_sum{pool="pool-1",verb="verify"} 1.72
            # HELP tenantctl_pool_orgs Orgs of the last run by pool and outcome
            # TYPE tenantctl_pool_orgs gauge
            tenantctl_pool_orgs{outcome="clean",pool="pool-0",verb="verify"} 2.0
            tenantctl_pool_orgs{outcome="clean",pool="pool-1",verb="verify"} 1.0
            tenantctl_pool_orgs{outcome="failed",pool="pool-0",verb="verify"} 1.0
            tenantctl_pool_orgs{outcome="failed",pool="pool-1",verb="verify"} 1.0
            tenantctl_pool_orgs{outcome="problems",pool="pool-0",verb="verify"} 1.0
            tenantctl_pool_orgs{outcome="problems",pool="pool-1",verb="verify"} 2.0
            tenantctl_pool_orgs{outcome="skipped",pool="pool-0",verb="verify"} 1.0
            # HELP tenantctl_problems Problems the last verify found (exit 4 when above 0)
            # TYPE tenantctl_problems gauge
            tenantctl_problems{verb="verify"} 5.0
            # HELP tenantctl_retries Attempts beyond the first, summed over the last run's orgs
            # TYPE tenantctl_retries gauge
            tenantctl_retries{verb="verify"} 7.0
            """;

    /**
     * As {@link #RECORDED_RUNS_FIGURES}, written by a worker that joined the run once it was over: it runs no fleet checks,
     * so no findings by kind, no problems and exit 0; the orgs' figures are the same.
     */
    private static final String JOINED_RUNS_FIGURES = RECORDED_RUNS_FIGURES.lines().filter(l -> !l.contains("tenantctl_findings"))
            .map(l -> l.replace("tenantctl_last_run_exit_status{verb=\"verify\"} 4.0", "tenantctl_last_run_exit_status{verb=\"verify\"} 0.0")
                    .replace("tenantctl_problems{verb=\"verify\"} 5.0", "tenantctl_problems{verb=\"verify\"} 0.0"))
            .collect(java.util.stream.Collectors.joining("\n", "", "\n"));

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
