package io.tenantctl.testing;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

import java.util.function.Consumer;

/**
 * Fault injection at the S3 seam (the in-memory store behind {@code S3ProxyFixture.start(decorate)}): every GET of a
 * backup's {@code manifest.json} and every LIST of a container pass through a hook first, which may count it, block on a
 * latch, or throw to fail it like S3 would (e.g. {@code AuthorizationException} for a 403).
 */
public final class HookedBlobStore {

    private HookedBlobStore() {
    }

    /** {@code real}, {@code beforeManifestGet} run with the key of each manifest.json asked for. */
    public static BlobStore onManifestGet(BlobStore real, Consumer<String> beforeManifestGet) {
        return hooked(real, beforeManifestGet, options -> { });
    }

    /**
     * {@code real}, {@code beforeManifestGet} run with the key of each manifest.json asked for and {@code beforeList} with
     * the options of each LIST call (its prefix, marker...).
     */
    public static BlobStore hooked(BlobStore real, Consumer<String> beforeManifestGet, Consumer<ListContainerOptions> beforeList) {
        return new ForwardingBlobStore(real) {
            @Override
            public Blob getBlob(String container, String name) {
                return getBlob(container, name, GetOptions.NONE);
            }

            @Override
            public Blob getBlob(String container, String name, GetOptions options) {
                if (name.endsWith("/manifest.json")) {
                    beforeManifestGet.accept(name);
                }
                return super.getBlob(container, name, options);
            }

            @Override
            public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
                beforeList.accept(options);
                return super.list(container, options);
            }
        };
    }
}
