package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A damaged or incomplete backup is refused: exit 1 (exit 2 for a format this tenantctl does not know), the org still
 * points at its database, and no fresh database is left behind on the pool.
 */
class RestoreRefusalsTest {

    @TempDir
    static Path dir;
    private static BackupFixture f;
    /** acme's documents as seeded: every refusal must leave exactly these. */
    private static Map<String, List<RawBsonDocument>> seeded;

    @BeforeAll
    static void fleet() {
        f = new BackupFixture(1, dir);
        f.provision("acme");
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i)).append("name", new BsonString("user " + i)));
        }
        f.db("acme").getCollection("notes", BsonDocument.class).insertMany(docs);
        f.db("acme").getCollection("events", BsonDocument.class).insertMany(docs);
        seeded = BackupFixture.contents(f.db("acme"));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void aFlippedByteIsRefused() throws IOException {
        String id = f.backup("acme", "--compression", "none");
        Path notes = f.files("acme", id).get("notes.ndjson");
        byte[] bytes = Files.readAllBytes(notes);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(notes, bytes);

        Cli.Result r = refused(id, 1);
        assertThat(r.err()).contains("notes.ndjson").containsPattern("corrupt|does not match its manifest")
                .containsPattern("the next older one is \\S+: 'tenantctl restore --org acme --backup |org acme has no older complete backup");

        // the same refusal for a pipeline: one JSON error document naming the run that recorded it
        Cli.Result json = f.cli.run("restore", "--org", "acme", "--backup", id, "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
        JsonNode error = CliFixture.strictJson(json).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(1);
        assertThat(error.get("category").asText()).isEqualTo("failed");
        assertThat(error.get("message").asText()).contains("notes.ndjson");
        JsonNode run = CliFixture.strictJson(CliFixture.ok(f.cli, "runs", "show", error.get("run_id").asText(), "-o", "json")).get("run");
        assertThat(run.get("verb").asText()).isEqualTo("restore");
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("args").get("org").asText()).isEqualTo("acme");
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        String id = f.backup("acme", "--compression", "gzip");
        Path notes = f.files("acme", id).get("notes.ndjson.gz");
        byte[] bytes = Files.readAllBytes(notes);
        Files.write(notes, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        Cli.Result r = refused(id, 1);
        assertThat(r.err()).contains("notes.ndjson.gz");
    }

    @Test
    void aBackupWithoutManifestIsRefused() throws IOException {
        String id = f.backup("acme");
        Files.delete(f.files("acme", id).get("manifest.json"));

        Cli.Result r = refused(id, 1);
        assertThat(r.err()).contains("no manifest.json").contains("incomplete");
        JsonNode listed = CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
        assertThat(listed.get("backups").findValues("backup_id").stream().map(JsonNode::asText).toList()).contains(id);
        listed.get("backups").forEach(b -> {
            if (b.get("backup_id").asText().equals(id)) { // recorded complete: not a backup that never finished
                assertThat(b.get("status").asText()).isEqualTo("missing");
                assertThat(b.get("error").asText()).contains("manifest.json is gone");
            }
        });
    }

    @Test
    void anUnknownFormatVersionIsAUsageError() throws Exception {
        String id = f.backup("acme");
        Path manifest = f.files("acme", id).get("manifest.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
        json.put("formatVersion", 99);
        byte[] newer = new ObjectMapper().writeValueAsBytes(json);
        Files.write(manifest, newer);
        // as a newer tenantctl wrote it: the catalog recorded these very bytes (else it is "changed after it was taken")
        io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "update backups set sha256 = '"
                + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(newer))
                + "' where backup_id = '" + id + "'");

        Cli.Result r = refused(id, 2);
        assertThat(r.err()).contains("format version 99").contains("upgrade tenantctl");
    }

    /** Restores {@code id} expecting {@code exit}; checks the pointer and the pool are as before. */
    private static Cli.Result refused(String id, int exit) {
        JsonNode before = f.org("acme");
        List<String> databasesBefore = f.databaseNames("pool-0");
        Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", id);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exit);
        JsonNode after = f.org("acme");
        assertThat(after.get("database_name").asText()).isEqualTo("org_acme");
        assertThat(after.get("pool_id")).isEqualTo(before.get("pool_id"));
        assertThat(f.databaseNames("pool-0")).as("no fresh database left behind").containsExactlyInAnyOrderElementsOf(databasesBefore)
                .noneMatch(n -> n.contains("__r"));
        f.assertHolds("acme", seeded);
        return r;
    }

    /**
     * Found by a 3 a.m. audit: {@code restore --org acmee} (acme mistyped) said "org acmee has no complete backup in …: see
     * 'tenantctl backups list --org acmee'", read at night as acme having no backup, and the list it names says the same
     * again. An org the catalog does not have and the store holds nothing of is said to be that, with where to look.
     */
    @Test
    void aMistypedOrgIsSaidToBeNoOrgNotAnOrgWithoutBackups() {
        for (String[] line : List.of(new String[]{"restore", "--org", "acmee"}, new String[]{"restore", "--org", "acmee", "--dry-run", "-o", "json"})) {
            Cli.Result r = f.cli.run(line);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines().filter(l -> l.startsWith("error:"))).as(r.toString()).singleElement().asString()
                    .contains("no org acmee in the catalog, and no backup of it in").contains("tenantctl orgs list");
        }
        f.assertHolds("acme", seeded);
    }
}
