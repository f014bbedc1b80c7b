package io.tenantctl.cli;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An index holds an empty array as one key of its own (undefined), not as the null a missing field is. A probing helper
 * found the unique pre-flight grouping {a: []} with a document without a, as {"a": null} x2, and refusing a unique index
 * the server builds ("remove the duplicate documents"). Two empty arrays are still duplicates of each other, also under a
 * sparse index (a document with a: [] has the field).
 */
@Timeout(60)
class UniquePreflightTellsAnEmptyArrayFromAMissingFieldTest {

    private static final String V1 = """
            {"collections":[{"name":"c","indexes":[{"name":"x_1","key":{"x":1}}]}]}
            """;

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void anEmptyArrayAndAMissingFieldAreNoDuplicates(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", V1), "acme");
        MongoDatabase db = fleet.db("acme");
        db.getCollection("c").insertOne(new Document("_id", "empty").append("a", List.of()).append("b", 1));
        db.getCollection("c").insertOne(new Document("_id", "missing").append("b", 1));
        Path v2 = write(dir, "v2.json", """
                {"collections":[{"name":"c","indexes":[{"name":"x_1","key":{"x":1}},
                  {"name":"a_1","key":{"a":1},"unique":true},
                  {"name":"a_1_b_1","key":{"a":1,"b":1},"unique":true}]}]}
                """);

        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        SchemaCheck.assertExactly(fleet.url, List.of("acme"), SchemaManifest.load(v2));
    }

    @Test
    void twoEmptyArraysAreDuplicatesAlsoUnderASparseIndex(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", V1), "acme");
        MongoDatabase db = fleet.db("acme");
        db.getCollection("c").insertOne(new Document("_id", "e1").append("a", List.of()));
        db.getCollection("c").insertOne(new Document("_id", "e2").append("a", List.of()));
        db.getCollection("c").insertOne(new Document("_id", "missing"));
        Path v2 = write(dir, "v2.json", """
                {"collections":[{"name":"c","indexes":[{"name":"x_1","key":{"x":1}},
                  {"name":"a_1","key":{"a":1},"unique":true,"sparse":true}]}]}
                """);

        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(strictJson(run).get("failed").get(0).get("error").asText()).as(run.toString())
                .containsPattern("c.a_1: \\{\"a\": \\[]} x2 \\(_id \"e[12]\", \"e[12]\"\\)").doesNotContain("\"missing\"");
    }
}
