package io.tenantctl.cli;

import io.tenantctl.testing.HookedPools;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Manifests, fault injection and direct pool inspection shared by the migrate-all tests. */
final class MigrateAllFixture {

    /** v1: what the fleet is provisioned with. */
    static final String V1 = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}},
                {"name": "tenant_1", "key": {"tenant": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}}
              ]}
            ]}
            """;

    /** v2: one index added to messages, nothing else: the plain, conflict-free upgrade. */
    static final String V2_ADD = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}},
                {"name": "tenant_1", "key": {"tenant": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}},
                {"name": "created_-1", "key": {"createdAt": -1}}
              ]}
            ]}
            """;

    /** v2 with a same-name conflict: users.email_1 becomes unique, plus messages' new index and a new collection. */
    static final String V2_CONFLICT = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "tenant_1", "key": {"tenant": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}},
                {"name": "created_-1", "key": {"createdAt": -1}}
              ]},
              {"name": "files", "indexes": [
                {"name": "owner_1", "key": {"owner": 1}}
              ]}
            ]}
            """;

    private MigrateAllFixture() {
    }

    static Path write(Path dir, String name, String body) {
        try {
            return Files.writeString(dir.resolve(name), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String db(String orgId) {
        return "org_" + orgId.replace('-', '_');
    }

    static MongoCommandException commandError(int code, String message) {
        return HookedPools.commandError(code, message);
    }

    static boolean isCreateIndexes(Document cmd) {
        return HookedPools.is(cmd, "createIndexes");
    }

    /** Pool access where every runCommand first goes through {@code hook}, then to the real pool. */
    static PoolConnector hooked(PoolConnector real, HookedPools.CommandHook hook) {
        return HookedPools.onCommand(real, hook);
    }

    /**
     * Pool access where building org acme's {@code created_-1} index (one V2_ADD adds) fails as a pool going away while
     * {@code fails} says so: a rollout that stops part-way on acme, the other orgs migrated.
     */
    static PoolConnector stoppingOnAcme(PoolConnector real, java.util.function.BooleanSupplier fails) {
        return stoppingOnAcme(real, fails, () -> { });
    }

    /** As {@link #stoppingOnAcme(PoolConnector, java.util.function.BooleanSupplier)}, running {@code asItFails} first (a Ctrl-C). */
    static PoolConnector stoppingOnAcme(PoolConnector real, java.util.function.BooleanSupplier fails, Runnable asItFails) {
        return HookedPools.onCommand(real, (db, cmd) -> {
            if (fails.getAsBoolean() && db.equals("org_acme") && HookedPools.is(cmd, "createIndexes")
                    && cmd.getList("indexes", Document.class).stream().anyMatch(i -> i.getString("name").equals("created_-1"))) {
                asItFails.run();
                throw HookedPools.commandError(1, "injected: the pool went away");
            }
        });
    }

    /** Counts createIndexes calls per database (thread-safe; share one between several Cli instances). */
    static final class CreateIndexesCounter implements HookedPools.CommandHook {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public void before(String database, Document command) {
            if (isCreateIndexes(command)) {
                calls.computeIfAbsent(database, k -> new AtomicInteger()).incrementAndGet();
            }
        }

        int total() {
            return calls.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        int of(String orgId) {
            AtomicInteger n = calls.get(db(orgId));
            return n == null ? 0 : n.get();
        }
    }

    /** Direct access to the pools, bypassing tenantctl: what is really there, and drift made behind its back. */
    static final class Direct implements AutoCloseable {
        private final Map<String, MongoClient> clients = new LinkedHashMap<>();

        MongoDatabase db(String uri, String orgId) {
            return clients.computeIfAbsent(uri, MongoClients::create).getDatabase(MigrateAllFixture.db(orgId));
        }

        /** collection → index name → the listIndexes document (without the _id_ index). */
        Map<String, Map<String, Document>> indexes(String uri, String orgId) {
            MongoDatabase d = db(uri, orgId);
            Map<String, Map<String, Document>> out = new TreeMap<>();
            for (String c : d.listCollectionNames().into(new ArrayList<>())) {
                Map<String, Document> byName = new TreeMap<>();
                for (Document i : d.getCollection(c).listIndexes().into(new ArrayList<>())) {
                    if (!"_id_".equals(i.getString("name"))) {
                        byName.put(i.getString("name"), i);
                    }
                }
                out.put(c, byName);
            }
            return out;
        }

        @Override
        public void close() {
            clients.values().forEach(MongoClient::close);
        }
    }

    /**
     * One in-process pool, registered as pool-1 (room for 100 orgs) in a fresh catalog by {@link #provision}, and direct
     * access to it; closed after each test (a field closed in @AfterEach, or try-with-resources).
     */
    static final class Fleet implements AutoCloseable {
        final TestPools pools = new TestPools(1);
        final Direct direct = new Direct();
        /** The catalog of the last {@link #provision}. */
        String url;

        /** A fresh catalog with the pool in it and {@code orgs} provisioned from {@code manifest}; a CLI on it. */
        Cli provision(Path manifest, String... orgs) {
            url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            MigrateAllFixture.provision(cli, manifest, List.of(orgs));
            return cli;
        }

        /** The org's database on the pool, bypassing tenantctl. */
        MongoDatabase db(String orgId) {
            return direct.db(pools.uri(0), orgId);
        }

        /** See {@link Direct#indexes}. */
        Map<String, Map<String, Document>> indexes(String orgId) {
            return direct.indexes(pools.uri(0), orgId);
        }

        @Override
        public void close() {
            direct.close();
            pools.close();
        }
    }

    /** org id → schema_hash, from {@code orgs list -o json}. */
    static Map<String, String> hashes(Cli cli) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode o : strictJson(ok(cli, "orgs", "list", "-o", "json")).get("orgs")) {
            out.put(o.get("org_id").asText(), o.get("schema_hash").asText(null));
        }
        return out;
    }

    /**
     * The end state of a rollout that stopped part way: every org of the catalog records the hash of one of
     * {@code manifests} and has exactly that manifest on its pool. Returns each manifest's orgs (empty lists included).
     */
    static Map<Path, List<String>> assertExactlyAsRecorded(String catalogUrl, Path... manifests) {
        Map<String, Path> byHash = new LinkedHashMap<>();
        for (Path m : manifests) {
            byHash.put(SchemaManifest.load(m).hash(), m);
        }
        Map<Path, List<String>> out = new LinkedHashMap<>();
        List.of(manifests).forEach(m -> out.put(m, new ArrayList<>()));
        hashes(Cli.withCatalog(catalogUrl)).forEach((org, hash) -> {
            assertThat(byHash).as("%s records the hash of one of %s", org, List.of(manifests)).containsKey(hash);
            out.get(byHash.get(hash)).add(org);
        });
        out.forEach((m, orgs) -> {
            if (!orgs.isEmpty()) {
                CliFixture.assertExactly(catalogUrl, m, orgs);
            }
        });
        return out;
    }

    static List<String> failedIds(JsonNode summary) {
        List<String> out = new ArrayList<>();
        summary.get("failed").forEach(f -> out.add(f.get("org_id").asText()));
        return out;
    }

    static JsonNode runShow(Cli cli, String runId) {
        return strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
    }

    /** run_items status → count, from {@code runs show}. */
    static Map<String, Integer> itemStatuses(JsonNode runShow) {
        Map<String, Integer> out = new TreeMap<>();
        runShow.get("items").forEach(i -> out.merge(i.get("status").asText(), 1, Integer::sum));
        return out;
    }

    static Cli.Result provision(Cli cli, Path schema, List<String> orgs, String... extra) {
        List<String> head = new ArrayList<>(List.of("provision", "--schema", schema.toString(), "-o", "json"));
        head.addAll(List.of(extra));
        Cli.Result r = cli.run(CliFixture.args(head, orgs));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
