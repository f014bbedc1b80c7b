package io.tenantctl.testing;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Fault injection at the S3 seam (the in-memory store behind {@code S3ProxyFixture.start(decorate)}): every GET of a
 * backup's {@code manifest.json} and every LIST of a container pass through a hook first, which may count it, block on a
 * latch, or throw to fail it like S3 would (e.g. {@code AuthorizationException} for a 403, {@link #unavailable} for a 503);
 * {@link #onCall} hooks the uploads and HEADs too.
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

    /**
     * {@code real}, {@code before} run with each call's name and key first: {@code put} (PutObject), {@code initiate},
     * {@code part} and {@code complete} (a multipart upload's), {@code head} (HeadObject), {@code get} (GetObject),
     * {@code delete} (DeleteObject, and each key of a DeleteObjects; also the delete probe of a key that does not exist, {@code tenantctl-store-probe/delete-check}, a prune's dry run makes) and {@code list} (its prefix, "" for none). Throwing fails the call as S3 would fail it.
     */
    public static BlobStore onCall(BlobStore real, BiConsumer<String, String> before) {
        return new ForwardingBlobStore(hooked(real, name -> before.accept("get", name), options -> before.accept("list",
                options.getPrefix() != null ? options.getPrefix() : options.getDir() != null ? options.getDir() : ""))) {
            @Override
            public Blob getBlob(String container, String name) {
                return getBlob(container, name, GetOptions.NONE);
            }

            @Override
            public Blob getBlob(String container, String name, GetOptions options) {
                if (!name.endsWith("/manifest.json")) { // a manifest's is hooked by the store within
                    before.accept("get", name);
                }
                return super.getBlob(container, name, options);
            }

            @Override
            public org.jclouds.blobstore.domain.BlobMetadata blobMetadata(String container, String name) {
                before.accept("head", name);
                return super.blobMetadata(container, name);
            }

            @Override
            public String putBlob(String container, Blob blob) {
                before.accept("put", blob.getMetadata().getName());
                return super.putBlob(container, blob);
            }

            @Override
            public String putBlob(String container, Blob blob, org.jclouds.blobstore.options.PutOptions options) {
                before.accept("put", blob.getMetadata().getName());
                return super.putBlob(container, blob, options);
            }

            @Override
            public void removeBlob(String container, String name) {
                before.accept("delete", name);
                super.removeBlob(container, name);
            }

            @Override
            public void removeBlobs(String container, Iterable<String> names) {
                names.forEach(name -> before.accept("delete", name));
                super.removeBlobs(container, names);
            }

            @Override
            public org.jclouds.blobstore.domain.MultipartUpload initiateMultipartUpload(String container,
                    org.jclouds.blobstore.domain.BlobMetadata blob, org.jclouds.blobstore.options.PutOptions options) {
                before.accept("initiate", blob.getName());
                return super.initiateMultipartUpload(container, blob, options);
            }

            @Override
            public org.jclouds.blobstore.domain.MultipartPart uploadMultipartPart(org.jclouds.blobstore.domain.MultipartUpload upload,
                                                                                  int part, org.jclouds.io.Payload payload) {
                before.accept("part", upload.blobName());
                return super.uploadMultipartPart(upload, part, payload);
            }

            @Override
            public String completeMultipartUpload(org.jclouds.blobstore.domain.MultipartUpload upload,
                                                  java.util.List<org.jclouds.blobstore.domain.MultipartPart> parts) {
                before.accept("complete", upload.blobName());
                return super.completeMultipartUpload(upload, parts);
            }
        };
    }

    /** What a hook throws for S3's 503: the store not serving (S3Proxy answers the call with that status). */
    public static RuntimeException unavailable(String why) {
        return new org.jclouds.http.HttpResponseException(why, null, org.jclouds.http.HttpResponse.builder().statusCode(503).build());
    }
}
