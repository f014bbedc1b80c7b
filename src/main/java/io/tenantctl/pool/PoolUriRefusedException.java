package io.tenantctl.pool;

import io.tenantctl.TenantctlException;

/**
 * A pool's URI, as the catalog holds it, is one the MongoDB driver refuses before sending anything (a port out of range,
 * an authMechanism it does not know, a number its client refuses, or a variable whose value breaks it): CONFIG (exit 3)
 * like a pool that does not answer, but about the URI, not the network or the server. verify files it as
 * {@code pool_uri_invalid}, never {@code pool_unreachable}. Its message names the pool and its URI masked.
 */
public final class PoolUriRefusedException extends TenantctlException {

    /** The ${VAR}s whose values broke a URI the driver reads with them as placeholders; empty when the URI itself is refused. */
    private final java.util.List<String> variables;

    PoolUriRefusedException(String message, java.util.List<String> variables) {
        super(Category.CONFIG, message);
        this.variables = java.util.List.copyOf(variables);
    }

    public java.util.List<String> variables() {
        return variables;
    }

    /** The refusal behind {@code t} (itself, or one of its causes), if that is what it is. */
    public static java.util.Optional<PoolUriRefusedException> in(Throwable t) {
        return causeOf(t, PoolUriRefusedException.class);
    }
}
