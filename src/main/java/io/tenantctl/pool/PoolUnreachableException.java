package io.tenantctl.pool;

/**
 * A pool's ping that failed ({@link PoolClients#ping}): "pool P (URI) is unreachable: why[advice]", its parts kept
 * apart, so that "pool P does not answer: why[advice] — see 'tenantctl pools stats P'" is made from them, the pool named
 * once, without cutting its own line apart by text.
 */
public final class PoolUnreachableException extends PoolSilentException {

    private final String why;
    private final String advice;

    PoolUnreachableException(String poolId, String redactedUri, String why, String advice, Throwable cause) {
        super(PoolUri.subject(poolId) + " (" + redactedUri + ") is unreachable: " + why + advice, cause);
        this.why = why;
        this.advice = advice;
    }

    /** What the ping met, in one line: "timed out waiting for the server (…)", what the pool answered instead. */
    public String why() {
        return why;
    }

    /** What to do that the ping knows of, said after {@link #why} ("; if the pool requires TLS …, add tls=true …"), or "". */
    public String advice() {
        return advice;
    }
}
