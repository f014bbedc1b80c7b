package io.tenantctl.pool;

import io.tenantctl.TenantctlException;

/**
 * A pool that did not answer (its connection lost, refused, timed out): its ping ("pool P (…) is unreachable: …"), a call
 * to it that it stopped answering ("pool P does not answer: …"), a single-org command's check of a pool it needs ("pool P
 * (role) does not answer: …"), or a silence no op named, said by the command's error handler ("pool P (at HOST) does not
 * answer: …", "a pool at HOST stopped answering: …"). CONFIG (exit 3) for a single-org command; an org of a
 * fan-out that meets it fails, and its run records it as its pool's silence ({@code pool_silent} in the item's detail),
 * which the failures are grouped by, however the message is worded. {@link #in(Throwable)} finds it behind an org's failure.
 */
public class PoolSilentException extends TenantctlException {

    public PoolSilentException(String message, Throwable cause) {
        super(Category.CONFIG, message, cause);
    }

    /** The pool's silence behind {@code t} (itself, or one of its causes), if that is what it is. */
    public static java.util.Optional<PoolSilentException> in(Throwable t) {
        return causeOf(t, PoolSilentException.class);
    }
}
