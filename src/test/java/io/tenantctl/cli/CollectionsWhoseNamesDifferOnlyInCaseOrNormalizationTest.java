package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.ForwardingStore;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB and FerretDB tell "Users" from "users", and "été" composed (NFC) from "été" decomposed (NFD): four collections.
 * A backup named their files after them, so on a file store whose file system does not (macOS's APFS, Windows, an SMB
 * share) two collections shared one file: the second overwrote the first, and every backup of the org failed with "the
 * store changed under the backup". Each collection gets a file of its own there too, and they restore as they were.
 */
class CollectionsWhoseNamesDifferOnlyInCaseOrNormalizationTest {

    private static final List<String> NAMES = List.of("Users", "users", "\u00e9t\u00e9", "e\u0301te\u0301");

    @TempDir
    Path dir;

    @Test
    void eachGetsAFileOfItsOwnOnAStoreThatFoldsNamesAndRestoresAsItWas() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            for (String name : NAMES) {
                f.db("acme").getCollection(name, BsonDocument.class).insertOne(
                        new BsonDocument("_id", new BsonInt32(1)).append("from", new BsonString(name)));
            }
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            RunReport.Org acme;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new FoldingStore(new FileObjectStore(f.storeDir))) {
                Backup.Result r = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(new Backup.Request(
                        new Backup.Selector(List.of("acme"), false, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        Clock.systemUTC()));
                acme = CliFixture.lines(r.lines()).get(0);
            }
            assertThat(acme.outcome()).as("%s", acme).isEqualTo("backed_up");
            String backupId = acme.detail().path("backup_id").asText();

            JsonNode show = strictJson(ok(f.cli, "backups", "show", backupId, "-o", "json"));
            assertThat(show.get("manifest").get("collections").findValuesAsText("file").stream()
                    .map(FoldingStore::fold).distinct().count()).as("%s", show).isEqualTo(show.get("manifest").get("collections").size());
            ok(f.cli, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");
            f.assertHolds("acme-copy", before);
        }
    }

    /**
     * A store on a case-insensitive, normalization-insensitive file system that keeps the name a file was first created
     * under: a key differing only in case or Unicode normalization from one it holds is that file.
     */
    private static final class FoldingStore extends ForwardingStore {
        private final Map<String, String> firstNamed = new ConcurrentHashMap<>();

        FoldingStore(ObjectStore real) {
            super(real);
        }

        static String fold(String key) {
            return Normalizer.normalize(key, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        }

        private String actual(String key) {
            return firstNamed.computeIfAbsent(fold(key), k -> key);
        }

        @Override
        public Upload create(String key) {
            return real.create(actual(key));
        }

        @Override
        public InputStream open(String key) {
            return real.open(actual(key));
        }

        @Override
        public boolean exists(String key) {
            return real.exists(actual(key));
        }

        @Override
        public void delete(String key) {
            real.delete(actual(key));
        }
    }
}
