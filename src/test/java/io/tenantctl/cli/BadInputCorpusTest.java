package io.tenantctl.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus: every file under {@code src/test/resources/corpus/} is one hostile command line (with the files
 * and the fleet state it needs) and what tenantctl must do about it — the documented exit code, exactly one
 * {@code error:} line on stderr naming what is wrong, no stack trace, with {@code -o json} exactly one JSON document on
 * stdout (an error document's message being then all of stderr, on one line), and nothing changed in the catalog, on
 * the pools or in the store. Adding a case is adding a file; the format
 * is described in {@code corpus/README.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> FIELDS = Set.of("name", "about", "args", "files", "setup", "sql", "exit", "message",
            "unchanged", "json", "error_line", "undo");
    private static final Set<String> SETUP = Set.of("fleet", "tamper-backup", "truncate-backup", "delete-manifest",
            "swap-manifest", "swap-file", "catalog-row");
    private static final Set<String> CHECKS = Set.of("catalog", "orgs", "pools", "store");
    /**
     * Tables the "orgs" check compares (without the bookkeeping columns {@code version} and {@code updated_at}: a refused
     * restore marks the org restoring and back, which bumps them; nor a backup's {@code verified_at} and "damaged: …" error,
     * which a refused restore of a tampered backup records); "catalog" compares every table and column.
     */
    private static final List<String> ORG_TABLES = List.of("pools", "orgs", "org_leases", "backups", "moves", "retired_databases");

    private Path root;
    private Fleet shared;
    private final List<Fleet> all = new ArrayList<>();

    record Case(String file, JsonNode spec) {
        String name() {
            return spec.get("name").asText();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    Stream<Case> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(BadInputCorpusTest.class.getResource("/corpus").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().map(BadInputCorpusTest::read).toList().stream();
        }
    }

    private static Case read(Path p) {
        try {
            JsonNode spec = MAPPER.readTree(p.toFile());
            for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertThat(FIELDS).as("%s: field %s", p.getFileName(), f).contains(f);
            }
            assertThat(spec.path("name").asText()).as("%s: name", p.getFileName()).isEqualTo(p.getFileName().toString().replace(".json", ""));
            assertThat(spec.path("args").isArray()).as("%s: args", p.getFileName()).isTrue();
            assertThat(spec.path("exit").isInt()).as("%s: exit", p.getFileName()).isTrue();
            assertThat(spec.path("message").isTextual()).as("%s: message", p.getFileName()).isTrue();
            spec.path("setup").forEach(s -> assertThat(SETUP).as("%s: setup", p.getFileName()).contains(s.asText()));
            spec.path("unchanged").forEach(s -> assertThat(CHECKS).as("%s: unchanged", p.getFileName()).contains(s.asText()));
            return new Case(p.getFileName().toString(), spec);
        } catch (IOException e) {
            throw new UncheckedIOException(p.toString(), e);
        }
    }

    @Test
    void theCorpusIsBigAndEveryExitCodeIsADocumentedOne() throws Exception {
        List<Case> cases = cases().toList();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(120);
        cases.forEach(c -> assertThat(c.spec().get("exit").asInt()).as(c.name()).isIn(1, 2, 3, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedCleanlyAndChangesNothing(Case c) throws Exception {
        JsonNode spec = c.spec();
        List<String> setup = new ArrayList<>();
        spec.path("setup").forEach(s -> setup.add(s.asText()));
        Fleet fleet = shared();
        try {
            run(c, spec, setup, fleet);
        } catch (AssertionError e) {
            shared = null;
            all.remove(fleet);
            fleet.close();
            throw new AssertionError(c.name() + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            // a case that failed may have left anything behind: the next case gets a new fleet
            shared = null;
            all.remove(fleet);
            fleet.close();
            throw t;
        }
    }

    private void run(Case c, JsonNode spec, List<String> setup, Fleet fleet) throws Exception {
        Path dir = Files.createTempDirectory(root, c.name());
        Map<String, String> vars = fleet.vars(dir);

        for (Iterator<Map.Entry<String, JsonNode>> it = spec.path("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Path target = dir.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            // "\uFEFF" and friends are written as given; files are UTF-8
            Files.writeString(target, substitute(f.getValue().asText(), vars), StandardCharsets.UTF_8);
        }
        List<AutoCloseable> undo = new ArrayList<>();
        for (String step : setup) {
            undo.add(fleet.setup(step, spec));
        }
        List<String> checks = new ArrayList<>();
        spec.path("unchanged").forEach(s -> checks.add(s.asText()));
        if (!spec.has("unchanged")) {
            checks.addAll(List.of("catalog", "pools", "store"));
        }
        Map<String, Object> before = fleet.snapshot(checks);

        List<String> args = new ArrayList<>();
        spec.get("args").forEach(a -> args.add(substitute(a.asText(), vars)));
        int exit = spec.get("exit").asInt();
        String fragment = substitute(spec.get("message").asText(), vars);
        boolean errorLine = spec.path("error_line").asBoolean(exit != 4);

        Cli.Result plain = fleet.cli.run(args.toArray(String[]::new));
        assertThat(plain.exitCode()).as("exit code, plain\n%s", plain).isEqualTo(exit);
        assertClean(plain, errorLine, fragment);

        if (spec.path("json").asBoolean(true)) {
            List<String> jsonArgs = new ArrayList<>(args);
            jsonArgs.addAll(List.of("-o", "json"));
            Cli.Result json = fleet.cli.run(jsonArgs.toArray(String[]::new));
            assertThat(json.exitCode()).as("exit code, -o json\n%s", json).isEqualTo(exit);
            assertClean(json, errorLine, fragment);
            JsonNode doc = CliFixture.strictJson(json);
            if (doc.has("error")) {
                assertThat(doc.get("error").get("code").asInt()).as(json.toString()).isEqualTo(exit);
                assertThat(doc.get("error").get("message").asText()).as(json.toString()).contains(fragment);
                assertThat(json.err().lines().toList()).as("stderr: the error document's message, one line and nothing else\n%s", json)
                        // control characters escaped on stderr (bbbbb46), exact in the document
                        .containsExactly("error: " + io.tenantctl.cli.render.Output.printable(doc.get("error").get("message").asText()));
            } else {
                assertThat(exit).as("only a finding (exit 4) or a per-org failure (exit 1) has no error document: %s", json).isIn(1, 4);
                assertThat(doc.toString()).as(json.toString()).contains(fragment);
            }
        }

        assertThat(fleet.snapshot(checks)).as("what %s must leave unchanged", c.name()).isEqualTo(before);
        // the case passed, so it changed nothing but what its setup did: undo that, and the fleet serves the next case
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).close();
        }
    }

    /** One "error: …" line naming the problem, no stack trace, no internal error, no secret. */
    private static void assertClean(Cli.Result r, boolean errorLine, String fragment) {
        List<String> lines = r.err().lines().toList();
        List<String> errors = lines.stream().filter(l -> l.startsWith("error: ")).toList();
        if (errorLine) {
            assertThat(errors).as("exactly one error line\n%s", r).hasSize(1);
            assertThat(errors.get(0)).as(r.toString()).contains(fragment);
        } else {
            assertThat(r.err() + r.out()).as(r.toString()).contains(fragment);
        }
        assertThat(lines).as("no stack trace\n%s", r).noneMatch(l -> l.matches("\\s+at [\\w.$]+\\(.*") || l.startsWith("Caused by:"));
        assertThat(r.err()).as("no internal error\n%s", r).doesNotContain("(run with -v for the stack trace)").doesNotContain("unexpected ");
    }

    private static String substitute(String s, Map<String, String> vars) {
        String out = s;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            out = out.replace("${" + v.getKey() + "}", v.getValue());
        }
        return out;
    }

    private synchronized Fleet shared() throws IOException {
        if (shared == null) {
            shared = newFleet();
        }
        return shared;
    }

    private Fleet newFleet() throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("corpus");
        }
        Fleet f = new Fleet(Files.createTempDirectory(root, "fleet"));
        all.add(f);
        return f;
    }

    @AfterAll
    void stop() throws IOException {
        all.forEach(Fleet::close);
        if (root != null) { // every fleet and case directory: 230-odd of them, left in the temp dir by every run before
            io.tenantctl.testing.Trees.delete(root);
        }
    }

    /**
     * The "fleet" every case starts from: 2 pools, acme (pool-0, with a few documents) and globex (pool-1) provisioned
     * with the small schema, one backup of each.
     */
    static final class Fleet implements AutoCloseable {
        final BackupFixture f;
        final Cli cli;
        final Path dir;
        final String acmeBackup;
        final String globexBackup;
        private final List<MongoClient> clients = new ArrayList<>();
        /** The catalog's tables, read once: the snapshots (on the fixture's one connection) read every row of each. */
        private List<String> catalogTables;

        Fleet(Path dir) {
            this.dir = dir;
            f = new BackupFixture(2, dir);
            cli = f.cli;
            f.provisionTier("free", "pool-0", "acme");
            f.provisionTier("free", "pool-1", "globex");
            List<BsonDocument> docs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                docs.add(new BsonDocument("_id", new BsonInt32(i)).append("email", new org.bson.BsonString("u" + i + "@acme.test")));
            }
            f.db("acme").getCollection("users", BsonDocument.class).insertMany(docs);
            f.db("globex").getCollection("users", BsonDocument.class).insertMany(docs.subList(0, 5));
            acmeBackup = f.backup("acme", "--compression", "none");
            globexBackup = f.backup("globex", "--compression", "none");
            for (String uri : f.pools.uris()) {
                clients.add(MongoClients.create(uri));
            }
        }

        Map<String, String> vars(Path caseDir) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("dir", caseDir.toString());
            v.put("schema", dir.resolve("small-schema.json").toString());
            v.put("store", f.storeDir.toUri().toString());
            v.put("acme-backup", acmeBackup);
            v.put("globex-backup", globexBackup);
            v.put("pool0", f.pools.uri(0));
            v.put("pool1", f.pools.uri(1));
            return v;
        }

        /** Does a setup step; returns what undoes it. */
        AutoCloseable setup(String step, JsonNode spec) throws Exception {
            Path acme = f.storeDir.resolve("acme").resolve(acmeBackup);
            Path globex = f.storeDir.resolve("globex").resolve(globexBackup);
            Map<Path, byte[]> saved = new LinkedHashMap<>();
            try (Stream<Path> files = Files.list(acme)) {
                for (Path p : files.toList()) {
                    saved.put(p, Files.readAllBytes(p));
                }
            }
            AutoCloseable restoreBackup = () -> {
                for (Map.Entry<Path, byte[]> e : saved.entrySet()) {
                    Files.write(e.getKey(), e.getValue());
                }
            };
            switch (step) {
                case "fleet" -> {
                    return () -> { };
                }
                case "tamper-backup" -> {
                    Path users = acme.resolve("users.ndjson");
                    byte[] bytes = Files.readAllBytes(users);
                    bytes[bytes.length / 2] ^= 0x01;
                    Files.write(users, bytes);
                }
                case "truncate-backup" -> {
                    Path users = acme.resolve("users.ndjson");
                    byte[] bytes = Files.readAllBytes(users);
                    Files.write(users, Arrays.copyOf(bytes, bytes.length / 2));
                }
                case "delete-manifest" -> Files.delete(acme.resolve("manifest.json"));
                case "swap-manifest" -> Files.copy(globex.resolve("manifest.json"), acme.resolve("manifest.json"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                case "swap-file" -> Files.copy(globex.resolve("users.ndjson"), acme.resolve("users.ndjson"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                case "catalog-row" -> {
                    sql(spec.path("sql"));
                    return () -> sql(spec.path("undo"));
                }
                default -> throw new IllegalArgumentException("unknown setup step " + step);
            }
            return restoreBackup;
        }

        private void sql(JsonNode statements) throws java.sql.SQLException {
            try (Statement s = f.sql().createStatement()) {
                for (JsonNode sql : statements) {
                    s.execute(sql.asText());
                }
            }
        }

        Map<String, Object> snapshot(List<String> checks) throws Exception {
            Map<String, Object> out = new TreeMap<>();
            for (String check : checks) {
                switch (check) {
                    case "catalog" -> out.put(check, tables(null));
                    case "orgs" -> out.put(check, tables(ORG_TABLES));
                    case "pools" -> out.put(check, pools());
                    case "store" -> out.put(check, store());
                    default -> throw new IllegalArgumentException(check);
                }
            }
            return out;
        }

        /** Every row of the named tables (all of the catalog's tables when null), sorted, as text. */
        private Map<String, List<String>> tables(List<String> names) throws Exception {
            Map<String, List<String>> out = new TreeMap<>();
            try (Statement s = f.sql().createStatement()) {
                if (catalogTables == null) {
                    List<String> tables = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery("select table_name from information_schema.tables where table_schema = 'public' "
                            + "and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history'")) {
                        while (rs.next()) {
                            tables.add(rs.getString(1));
                        }
                    }
                    catalogTables = List.copyOf(tables);
                }
                for (String t : names == null ? catalogTables : names) {
                    List<String> rows = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery("select * from " + t)) {
                        ResultSetMetaData md = rs.getMetaData();
                        while (rs.next()) {
                            StringBuilder row = new StringBuilder();
                            for (int i = 1; i <= md.getColumnCount(); i++) {
                                if (names != null && Set.of("version", "updated_at", "verified_at").contains(md.getColumnName(i))) {
                                    continue;
                                }
                                String value = rs.getString(i);
                                if (names != null && t.equals("backups") && md.getColumnName(i).equals("error") && value != null
                                        && value.startsWith("damaged: ")) {
                                    value = null; // a refused restore of a tampered backup records what it found, and only that
                                }
                                row.append(md.getColumnName(i)).append('=').append(value).append(' ');
                            }
                            rows.add(row.toString());
                        }
                    }
                    rows.sort(null);
                    out.put(t, rows);
                }
            }
            return out;
        }

        /** Per pool, per database: its collections' indexes and a digest of their documents. */
        private Map<String, String> pools() {
            Map<String, String> out = new TreeMap<>();
            for (int i = 0; i < clients.size(); i++) {
                for (String name : clients.get(i).listDatabaseNames()) {
                    MongoDatabase db = clients.get(i).getDatabase(name);
                    StringBuilder sb = new StringBuilder();
                    BackupFixture.indexes(db).forEach((coll, idx) -> sb.append(coll).append(idx));
                    Map<String, List<RawBsonDocument>> docs = BackupFixture.contents(db);
                    docs.forEach((coll, list) -> list.forEach(d -> sb.append(coll).append(d.toJson())));
                    out.put("pool-" + i + "/" + name, digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
                }
            }
            return out;
        }

        /** Every file under the store, by relative path, with its digest. */
        private Map<String, String> store() throws IOException {
            Map<String, String> out = new TreeMap<>();
            if (!Files.exists(f.storeDir)) {
                return out;
            }
            try (Stream<Path> walk = Files.walk(f.storeDir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    out.put(f.storeDir.relativize(p).toString(), digest(Files.readAllBytes(p)));
                }
            }
            return out;
        }

        private static String digest(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            clients.forEach(MongoClient::close);
            f.close();
        }
    }
}
