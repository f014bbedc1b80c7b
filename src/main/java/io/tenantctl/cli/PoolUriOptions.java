package io.tenantctl.cli;

import picocli.CommandLine.Option;

/**
 * A pool's URI, whether literal secrets in it may be moved out into placeholders, and whether it is taken without the ping
 * that refuses a server that does not answer: pools add and pools set-uri.
 */
final class PoolUriOptions {

    @Option(names = "--uri", required = true, paramLabel = "URI", description = "mongodb:// URI, e.g. mongodb://app:${POOL3_PASSWORD}@ferret-3:27017/")
    String uri;

    @Option(names = "--allow-inline-password", description = {"Accept literal secrets in the URI (password, secret query options): "
            + "tenantctl moves each into a ${TENANTCTL_POOL_<POOL>_<NAME>} placeholder and says which variables to set; "
            + "the catalog never stores a secret."})
    boolean allowInlinePassword;

    @Option(names = "--allow-unreachable", description = {"Take the URI without pinging it: a pool (or server) that is not up yet. "
            + "Otherwise one that does not answer (or refuses tenantctl's credentials, or whose ${VAR} is not set here) is refused, "
            + "nothing changed; provision passes over a pool that does not answer."})
    boolean allowUnreachable;
}
