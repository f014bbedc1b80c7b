package io.tenantctl.cli;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.LibreChatFixtures;
import io.tenantctl.testing.TestPools;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team n: a rollout of LibreChat 0.0.21 (a downgrade from 0.0.71, --replace-conflicting) with --max-failures 0
 * aborts at the org in the middle of the fleet whose users share an email (the duplicate pre-flight of the rebuilt
 * unique users.email_1). The operator does exactly what it printed, in order: removes the duplicate, runs the org's
 * "next:" command (a new run of that org with the same manifest), then the "Resume with: tenantctl migrate-all --resume
 * RUN" for the orgs the abort left untouched. That resume is refused (exit 2) claiming it "would take orgs back to its
 * older manifest" — the newer run applied the very same manifest — so the rest of the fleet stays on 0.0.71 and the
 * printed way on does not work.
 */
@Timeout(240)
class ResumeAnAbortedRolloutAfterItsOwnNextStepTest {

    @TempDir
    Path dir;

    @Test
    void theResumePrintedByAnAbortedRolloutStillWorksAfterTheFailedOrgsOwnNextStep() {
        List<String> orgs = List.of("a1", "a2", "a3", "a4");
        try (TestPools pools = new TestPools(1); MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct()) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            Path old = MigrateAllFixture.write(dir, "librechat-0.0.21.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.21")));
            Path current = MigrateAllFixture.write(dir, "librechat-0.0.71.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.71")));
            MigrateAllFixture.provision(cli, current, orgs);
            BsonDocument twin = LibreChatFixtures.documents("users").get(0).clone();
            twin.remove("_id");
            twin.put("tenantId", new BsonString("tenant-2")); // same email, another tenant: fine under 0.0.71's email_1_tenantId_1
            Map<String, List<BsonDocument>> before = new LinkedHashMap<>();
            for (String org : orgs) {
                MongoDatabase db = direct.db(pools.uri(0), org);
                db.getCollection("users", BsonDocument.class).insertMany(LibreChatFixtures.documents("users"));
                db.getCollection("messages", BsonDocument.class).insertMany(LibreChatFixtures.documents("messages"));
                before.put(org + ".messages", contents(db, "messages"));
                before.put(org + ".users", contents(db, "users"));
            }
            direct.db(pools.uri(0), "a2").getCollection("users", BsonDocument.class).insertOne(twin);

            Cli.Result aborted = cli.run("migrate-all", "--schema", old.toString(), "--replace-conflicting", "--max-failures", "0",
                    "--per-pool", "1", "--concurrency", "1");
            assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
            String nextForA2 = find(aborted.err(), "next: remove the duplicate documents named above, then: (tenantctl migrate-all [^\\n]+)");
            String resume = find(aborted.err(), "Resume with: (tenantctl migrate-all --resume \\S+)");
            assertThat(MigrateAllFixture.hashes(cli).get("a4")).as("a4 was left untouched by the abort").isEqualTo(SchemaManifest.load(current).hash());

            // 1. remove the duplicate, 2. the org's next step, 3. the run's resume
            direct.db(pools.uri(0), "a2").getCollection("users").deleteOne(Filters.eq("tenantId", "tenant-2"));
            Cli.Result a2 = cli.run(command(nextForA2));
            assertThat(a2.exitCode()).as(nextForA2 + "\n" + a2).isZero();
            Cli.Result resumed = cli.run(command(resume));
            assertThat(resumed.exitCode()).as(resume + "\n" + resumed).isZero();

            assertThat(MigrateAllFixture.hashes(cli).values()).as("every org on 0.0.21").containsOnly(SchemaManifest.load(old).hash());
            CliFixture.assertClean(url, old, orgs);
            for (String org : orgs) {
                MongoDatabase db = direct.db(pools.uri(0), org);
                assertThat(contents(db, "users")).as(org + ".users").isEqualTo(before.get(org + ".users"));
                assertThat(contents(db, "messages")).as(org + ".messages").isEqualTo(before.get(org + ".messages"));
            }
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:\n%s", regex, text).isTrue();
        return m.group(1).trim();
    }

    /** A printed command as the shell would split it (the paths here have no spaces), without "tenantctl". */
    private static String[] command(String printed) {
        List<String> words = new ArrayList<>(Arrays.asList(printed.trim().split("\\s+")));
        assertThat(words.remove(0)).isEqualTo("tenantctl");
        return words.toArray(String[]::new);
    }

    private static List<BsonDocument> contents(MongoDatabase db, String collection) {
        return db.getCollection(collection, BsonDocument.class).find().sort(new Document("_id", 1)).into(new ArrayList<>());
    }
}
