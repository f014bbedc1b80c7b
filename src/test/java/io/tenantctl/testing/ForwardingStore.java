package io.tenantctl.testing;

import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** An object store that passes every call to {@code real}: a test's fake overrides only the call it changes. */
public abstract class ForwardingStore implements ObjectStore {

    protected final ObjectStore real;

    protected ForwardingStore(ObjectStore real) {
        this.real = real;
    }

    /**
     * {@code real}, with the prefix of each {@code list} call added to {@code listed} (a test counts the store's LISTs), and
     * each prefix of a {@code listEach}, in order (as a file store lists them: one LIST each).
     */
    public static ObjectStore recordingLists(ObjectStore real, List<String> listed) {
        return new ForwardingStore(real) {
            @Override
            public List<ObjectInfo> list(String prefix) {
                listed.add(prefix);
                return real.list(prefix);
            }

            @Override
            public void listEach(java.util.Collection<String> prefixes, java.util.function.Consumer<ObjectInfo> each) {
                listed.addAll(new java.util.TreeSet<>(prefixes));
                real.listEach(prefixes, each);
            }
        };
    }

    @Override
    public Upload create(String key) {
        return real.create(key);
    }

    @Override
    public InputStream open(String key) {
        return real.open(key);
    }

    @Override
    public boolean exists(String key) {
        return real.exists(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return real.list(prefix);
    }

    @Override
    public void listEach(java.util.Collection<String> prefixes, java.util.function.Consumer<ObjectInfo> each) {
        real.listEach(prefixes, each);
    }

    @Override
    public List<String> children(String prefix) {
        return real.children(prefix);
    }

    @Override
    public void delete(String key) {
        real.delete(key);
    }

    @Override
    public void checkWritableWritingNothing(String prefix) {
        real.checkWritableWritingNothing(prefix);
    }

    @Override
    public void checkDeletableDeletingNothing(String prefix) {
        real.checkDeletableDeletingNothing(prefix);
    }

    @Override
    public String describe() {
        return real.describe();
    }

    /** What a fake does before each write to an upload: {@code len} bytes are about to be written to {@code upload}. */
    @FunctionalInterface
    public interface BeforeWrite {
        void before(Upload upload, int len) throws IOException;
    }

    /** {@code upload}, every call passed on, {@code hook} run before each write (to fail it, or to act as it begins). */
    public static Upload onWrite(Upload upload, BeforeWrite hook) {
        return new Upload() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                hook.before(upload, len);
                upload.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                upload.close();
            }

            @Override
            public void abort() {
                upload.abort();
            }

            @Override
            public String key() {
                return upload.key();
            }
        };
    }
}
