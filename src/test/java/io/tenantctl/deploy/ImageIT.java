package io.tenantctl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image tarball that {@code mvn -Pimage package} (scripts/image, scripts/test) builds: what its config
 * promises, and that it keeps those promises when run. Runs in the image profile's integration-test phase, after the
 * tarball is built; a missing tarball fails.
 */
class ImageIT {

    /** The magic number a static CDS archive starts with (0xf00baba2, stored little-endian on x86-64 and arm64). */
    private static final byte[] CDS_MAGIC = {(byte) 0xa2, (byte) 0xab, 0x0b, (byte) 0xf0};
    private static final String ARCHIVE_OPTION = "-XX:SharedArchiveFile=";

    @TempDir
    static Path work;

    static ImageTarball image;

    @BeforeAll
    static void read() throws IOException {
        Path tarball = Path.of(System.getProperty("tenantctl.image.tar", "target/tenantctl-image.tar"));
        assertThat(tarball).as("the image tarball (mvn -Pimage package builds it)").isRegularFile();
        image = ImageTarball.read(tarball, Files.createDirectories(work.resolve("tarball")));
    }

    @Test
    void entrypoint_runs_the_shaded_tenantctl_jar_on_the_java_it_ships() {
        List<String> entrypoint = image.entrypoint();
        assertThat(entrypoint).as("entrypoint").hasSizeGreaterThanOrEqualTo(3);
        assertThat(entrypoint.get(0)).endsWith("/bin/java");
        assertThat(image.files.get(entrypoint.get(0))).as("%s in a layer", entrypoint.get(0))
                .isNotNull().matches(ImageTarball.FileEntry::executable, "is executable");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()).get(0)).isEqualTo("-jar");
        String jar = entrypoint.get(entrypoint.size() - 1);
        assertThat(image.files.get(jar)).as("%s in a layer", jar).isNotNull()
                .satisfies(f -> assertThat(f.head()).as("a zip file").startsWith((byte) 'P', (byte) 'K', (byte) 3, (byte) 4));
        assertThat(image.config.path("config").path("Cmd").isMissingNode() || image.config.path("config").path("Cmd").isNull()
                || image.config.path("config").path("Cmd").isEmpty())
                .as("no Cmd: a container's args are tenantctl's arguments").isTrue();
    }

    @Test
    void runs_as_a_non_root_numeric_user_that_the_image_names() {
        String user = image.config.path("config").path("User").asText();
        assertThat(user).as("User").matches("\\d+(:\\d+)?");
        String uid = user.split(":")[0];
        assertThat(Integer.parseInt(uid)).as("uid").isPositive();
        assertThat(image.files).as("/etc/passwd, so the JVM's user.name and user.home resolve").containsKey("/etc/passwd");
    }

    @Test
    void entrypoint_uses_the_class_data_sharing_archive_that_a_layer_holds() {
        List<String> archives = image.entrypoint().stream().filter(a -> a.startsWith(ARCHIVE_OPTION)).toList();
        assertThat(archives).as("one %s option", ARCHIVE_OPTION).hasSize(1);
        assertThat(image.entrypoint()).as("class data sharing not switched off").doesNotContain("-Xshare:off");
        String archive = archives.get(0).substring(ARCHIVE_OPTION.length());
        assertThat(archive).startsWith("/");
        assertThat(image.files.get(archive)).as("%s in a layer", archive).isNotNull()
                .satisfies(f -> assertThat(f.head()).as("a static CDS archive").startsWith(CDS_MAGIC));
    }

    @Test
    void is_tagged_as_the_image_the_deploy_files_run() {
        String expected = System.getProperty("tenantctl.image");
        assertThat(expected).as("system property tenantctl.image (set by the build)").isNotBlank();
        List<String> tags = new ArrayList<>();
        image.manifest.path("RepoTags").forEach(t -> tags.add(t.asText()));
        assertThat(tags).containsExactly(expected);
    }

    /**
     * Unpacks the layers and runs the entrypoint with -Xshare:on added, which makes the JVM refuse to start unless it maps
     * the archive: so the archive matches the jar exactly as the layers ship it (path, size, time). Where user namespaces
     * are allowed, it runs inside the unpacked image (its own C library, its working directory) as the image's user;
     * elsewhere on this machine's C library, from the image's working directory, with the image's paths under it.
     */
    @Test
    void runs_tenantctl_with_the_archive_mapped(TestReporter reporter) throws Exception {
        Path root = Files.createDirectories(work.resolve("root"));
        image.extractTo(root);
        Files.createDirectories(root.resolve("proc"));
        List<String> entrypoint = image.entrypoint();
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(root.resolve(entrypoint.get(entrypoint.size() - 1).substring(1)).toFile())) {
            // zstd-jni loads a native library: without this, a JDK 22+ prints four WARNING lines on every zstd backup,
            // and a later one refuses to load it
            assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access")).as("the jar's Enable-Native-Access")
                    .isEqualTo("ALL-UNNAMED");
        }
        Runner runner = Runner.userNamespaces() ? Runner.inside(image, root) : Runner.rebased(image, root);
        reporter.publishEntry("mode", runner.description);
        System.err.println("ImageIT: running the image " + runner.description);

        Run version = runner.run("--version");
        assertThat(version.exit).as("exit of --version; stderr: %s", version.err).isZero();
        assertThat(version.out.strip()).isEqualTo("tenantctl " + image.config.path("config").path("Labels")
                .path("org.opencontainers.image.version").asText());
        assertThat(version.err).as("stderr").isEmpty();

        Run show = runner.run("schema", "show", "-o", "json");
        assertThat(show.exit).as("exit of schema show; stderr: %s", show.err).isZero();
        JsonNode doc = new ObjectMapper().readTree(show.out);
        assertThat(doc.path("collections").asInt()).as("collections in the built-in manifest").isPositive();
        assertThat(doc.path("hash").asText()).hasSize(64);

        if (runner.inside) {
            Run props = runner.runJava("-XshowSettings:properties", "-version");
            assertThat(props.err).contains("user.name = tenantctl").contains("user.home = /home/tenantctl")
                    .contains("sun.jnu.encoding = UTF-8");
        }
    }

    record Run(int exit, String out, String err) {
    }

    /** How the image's entrypoint is started on this machine. */
    static final class Runner {
        final boolean inside;
        final String description;
        private final List<String> prefix;
        private final List<String> entrypoint;
        private final Path cwd;
        private final Map<String, String> env;

        private Runner(boolean inside, String description, List<String> prefix, List<String> entrypoint, Path cwd,
                       Map<String, String> env) {
            this.inside = inside;
            this.description = description;
            this.prefix = prefix;
            this.entrypoint = entrypoint;
            this.cwd = cwd;
            this.env = env;
        }

        /**
         * Whether this machine lets this process enter a user namespace (util-linux unshare, user namespaces enabled),
         * asked with this machine's own {@code true}: once it says yes, a failure inside the image is the image's.
         */
        static boolean userNamespaces() throws InterruptedException {
            try {
                Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--mount-proc", "true")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            }
        }

        static Runner inside(ImageTarball image, Path root) {
            List<String> ep = withSharingRequired(image.entrypoint());
            return new Runner(true, "inside the unpacked image as user " + image.config.path("config").path("User").asText(),
                    unshare(image, root), ep, root, env(image));
        }

        static Runner rebased(ImageTarball image, Path root) {
            List<String> ep = new ArrayList<>();
            for (String a : withSharingRequired(image.entrypoint())) {
                int eq = a.indexOf("=/");
                ep.add(a.startsWith("/") ? root + a : eq > 0 ? a.substring(0, eq + 1) + root + a.substring(eq + 1) : a);
            }
            String wd = image.config.path("config").path("WorkingDir").asText("/");
            return new Runner(false, "on this machine from the unpacked image's working directory (no user namespaces)",
                    List.of(), ep, root.resolve(wd.substring(1)), env(image));
        }

        Run run(String... tenantctlArgs) throws Exception {
            return exec(concat(prefix, concat(entrypoint, List.of(tenantctlArgs))));
        }

        Run runJava(String... javaArgs) throws Exception {
            return exec(concat(prefix, concat(List.of(entrypoint.get(0)), List.of(javaArgs))));
        }

        private Run exec(List<String> command) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Path out = Files.createTempFile(work, "out", ".txt");
            Path err = Files.createTempFile(work, "err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished within 120 s: %s", command).isTrue();
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        }

        /** -Xshare:on right after the java binary: start with the archive mapped, or not at all. */
        private static List<String> withSharingRequired(List<String> entrypoint) {
            return concat(List.of(entrypoint.get(0), "-Xshare:on"), entrypoint.subList(1, entrypoint.size()));
        }

        private static List<String> unshare(ImageTarball image, Path root) {
            String[] user = (image.config.path("config").path("User").asText() + ":").split(":");
            String uid = user[0];
            String gid = user.length > 1 && !user[1].isEmpty() ? user[1] : uid;
            String wd = image.config.path("config").path("WorkingDir").asText("/");
            return List.of("unshare", "--user", "--map-user=" + uid, "--map-group=" + gid, "--mount", "--pid", "--fork",
                    "--mount-proc", "--root=" + root, "--wd=" + wd);
        }

        /** The image's environment and nothing else (this machine's JAVA_TOOL_OPTIONS would change what runs). */
        private static Map<String, String> env(ImageTarball image) {
            Map<String, String> env = new java.util.HashMap<>();
            image.config.path("config").path("Env").forEach(e -> {
                String kv = e.asText();
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            });
            return env;
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }
    }
}
