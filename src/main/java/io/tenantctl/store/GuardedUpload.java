package io.tenantctl.store;

import java.io.IOException;

/**
 * What the stores' uploads share: the key, whether the object was published or the upload aborted, and the refusal of
 * a write after either (see {@link ObjectStore.Upload}).
 */
abstract class GuardedUpload extends ObjectStore.Upload {
    final String key;
    private final String store;
    boolean published;
    boolean aborted;

    /** {@code store}: the store's {@link ObjectStore#describe()}, named when a write after an abort is refused. */
    GuardedUpload(String key, String store) {
        this.key = key;
        this.store = store;
    }

    @Override
    public final String key() {
        return key;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    void ensureOpen() throws IOException {
        if (aborted) {
            throw new IOException("upload of " + key + " to " + store + " was aborted; nothing was published");
        }
        if (published) {
            throw new IOException("upload of " + key + " is already closed");
        }
    }
}
