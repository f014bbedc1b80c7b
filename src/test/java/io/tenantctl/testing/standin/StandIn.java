package io.tenantctl.testing.standin;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * The in-process MongoDB-wire server that stands in for a FerretDB pool in the tests, the sandbox and the benchmarks:
 * mongo-java-server 1.47 (the newest release) with three patches, so that it stops lying about what tenantctl does.
 * <ol>
 *   <li>{@code dropIndexes} touches only the named collection. The library also deletes same-named indexes of every
 *       other collection of the database from {@code system.indexes} (upstream #246; with {@code "*"}, all of
 *       them, #247): after a same-name conflict was replaced, {@code messages.conversationId_1},
 *       {@code files.conversationId_1} and {@code groups.name_1} vanished while migrate-all reported success.
 *       Fixed upstream after 1.47, not yet released.</li>
 *   <li>A unique index with a {@code partialFilterExpression} only holds, and only checks, the documents that match
 *       the filter (upstream #162, open): the library enforced uniqueness on every document, so two LibreChat users
 *       without a Google id collided on {@code googleId_1_tenantId_1}.</li>
 *   <li>{@code createIndexes} follows MongoDB's conflict rules: an identical index is a no-op, the same name with
 *       another key or options fails with 86 (IndexKeySpecsConflict), the same key and options under another name
 *       with 85 (IndexOptionsConflict). The library accepted most of these silently and then listed two indexes
 *       of one name.</li>
 *   <li>On the H2 backend, {@code dropIndexes} drops an index whose {@code partialFilterExpression} begins with an
 *       operator ({@code {"$or": […]}}): the library answered ok and kept it listed (see
 *       {@code PatchedH2Database.deleteIndexDescription}).</li>
 * </ol>
 * {@code StandInPatchesTest} proves each is still needed (it fails on the plain library);
 * {@code pool.WireConformanceTest} holds the patched stand-in and real FerretDB to the same behaviours, and pins
 * what the stand-in still does differently.
 */
public final class StandIn {

    private StandIn() {
    }

    /** A patched in-memory pool. */
    public static MongoBackend memory() {
        return new PatchedBackends.Memory();
    }

    /** A patched in-memory pool whose server's clock (what {@code hello} says is its time) is {@code clock}. */
    public static MongoBackend memory(java.time.Clock clock) {
        return new PatchedBackends.Memory(clock);
    }

    /** A patched pool kept in {@code file} (H2 MVStore), reopened with its data when the file exists. */
    public static MongoBackend h2(String file) {
        return new PatchedBackends.H2(file);
    }

    /** The library as released, without the patches: only for tests that show a patch is still needed. */
    public static MongoBackend unpatchedMemory() {
        return new MemoryBackend();
    }

    /** The library's H2 backend as released, kept in {@code file}: only for tests that show a patch is still needed. */
    public static MongoBackend unpatchedH2(String file) {
        return new de.bwaldvogel.mongo.backend.h2.H2Backend(file);
    }

    /** {@code backend} served on an ephemeral loopback port. */
    public static MongoServer serve(MongoBackend backend) {
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", 0);
        return server;
    }

    public static String uri(MongoServer server) {
        return "mongodb://127.0.0.1:" + server.getLocalAddress().getPort();
    }
}
