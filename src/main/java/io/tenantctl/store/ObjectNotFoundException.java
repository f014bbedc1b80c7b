package io.tenantctl.store;

import io.tenantctl.TenantctlException;

/** An object that was asked for does not exist. Category FAILED; the message names the key and the store. */
public class ObjectNotFoundException extends TenantctlException {

    private final String key;

    public ObjectNotFoundException(String key, String storeDescription) {
        super(Category.FAILED, "object " + key + " not found in " + storeDescription);
        this.key = key;
    }

    /** The missing key, as passed to the store. */
    public String key() {
        return key;
    }
}
