package io.tenantctl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files in deploy/ run the image the build produces (scripts/image tags it; the build passes the name in as
 * {@code tenantctl.image}) and carry no secret: every secret comes from a Secret or an environment file.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");
    /** Environment variables whose value is a secret (or, like the catalog URL, may hold one). */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY|PRIVATE|CATALOG_URL).*");
    /** A URI with a literal password in it ({@code scheme://user:password@host}); a ${VAR} placeholder is not one. */
    private static final Pattern INLINE_PASSWORD = Pattern.compile("[a-z][a-z0-9+.-]*://[^/\\s:@]+:(?!\\$\\{)[^@\\s/]+@", Pattern.CASE_INSENSITIVE);

    private static String image;
    /** file name → its YAML documents */
    private static final Map<String, List<JsonNode>> YAML = new LinkedHashMap<>();

    @BeforeAll
    static void read() throws IOException {
        image = System.getProperty("tenantctl.image");
        assertThat(image).as("system property tenantctl.image (the build sets it to the image it tags)").isNotBlank();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                List<JsonNode> docs = new ArrayList<>();
                try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(f.toFile())) {
                    it.forEachRemaining(d -> {
                        if (d != null && !d.isNull() && !d.isMissingNode()) {
                            docs.add(d);
                        }
                    });
                }
                YAML.put(DEPLOY.relativize(f).toString(), docs);
            }
        }
        assertThat(YAML).as("YAML files in deploy/").containsKeys("migrate-all-indexed-job.yaml", "backup-due-cronjob.yaml",
                "backups-prune-cronjob.yaml");
    }

    @Test
    void every_container_runs_the_image_the_build_produces() {
        YAML.forEach((file, docs) -> {
            assertThat(docs).as("%s: Kubernetes objects", file).isNotEmpty();
            List<String> images = new ArrayList<>();
            docs.forEach(d -> containers(d, c -> images.add(c.path("image").asText(null))));
            assertThat(images).as("%s: container images", file).isNotEmpty().allMatch(image::equals);
        });
    }

    @Test
    void no_secret_is_written_inline() {
        YAML.forEach((file, docs) -> docs.forEach(d -> {
            assertThat(d.path("kind").asText()).as("%s: a Secret with values belongs in the cluster, not here", file).isNotEqualTo("Secret");
            containers(d, c -> c.path("env").forEach(e -> {
                String name = e.path("name").asText();
                if (e.has("value")) {
                    assertThat(name).as("%s: %s has a literal value; take it from a Secret (valueFrom.secretKeyRef)", file, name)
                            .doesNotMatch(SECRET_NAME);
                }
            }));
            strings(d, s -> assertThat(INLINE_PASSWORD.matcher(s).find())
                    .as("%s: a URI with a literal password: %s", file, s.replaceAll(":[^:@/]+@", ":***@")).isFalse());
        }));
    }

    @Test
    void backups_run_one_at_a_time_with_the_store_set_and_secrets_from_a_secret() {
        JsonNode cron = YAML.get("backup-due-cronjob.yaml").stream().filter(d -> d.path("kind").asText().equals("CronJob"))
                .findFirst().orElseThrow(() -> new AssertionError("backup-due-cronjob.yaml has no CronJob"));
        assertThat(cron.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
        List<JsonNode> containers = new ArrayList<>();
        containers(cron, containers::add);
        assertThat(containers).hasSize(1);
        JsonNode c = containers.get(0);
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).as("args").startsWith("backup", "--due");
        Map<String, JsonNode> env = new LinkedHashMap<>();
        c.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        assertThat(env).containsKeys("TENANTCTL_STORE", "TENANTCTL_CATALOG_URL");
        assertThat(env.get("TENANTCTL_STORE").path("value").asText()).startsWith("s3://");
        assertThat(env.get("TENANTCTL_CATALOG_URL").at("/valueFrom/secretKeyRef/name").asText()).isNotEmpty();
    }

    /**
     * Retention is scheduled beside the backups (without it the hourly backups pile up for ever): one prune a day at
     * most, for real (a --dry-run would delete nothing), with the backup job's store and catalog, and no pool password
     * (prune reads no pool).
     */
    @Test
    void retention_is_pruned_daily_with_the_backups_store_and_no_pool_secret() {
        JsonNode cron = YAML.get("backups-prune-cronjob.yaml").stream().filter(d -> d.path("kind").asText().equals("CronJob"))
                .findFirst().orElseThrow(() -> new AssertionError("backups-prune-cronjob.yaml has no CronJob"));
        assertThat(cron.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
        String[] schedule = cron.at("/spec/schedule").asText().split(" ");
        assertThat(schedule).as("a daily schedule: minute hour * * *").hasSize(5);
        assertThat(schedule[0]).matches("\\d+");
        assertThat(schedule[1]).matches("\\d+");
        List<JsonNode> containers = new ArrayList<>();
        containers(cron, containers::add);
        assertThat(containers).hasSize(1);
        List<String> args = new ArrayList<>();
        containers.get(0).path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).startsWith("backups", "prune").doesNotContain("--dry-run");
        Map<String, String> env = new LinkedHashMap<>();
        containers.get(0).path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        Map<String, String> backupEnv = new LinkedHashMap<>();
        YAML.get("backup-due-cronjob.yaml").forEach(d -> containers(d, c -> c.path("env")
                .forEach(e -> backupEnv.put(e.path("name").asText(), e.path("value").asText(null)))));
        assertThat(env).containsKey("TENANTCTL_CATALOG_URL").containsEntry("TENANTCTL_STORE", backupEnv.get("TENANTCTL_STORE"));
        assertThat(env.keySet()).as("pool passwords: prune reads no pool").noneMatch(n -> n.startsWith("POOL"));
    }

    /**
     * The Indexed Job is applied as its header says: REPLACE_JOB_NAME becomes tenantctl-migrate- and the run id in lower
     * case (a run id has upper-case T and Z, which no Kubernetes name may have), REPLACE_RUN_ID the run id as it is.
     * Every worker joins that run, never creates or resumes one, and a worker evicted or stopped (exit 130) or unable
     * to reach the catalog (3) is retried rather than failing the Job.
     */
    @Test
    void the_indexed_job_is_named_validly_and_every_worker_joins_the_run() throws IOException {
        String runId = "20250314T020000Z-ab12"; // RunRepository's form: UTC second, 'T', 'Z', four hex digits
        String text = Files.readString(DEPLOY.resolve("migrate-all-indexed-job.yaml"));
        assertThat(text).contains("sed -e \"s/REPLACE_JOB_NAME/$JOB/\" -e \"s/REPLACE_RUN_ID/$RUN_ID/\"")
                .contains("JOB=tenantctl-migrate-$(printf %s \"$RUN_ID\" | tr A-Z a-z)");
        String applied = text.replace("REPLACE_JOB_NAME", "tenantctl-migrate-" + runId.toLowerCase(java.util.Locale.ROOT))
                .replace("REPLACE_RUN_ID", runId);
        JsonNode job = new YAMLMapper().readTree(applied);
        assertThat(job.at("/metadata/name").asText()).as("a Job name: an RFC 1123 label of at most 63 characters")
                .matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
        assertThat(job.at("/spec/completionMode").asText()).isEqualTo("Indexed");
        List<JsonNode> containers = new ArrayList<>();
        containers(job, containers::add);
        assertThat(containers).hasSize(1);
        List<String> args = new ArrayList<>();
        containers.get(0).path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).startsWith("migrate-all", "--join", runId).doesNotContain("--detach", "--resume");
        List<Integer> failJob = new ArrayList<>();
        job.at("/spec/podFailurePolicy/rules").forEach(r -> {
            if (r.path("action").asText().equals("FailJob")) {
                r.at("/onExitCodes/values").forEach(v -> failJob.add(v.asInt()));
            }
        });
        assertThat(failJob).as("exit codes that fail the Job at once").contains(1, 2).doesNotContain(0, 3, 130);
    }

    /**
     * The hourly backup CronJob holds each org it backs up (its lease) for as long as that org's backup takes, minutes
     * for a large one, up to the CronJob's activeDeadlineSeconds. A rollout worker that meets such an org waits for it
     * only --busy-timeout seconds (default 120) and then fails it, and a failed org is exit 1, which fails the whole
     * Job (podFailurePolicy) and counts against the run's --max-failures: the shipped workers aborted a rollout whose
     * only trouble was an hourly backup. So a worker waits out a backup: --wait, or a --busy-timeout at least as long as
     * the backup CronJob lets one run.
     */
    @Test
    void a_rollout_worker_waits_out_a_scheduled_backup_of_its_org() throws IOException {
        String applied = Files.readString(DEPLOY.resolve("migrate-all-indexed-job.yaml"))
                .replace("REPLACE_JOB_NAME", "tenantctl-migrate-x").replace("REPLACE_RUN_ID", "20250314T020000Z-ab12");
        List<JsonNode> containers = new ArrayList<>();
        containers(new YAMLMapper().readTree(applied), containers::add);
        List<String> args = new ArrayList<>();
        containers.get(0).path("args").forEach(a -> args.add(a.asText()));
        JsonNode cron = YAML.get("backup-due-cronjob.yaml").stream().filter(d -> d.path("kind").asText().equals("CronJob"))
                .findFirst().orElseThrow(() -> new AssertionError("backup-due-cronjob.yaml has no CronJob"));
        long backupDeadline = cron.at("/spec/jobTemplate/spec/activeDeadlineSeconds").asLong(0);
        assertThat(backupDeadline).as("the backup CronJob's activeDeadlineSeconds").isPositive();
        if (!args.contains("--wait")) {
            int at = args.indexOf("--busy-timeout");
            long busyTimeout = at < 0 ? 120 : Long.parseLong(args.get(at + 1));
            assertThat(busyTimeout).as("the workers' --busy-timeout (args %s): seconds an org a backup holds is waited for", args)
                    .isGreaterThanOrEqualTo(backupDeadline);
        }
    }

    /**
     * What a CronJob's failed Job means is read off its header's exit codes, so each names every code its verb ends
     * with: backup --due and backups prune both end 0, 1 (some orgs failed; a backup the store would not let prune
     * delete), 2, 3 (listed after "Exit codes:") or 130 (a SIGTERM, said anywhere in the header).
     */
    @Test
    void each_cronjob_header_names_every_exit_code_its_verb_ends_with() throws IOException {
        for (String file : List.of("backup-due-cronjob.yaml", "backups-prune-cronjob.yaml")) {
            String header = Files.readAllLines(DEPLOY.resolve(file)).stream().takeWhile(l -> l.startsWith("#"))
                    .reduce("", (a, b) -> a + " " + b.substring(1).strip());
            String codes = header.substring(header.indexOf("Exit codes:"));
            for (String code : List.of("0", "1", "2", "3", "130")) {
                assertThat(Pattern.compile("(^|[\\s:,(])" + code + "(?![\\d.])").matcher(code.equals("130") ? header : codes).find())
                        .as("%s: its header's exit codes name %s: %s", file, code, codes).isTrue();
            }
        }
    }

    /**
     * Every variable deploy/ sets is one something reads: a TENANTCTL_ one tenantctl's code names (a misspelt one is
     * silently ignored, and the default it was meant to change stays), an AWS_ one the S3 client reads, a POOLn_PASSWORD
     * one a pool URI names as ${POOLn_PASSWORD}.
     */
    @Test
    void every_variable_deploy_sets_is_one_tenantctl_or_its_s3_client_reads() throws IOException {
        String code;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(f));
            }
            code = all.toString();
        }
        Map<String, String> names = new LinkedHashMap<>(); // variable → where
        YAML.forEach((file, docs) -> docs.forEach(d -> containers(d, c -> c.path("env")
                .forEach(e -> names.put(e.path("name").asText(), file)))));
        try (Stream<Path> units = Files.list(DEPLOY.resolve("systemd"))) {
            for (Path u : units.filter(p -> p.toString().endsWith(".service")).toList()) {
                for (String l : Files.readAllLines(u)) {
                    java.util.regex.Matcher m = Pattern.compile("^Environment=([A-Z0-9_]+)=|--env ([A-Z0-9_]+)").matcher(l);
                    while (m.find()) {
                        names.put(m.group(1) != null ? m.group(1) : m.group(2), u.toString());
                    }
                }
            }
        }
        assertThat(names).as("variables deploy/ sets").containsKeys("TENANTCTL_CATALOG_URL", "TENANTCTL_STORE");
        List<String> aws = List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE");
        names.forEach((name, where) -> {
            if (name.startsWith("TENANTCTL_")) {
                assertThat(code).as("%s: %s is read by no tenantctl code", where, name).contains("\"" + name + "\"");
            } else if (name.startsWith("AWS_")) {
                assertThat(aws).as("%s: %s is not a variable the AWS SDK reads", where, name).contains(name);
            } else {
                assertThat(name).as("%s: %s: pool URIs name ${POOLn_PASSWORD} variables", where, name).matches("POOL\\d+_PASSWORD");
            }
        });
    }

    @Test
    void the_systemd_service_runs_the_same_image_with_secrets_from_an_environment_file() throws IOException {
        String unit = Files.readString(DEPLOY.resolve("systemd/tenantctl-backup-due.service"));
        String execStart = unit.lines().dropWhile(l -> !l.startsWith("ExecStart=")).takeWhile(l -> !l.isBlank())
                .reduce("", (a, b) -> a + " " + b.strip()).replace("\\ ", " ");
        assertThat(execStart).contains(" " + image + " backup --due").contains("--env-file ");
        assertThat(INLINE_PASSWORD.matcher(unit).find()).as("a URI with a literal password in the unit").isFalse();
        assertThat(unit.lines().filter(l -> l.startsWith("Environment=")).toList())
                .as("Environment= lines (visible to every local user through systemctl show)")
                .noneMatch(l -> SECRET_NAME.matcher(l.substring("Environment=".length()).split("=")[0]).matches());
        assertThat(Files.readString(DEPLOY.resolve("systemd/tenantctl-backup-due.timer"))).contains("OnCalendar=");
        String prune = Files.readString(DEPLOY.resolve("systemd/tenantctl-backups-prune.service"));
        assertThat(prune.lines().dropWhile(l -> !l.startsWith("ExecStart=")).takeWhile(l -> !l.isBlank())
                .reduce("", (a, b) -> a + " " + b.strip()).replace("\\ ", " "))
                .contains(" " + image + " backups prune").contains("--env-file ").doesNotContain("--dry-run");
        assertThat(Files.readString(DEPLOY.resolve("systemd/tenantctl-backups-prune.timer"))).contains("OnCalendar=");
    }

    /** Every container and init container of a Pod, a Job, a CronJob or anything else that nests a pod template. */
    private static void containers(JsonNode node, Consumer<JsonNode> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if ((f.getKey().equals("containers") || f.getKey().equals("initContainers")) && f.getValue().isArray()) {
                    f.getValue().forEach(out);
                } else {
                    containers(f.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> containers(n, out));
        }
    }

    private static void strings(JsonNode node, Consumer<String> out) {
        if (node.isTextual()) {
            out.accept(node.asText());
        } else if (node.isContainerNode()) {
            node.forEach(n -> strings(n, out));
            node.fieldNames().forEachRemaining(out);
        }
    }
}
