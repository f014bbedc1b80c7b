package io.tenantctl.cli;

import picocli.CommandLine.Option;

/** A pool's URI and whether literal secrets in it may be moved out into placeholders: pools add and pools set-uri. */
final class PoolUriOptions {

    @Option(names = "--uri", required = true, paramLabel = "URI", description = "mongodb:// URI, e.g. mongodb://app:${POOL3_PASSWORD}@ferret-3:27017/")
    String uri;

    @Option(names = "--allow-inline-password", description = {"Accept literal secrets in the URI (password, secret query options): "
            + "tenantctl moves each into a ${TENANTCTL_POOL_<POOL>_<NAME>} placeholder and says which variables to set; "
            + "the catalog never stores a secret."})
    boolean allowInlinePassword;
}
