package io.tenantctl.testing.standin;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;

/** mongo-java-server's memory and H2 backends, opening {@link IndexPatches patched} databases. */
final class PatchedBackends {

    private PatchedBackends() {
    }

    static final class Memory extends MemoryBackend {
        Memory() {
        }

        /** Its server's clock (hello's localTime): {@code clock}. */
        Memory(java.time.Clock clock) {
            super(clock);
        }

        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new PatchedMemoryDatabase(databaseName, getCursorRegistry());
        }
    }

    static final class H2 extends H2Backend {
        H2(String fileName) {
            super(fileName);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            // also called from H2Backend's constructor, for each database the file holds: uses nothing of this class
            return new PatchedH2Database(databaseName, getMvStore(), getCursorRegistry());
        }
    }
}
