package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Pool;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.fanout.Fanout;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pings every pool a fan-out is about to touch, all at once, so a dead pool costs one connect timeout and fails
 * its own orgs with one clear message instead of every org waiting out its retries.
 */
public final class PoolHealth {

    private PoolHealth() {
    }

    /** The active pools with room that do not answer: where placing a new org would put it on a dead pool. */
    static Map<String, String> unreachableWithRoom(OpsContext ctx) {
        return unreachable(ctx, ctx.catalog().pools().list().stream().filter(p -> Pool.ACTIVE.equals(p.status()) && p.orgCount() < p.capacity())
                .toList());
    }

    /** pool id → why it is unreachable, for the pools that did not answer. */
    public static Map<String, String> unreachable(OpsContext ctx, List<Pool> pools) {
        Map<String, String> dead = new ConcurrentHashMap<>();
        failures(ctx, pools).forEach((pool, e) -> dead.put(pool, Errors.oneLine(e)));
        return dead;
    }

    /** As {@link #unreachable}, each pool's failure itself ({@link #failure}): the run engine's check of a dry run's pools. */
    public static Map<String, RuntimeException> failures(OpsContext ctx, List<Pool> pools) {
        Map<String, RuntimeException> dead = new ConcurrentHashMap<>();
        if (pools.isEmpty()) {
            return dead;
        }
        List<Fanout.Item> items = pools.stream().map(p -> new Fanout.Item(p.poolId(), p.poolId())).toList();
        Map<String, Pool> byId = new ConcurrentHashMap<>();
        pools.forEach(p -> byId.put(p.poolId(), p));
        Fanout.run(items, new Fanout.Settings(1, pools.size(), 0), item -> {
            Pool p = byId.get(item.id());
            failure(ctx, p).ifPresent(e -> dead.put(p.poolId(), e));
            return null;
        }, new Fanout.Listener<>() {
        }, new CancelToken()).outcomes().forEach(o -> io.tenantctl.OutOfDescriptorsException.throwIfOurs(o.error())); // not a dead pool
        return dead;
    }

    /**
     * Why {@code pool} is unreachable, for after "pool P does not answer" ({@link #pingWhy}: not the ping's own "pool P (…)
     * is unreachable", which would name the pool twice), or empty when it answers a ping (see {@link #ping}).
     */
    public static Optional<String> check(OpsContext ctx, Pool pool) {
        return failure(ctx, pool).map(PoolHealth::pingWhy);
    }

    /**
     * As {@link #check}, the ping's failure itself (said in one line by {@link Errors#oneLine}): a
     * {@link io.tenantctl.pool.PoolSilentException} where the pool did not answer, what a run records of the orgs it fails
     * for it (the run engine's check); else what the pool said (tenantctl's credentials refused, a URI it cannot use).
     */
    public static Optional<RuntimeException> failure(OpsContext ctx, Pool pool) {
        try {
            ping(ctx, pool);
            return Optional.empty();
        } catch (RuntimeException e) {
            io.tenantctl.OutOfDescriptorsException.throwIfOurs(e); // this process's want of a socket, not a dead pool
            return Optional.of(e);
        }
    }

    /**
     * A config error (exit 3) naming {@code pool} unless it answers a ping: for a single-org command that needs it
     * ({@code role}: "the move's target", …), before anything is recorded or read. A pool that did not answer is a
     * {@link io.tenantctl.pool.PoolSilentException}, as every other pool's silence; one that answered with a refusal
     * (tenantctl's credentials, a URI it cannot use) is not.
     */
    static void require(OpsContext ctx, Pool pool, String role) {
        failure(ctx, pool).ifPresent(e -> {
            throw io.tenantctl.pool.PoolSilentException.in(e).isPresent()
                    ? new io.tenantctl.pool.PoolSilentException(doesNotAnswer(pool, role, pingWhy(e)), null)
                    : TenantctlException.config(refused(pool, role, e));
        });
    }

    /**
     * A ping's refusal (it answered and said no; or its URI cannot be used) as {@link #require} says it: "pool P (role)
     * refused tenantctl's credentials: … — check ${VAR} against the pool's user …, then run this again", or the ping's
     * own line (an unset ${VAR}, a URI the driver refuses: each says what to do) with the role after the pool; the pool named once.
     */
    static String refused(Pool pool, String role, RuntimeException e) {
        String subject = "pool " + pool.poolId();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof com.mongodb.MongoSecurityException refusal) {
                List<String> vars = io.tenantctl.pool.PoolUri.stored(pool.uri()).variables().stream().map(v -> "${" + v + "}").toList();
                return subject + " (" + role + ") refused tenantctl's credentials: " + io.tenantctl.pool.FerretErrors.describe(refusal)
                        + " — check " + (vars.isEmpty() ? "the user and password in its URI" : String.join(", ", vars)) + " against the pool's user"
                        + " (or give it others: tenantctl pools set-uri " + pool.poolId() + " --uri …), then run this again";
            }
        }
        String said = Errors.oneLine(e);
        return said.startsWith(subject + ":") ? subject + " (" + role + ")" + said.substring(subject.length())
                : said.startsWith(subject + " (") ? subject + " (" + role + ", " + said.substring(subject.length() + 2)
                : subject + " (" + role + "): " + said;
    }

    /**
     * {@code e}, a call to {@code pool} that failed, as the config error (exit 3) "pool P does not answer: why — see
     * 'tenantctl pools stats P'" when it failed for the pool's silence (lost, refused, timed out; not this process's want
     * of descriptors, nor a Ctrl-C that cut its retries short); else {@code e} itself. Its cause is {@code e}.
     */
    static RuntimeException notAnswering(Pool pool, RuntimeException e) {
        io.tenantctl.OutOfDescriptorsException.throwIfOurs(e);
        if (!io.tenantctl.pool.FerretErrors.notAnswering(e) || io.tenantctl.pool.Retry.cutShort(e)) {
            return e;
        }
        return new io.tenantctl.pool.PoolSilentException("pool " + pool.poolId() + " does not answer: " + Errors.oneLine(e) + " — see 'tenantctl pools stats "
                + pool.poolId() + "', then run it again", e);
    }

    /** Why a call to a pool failed, in one line: for a {@link #notAnswering} error, what the pool's call said (no second 'pools stats'). */
    static String why(RuntimeException e) {
        return Errors.oneLine(e instanceof TenantctlException && e.getCause() instanceof RuntimeException cause
                && io.tenantctl.pool.FerretErrors.notAnswering(e) ? cause : e);
    }

    /**
     * What a ping that failed said, for after "pool P does not answer: ": the why and the advice (a TLS-only pool: add
     * tls=true) it carries apart from its own "pool P (…) is unreachable" ({@link io.tenantctl.pool.PoolUnreachableException}),
     * the pool named once; what any other failure said ({@link #why}).
     */
    static String pingWhy(RuntimeException e) {
        return e instanceof io.tenantctl.pool.PoolUnreachableException ping ? ping.why() + ping.advice() : why(e);
    }

    /** "pool P (role) does not answer: why — see 'tenantctl pools stats P'": one line, with where to look next (no role: null). */
    static String doesNotAnswer(Pool pool, String role, String why) {
        return "pool " + pool.poolId() + (role == null ? "" : " (" + role + ")") + " does not answer: " + why + " — see 'tenantctl pools stats "
                + pool.poolId() + "'";
    }

    /**
     * "pool P does not answer: why — see 'tenantctl pools stats P'" unless {@code pool} answers a ping ({@link #check}), as
     * delete says it: the pool named once, {@code why} the ping's own error without its "pool P (…) is unreachable" ({@link #pingWhy}).
     */
    static Optional<String> silence(OpsContext ctx, Pool pool) {
        return failure(ctx, pool).map(e -> doesNotAnswer(pool, null, pingWhy(e)));
    }

    /**
     * One ping, and one more if the first lost its connection (reset, closed mid-reply): a single dropped connection
     * must not call a live pool unreachable and fail all of its orgs. A timeout is not tried again: it has already
     * cost the whole connect timeout, and a dead pool must stay one timeout.
     */
    static void ping(OpsContext ctx, Pool p) {
        try {
            ctx.pools().ping(p.poolId(), p.uri());
        } catch (RuntimeException e) {
            if (!io.tenantctl.pool.FerretErrors.lostConnection(e)) {
                throw e;
            }
            ctx.pools().ping(p.poolId(), p.uri());
        }
    }
}
