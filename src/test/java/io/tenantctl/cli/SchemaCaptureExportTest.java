package io.tenantctl.cli;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.IndexSpec;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Manifests in and out: what {@code schema export} and {@code schema capture} print is a manifest {@code --schema}
 * reads back to the same hash, and capturing a database built from a manifest gives that manifest's hash.
 */
@Timeout(120)
class SchemaCaptureExportTest {

    /** Every option the manifest has: unique, sparse, TTL, partial (with an Extended JSON date), compound with -1, drop. */
    private static final String RICH = """
            {"description": "rich",
             "collections": [
              {"name": "users", "model": "User", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "tenant_1_role_-1", "key": {"tenant": 1, "role": -1}},
                {"name": "googleId_1", "key": {"googleId": 1}, "sparse": true},
                {"name": "expires_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 3600}
              ], "drop": ["email_old"]},
              {"name": "messages", "indexes": [
                {"name": "conv_1_created_-1", "key": {"conversationId": 1, "createdAt": -1},
                 "partialFilterExpression": {"createdAt": {"$gt": {"$date": "2024-01-01T00:00:00Z"}}}}
              ]},
              {"name": "files"}
            ]}
            """;

    private final TestPools pools = new TestPools(1);
    private final MongoClient direct = MongoClients.create(pools.uri(0));
    /** No catalog: export and capture must not need one. */
    private final Cli cli = new Cli(Map.of("USER", "test", "REF_PORT", pools.uri(0).substring(pools.uri(0).lastIndexOf(':') + 1)));

    @AfterEach
    void stop() {
        direct.close();
        pools.close();
    }

    /** Builds {@code m} in {@code database} directly, as the application would with autoIndex on. */
    private void build(String database, SchemaManifest m) {
        MongoDatabase db = direct.getDatabase(database);
        for (CollectionSpec c : m.collections()) {
            db.createCollection(c.name());
            if (!c.indexes().isEmpty()) {
                db.runCommand(new Document("createIndexes", c.name())
                        .append("indexes", c.indexes().stream().map(IndexSpec::toCreateDocument).toList()));
            }
        }
    }

    private static Path save(Path dir, String name, Cli.Result r) throws IOException {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return Files.writeString(dir.resolve(name), r.out());
    }

    private String hashOf(Path schema) {
        return strictJson(ok(cli, "schema", "show", "--schema", schema.toString(), "-o", "json")).get("hash").asText();
    }

    /**
     * Found by probing a deploy pipeline: 'tenantctl schema capture … | tenantctl migrate-all --schema -' was refused
     * "schema file /work/dir/- does not exist": a file nobody named, and nothing about standard input. It now says that
     * --schema - does not read standard input and what to do instead, in one line, exit 2.
     */
    @Test
    void aSchemaOfDashSaysStandardInputIsNotReadAndWhatToDo() {
        for (String verb : new String[]{"show", "export"}) {
            Cli.Result r = cli.run("schema", verb, "--schema", "-");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).startsWith("error: --schema - does not read standard input")
                    .contains("write the manifest to a file first").doesNotContain("\n");
        }
    }

    @Test
    void capturingTheBuiltInModelGivesItsHashAndRoundTripsThroughExport(@TempDir Path dir) throws IOException {
        SchemaManifest builtIn = SchemaManifest.defaultManifest();
        build("reference", builtIn);

        Cli.Result captured = cli.run("schema", "capture", "--from-uri", "mongodb://127.0.0.1:${REF_PORT}/", "--database", "reference");
        Path capturedFile = save(dir, "captured.json", captured);
        strictJson(captured);
        assertThat(captured.err()).contains("captured 47 collections, 290 indexes").contains(builtIn.hash());
        assertThat(hashOf(capturedFile)).isEqualTo(builtIn.hash());

        Path reexported = save(dir, "reexported.json", cli.run("schema", "export", "--schema", capturedFile.toString()));
        assertThat(hashOf(reexported)).isEqualTo(builtIn.hash());
        assertThat(reexported).hasSameTextualContentAs(capturedFile);
    }

    @Test
    void exportOfTheBuiltInModelAndOfAFileReadsBackToTheSameHash(@TempDir Path dir) throws IOException {
        Path builtIn = save(dir, "builtin.json", cli.run("schema", "export"));
        assertThat(hashOf(builtIn)).isEqualTo(SchemaManifest.defaultManifest().hash());
        assertThat(Files.readString(builtIn)).startsWith("{\n  \"description\": \"LibreChat data model");

        Path rich = Files.writeString(dir.resolve("rich.json"), RICH);
        Path exported = save(dir, "exported.json", cli.run("schema", "export", "--schema", rich.toString(), "-o", "json"));
        assertThat(hashOf(exported)).isEqualTo(hashOf(rich));
        assertThat(Files.readString(exported)).contains("\"drop\": [\"email_old\"]").contains("{\"$date\": \"2024-01-01T00:00:00Z\"}")
                .contains("{\"name\": \"files\", \"indexes\": []}");
        Path again = save(dir, "again.json", cli.run("schema", "export", "--schema", exported.toString()));
        assertThat(again).hasSameTextualContentAs(exported);
    }

    @Test
    void capturingAProvisionedOrgGivesTheHashItWasProvisionedWith(@TempDir Path dir) throws IOException {
        Cli fleet = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(fleet, "pool-1", pools.uri(0), 10, 1);
        Path rich = Files.writeString(dir.resolve("rich.json"), RICH.replace(", \"drop\": [\"email_old\"]", ""));
        ok(fleet, "provision", "acme", "--schema", rich.toString());
        String recorded = strictJson(ok(fleet, "orgs", "show", "acme", "-o", "json")).get("schema_hash").asText();

        Path captured = save(dir, "captured.json", cli.run("schema", "capture", "--from-uri", pools.uri(0), "--database", "org_acme"));
        assertThat(hashOf(captured)).isEqualTo(recorded).isEqualTo(hashOf(rich));
    }

    @Test
    void theUriFollowsThePoolRulesAndNoPasswordIsEverPrinted(@TempDir Path dir) {
        build("reference", SchemaManifest.parse("{\"collections\": [{\"name\": \"users\"}]}", "tiny"));
        String port = pools.uri(0).substring(pools.uri(0).lastIndexOf(':') + 1);

        Cli.Result inline = cli.run("schema", "capture", "--from-uri", "mongodb://app:hunter2@127.0.0.1:" + port + "/", "--database", "reference");
        assertThat(inline.exitCode()).as(inline.toString()).isEqualTo(2);
        assertThat(inline.err()).contains("inline password").contains("--allow-inline-password").doesNotContain("hunter2")
                .contains("to use them as given").doesNotContain("move them into variables"); // capture stores nothing

        Cli.Result allowed = cli.run("schema", "capture", "--from-uri", "mongodb://app:hunter2@127.0.0.1:1/", "--database", "reference",
                "--allow-inline-password");
        assertThat(allowed.exitCode()).as(allowed.toString()).isEqualTo(3);
        assertThat(allowed.err()).contains("reference database (mongodb://app:***@127.0.0.1:1/) is unreachable");
        assertThat(allowed.toString()).doesNotContain("hunter2");

        Cli.Result unset = cli.run("schema", "capture", "--from-uri", "mongodb://127.0.0.1:${NO_SUCH_PORT}/", "--database", "reference");
        assertThat(unset.exitCode()).as(unset.toString()).isEqualTo(3);
        assertThat(unset.err()).contains("reference database: its URI references ${NO_SUCH_PORT}, which is not set in the environment");

        // the advice names the variable to set: the mask hides a value, never the placeholder of one (it hid X_PASSWORD=… as ***)
        String unsetPassword = "mongodb://app:${REF_PASSWORD}@127.0.0.1:" + port + "/";
        for (String output : List.of("table", "json")) {
            Cli.Result r = cli.run("schema", "capture", "--from-uri", unsetPassword, "--database", "reference", "-o", output);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            String said = output.equals("json") ? strictJson(r).get("error").get("message").asText() : r.err();
            assertThat(said).as(r.toString()).contains("its URI references ${REF_PASSWORD}, which is not set in the environment: "
                    + "export REF_PASSWORD=… (or set REF_PASSWORD=… in the --config file), then run this again");
        }

        Cli.Result badName = cli.run("schema", "capture", "--from-uri", pools.uri(0), "--database", "a/b");
        assertThat(badName.exitCode()).as(badName.toString()).isEqualTo(2);
        assertThat(badName.err()).contains("--database 'a/b'");

        Cli.Result empty = cli.run("schema", "capture", "--from-uri", pools.uri(0), "--database", "nothing_here");
        assertThat(empty.exitCode()).as(empty.toString()).isEqualTo(2);
        assertThat(empty.err()).contains("'nothing_here' has no collections");
        // and asking left no empty database behind on the stand-in, which 'orgs adopt --discover' then listed
        assertThat(direct.listDatabaseNames().into(new java.util.ArrayList<>())).doesNotContain("nothing_here");
        assertThat(List.of(inline.out(), allowed.out(), unset.out(), badName.out(), empty.out())).as("nothing on stdout to redirect into a file")
                .containsOnly("");
    }
}
