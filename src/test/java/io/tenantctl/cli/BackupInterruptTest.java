package io.tenantctl.cli;

import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.ForwardingStore;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Ctrl-C stops a backup in flight (a big collection need not be read to its end), leaves no manifest, starts nothing new. */
class BackupInterruptTest {

    @TempDir
    Path dir;

    @Test
    void aBackupInFlightStopsWithoutAManifestAndTheNextOneWorks() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                docs.add(new Document("_id", i).append("text", "message number " + i + " of a long conversation"));
            }
            f.db("acme").getCollection("messages").insertMany(docs);
            CancelToken cancel = new CancelToken();

            Backup.Result r;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new CancelOnFirstWrite(new FileObjectStore(f.storeDir), "/messages.ndjson", cancel)) {
                r = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(new Backup.Request(
                        new Backup.Selector(List.of("acme", "beta"), false, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, cancel, Progress.NONE), Clock.systemUTC()));

                assertThat(r.interrupted()).isTrue();
                List<RunReport.Org> lines = CliFixture.lines(r.lines());
                RunReport.Org acme = lines.get(0);
                assertThat(acme.outcome()).as("stopped by Ctrl-C, not to blame: not done, for the resume").isEqualTo("not_started");
                assertThat(acme.error()).contains("interrupted after").contains("documents of messages");
                assertThat(lines.get(1).outcome()).as("beta").isEqualTo("not_started");
                assertThat(store.list("acme/")).extracting(ObjectInfo::key).noneMatch(k -> k.endsWith("manifest.json"))
                        .as("the partial collection file was not published either").noneMatch(k -> k.contains("messages"));
                assertThat(new BackupRepository(catalog).find(acme.detail().path("backup_id").asText())).hasValueSatisfying(b ->
                        assertThat(b.status()).isEqualTo("failed"));
            }

            String id = f.backup("acme");
            assertThat(strictJson(ok(f.cli, "backups", "show", id, "-o", "json")).toString()).contains("\"docs\":20000");
            f.assertClean("acme", "beta");
        }
    }

    /** A store that cancels {@code cancel} (as Ctrl-C would) the first time bytes are written to a key containing {@code part}. */
    private static final class CancelOnFirstWrite extends ForwardingStore {
        private final String part;
        private final CancelToken cancel;

        CancelOnFirstWrite(ObjectStore real, String part, CancelToken cancel) {
            super(real);
            this.part = part;
            this.cancel = cancel;
        }

        @Override
        public Upload create(String key) {
            Upload upload = real.create(key);
            if (!key.contains(part)) {
                return upload;
            }
            return onWrite(upload, (u, len) -> cancel.cancel("SIGINT"));
        }
    }
}
