package io.tenantctl.store;

import java.time.Instant;

/** One stored object: its key (relative to the store root), size in bytes and last modification time. */
public record ObjectInfo(String key, long size, Instant lastModified) {
}
