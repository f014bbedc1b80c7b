package io.tenantctl.testing;

import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;

import java.io.InputStream;
import java.util.List;

/** An object store that passes every call to {@code real}: a test's fake overrides only the call it changes. */
public abstract class ForwardingStore implements ObjectStore {

    protected final ObjectStore real;

    protected ForwardingStore(ObjectStore real) {
        this.real = real;
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
    public List<String> children(String prefix) {
        return real.children(prefix);
    }

    @Override
    public void delete(String key) {
        real.delete(key);
    }

    @Override
    public String describe() {
        return real.describe();
    }
}
