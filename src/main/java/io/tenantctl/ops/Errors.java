package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.FerretErrors;

/** Turns a per-org failure into the one line recorded in run_items and shown in summaries; stops interrupted work. */
public final class Errors {

    private Errors() {
    }

    /**
     * Whether a rollout's line {@code o} (of its result, or read back from its run) is its refusal of an org whose database
     * is gone (a re-run refuses it again): by the {@code database_gone} its item records, not by its message's wording.
     */
    public static boolean dataGone(io.tenantctl.ops.run.RunReport.Org o) {
        return SchemaApply.dataGone(o.detailJson());
    }

    public static String oneLine(Throwable t) {
        if (t instanceof TenantctlException || t instanceof SchemaApply.StepFailure) {
            return t.getMessage();
        }
        return FerretErrors.describe(t);
    }

    /**
     * A failure that reached the command unnamed ({@code t}: a driver's error, a step's, no op's own line) that is a pool's
     * silence (its connection lost, refused, timed out), as the config error (exit 3) it is, not a bug. The server it names
     * is looked up among the pools of {@code ctx}'s catalog (null: the command has none open, none looked up): the one there
     * is named by its id, its address after it, "pool P (at HOST:PORT) does not answer: why — see 'tenantctl pools stats
     * P'"; an address no pool has is said as "a pool at HOST:PORT stopped answering … 'tenantctl pools stats' names which".
     * This process's own want of descriptors is said as such. Empty for anything else, and for a Ctrl-C that cut a retry
     * short (that is an interruption). A pool's silence is a {@link io.tenantctl.pool.PoolSilentException}, as the named
     * ones are (only the command's error handler calls this: no run item records it).
     */
    public static java.util.Optional<TenantctlException> unnamedPoolSilence(Throwable t, OpsContext ctx) {
        if (t instanceof TenantctlException || !FerretErrors.notAnswering(t) || io.tenantctl.pool.Retry.cutShort(t)) {
            return java.util.Optional.empty();
        }
        java.util.Optional<io.tenantctl.OutOfDescriptorsException> ours = io.tenantctl.OutOfDescriptorsException.in(t);
        if (ours.isPresent()) {
            return java.util.Optional.of(ours.get());
        }
        java.util.Set<String> at = servers(t);
        java.util.List<String> named = at.isEmpty() || ctx == null ? java.util.List.of() : pools(ctx).stream()
                .filter(p -> !java.util.Collections.disjoint(at, io.tenantctl.pool.PoolUri.stored(p.uri()).servers()))
                .map(io.tenantctl.catalog.Pool::poolId).sorted().toList();
        String where = String.join(", ", at);
        if (!named.isEmpty()) { // two rows naming one server are one pool to its silence
            String ids = String.join(" and ", named);
            return java.util.Optional.of(new io.tenantctl.pool.PoolSilentException((named.size() == 1 ? "pool " : "pools ") + ids + " (at " + where + ") "
                    + (named.size() == 1 ? "does" : "do") + " not answer: " + oneLine(t) + " — see 'tenantctl pools stats"
                    + (named.size() == 1 ? " " + ids : "") + "', then run it again", t));
        }
        return java.util.Optional.of(new io.tenantctl.pool.PoolSilentException("a pool" + (at.isEmpty() ? "" : " at " + where)
                + " stopped answering: " + oneLine(t) + " — 'tenantctl pools stats' names which pool does not answer; run it again once it answers", t));
    }

    /**
     * A catalog lost ({@code t}) once this process recorded run {@code run} (its report read, a step after it), where no
     * run-stopped line named it: the same line, the run named with what says what it did once the catalog is back, so that
     * the operator knows which run to look at. Empty for anything else, for a failure that names its run already, and when
     * no run was recorded ({@code run} null).
     */
    public static java.util.Optional<TenantctlException> catalogLostAfter(Throwable t, CancelToken.Working run) {
        if (run == null || !(t instanceof TenantctlException te) || te.runId() != null || io.tenantctl.catalog.Catalog.Unreachable.in(t).isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new TenantctlException(te.category(), te.getMessage() + "; run " + run.runId() + " was recorded: "
                + "once the catalog answers, 'tenantctl runs show " + run.runId() + "' says what it did", te).withRunId(run.runId()));
    }

    /** The catalog's pools, or none when it cannot list them now (an error being said: never a second one). */
    private static java.util.List<io.tenantctl.catalog.Pool> pools(OpsContext ctx) {
        try {
            return ctx.catalog().pools().list();
        } catch (RuntimeException e) {
            return java.util.List.of();
        }
    }

    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("\\baddress=([^,}\\s]+)");

    /**
     * The servers (host:port, lower case) a pool's silence {@code t} names: its socket error's, else those a server
     * selection's timeout lists in its view of the cluster ("servers=[{address=127.0.0.1:27018, …").
     */
    private static java.util.Set<String> servers(Throwable t) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        TenantctlException.causeOf(t, com.mongodb.MongoSocketException.class)
                .ifPresent(s -> out.add(s.getServerAddress().toString().toLowerCase(java.util.Locale.ROOT)));
        if (out.isEmpty()) {
            TenantctlException.causeOf(t, com.mongodb.MongoTimeoutException.class).map(Throwable::getMessage).ifPresent(m -> {
                java.util.regex.Matcher a = ADDRESS.matcher(m);
                while (a.find()) {
                    out.add(a.group(1).toLowerCase(java.util.Locale.ROOT));
                }
            });
        }
        return out;
    }

    /**
     * Why a backup could not be written to {@code store}, in one line. A store whose file system is full (ENOSPC, or a
     * quota: EDQUOT) says so and what to do: "cannot write to …: No space left on device" with a "next: tenantctl backup
     * --org ORG" that fails the same way told an operator at 3 a.m. what broke but not how out.
     */
    static String cannotBackUpTo(io.tenantctl.store.ObjectStore store, Exception e) {
        String why = e instanceof java.io.IOException ? "cannot write to " + store.describe() + ": " + e.getMessage() : oneLine(e);
        return io.tenantctl.store.StoreFullException.in(store.describe(), e).isPresent()
                ? why + "; the store is full: " + io.tenantctl.store.StoreFullException.REMEDY + ", then back up again" : why;
    }

    /**
     * What a backup to {@code store} that failed on {@code e} failed of: the store's being full (a
     * {@link io.tenantctl.store.StoreFullException}, on which a run stops: every next org would fail alike after its whole
     * database was read), or {@code e} itself.
     */
    static Throwable backUpFailedOf(io.tenantctl.store.ObjectStore store, Exception e) {
        return io.tenantctl.store.StoreFullException.in(store.describe(), e).<Throwable>map(f -> f).orElse(e);
    }

    /**
     * {@code error}, what work that threw {@code e} says of it: when a Ctrl-C cut short the backoff of a call the pool
     * failed that was to be retried ({@link io.tenantctl.pool.Retry#cutShort}), that it was interrupted, not failed by it.
     */
    public static String cutShort(Throwable e, String error) {
        return io.tenantctl.pool.Retry.cutShort(e) ? "interrupted (while a call the pool failed waited to be retried: " + error + ")" : error;
    }

    /** Why a deleting verb (prune, gc, purge) stopped by Ctrl-C/SIGTERM kept what it had not reached. */
    static final String NOT_REACHED = "interrupted (Ctrl-C/SIGTERM) before it was reached: nothing done; run it again";

    /** Throws an INTERRUPTED failure ("interrupted " + {@code when}) once {@code cancel} is set (Ctrl-C, SIGTERM). */
    static void stopIfCancelled(CancelToken cancel, String when) {
        stopIf(cancel.isCancelled(), when);
    }

    /** As {@link #stopIfCancelled(CancelToken, String)}, for an op that reads only (its context knows of Ctrl-C). */
    static void stopIfCancelled(OpsContext ctx, String when) {
        stopIf(ctx.retry().cancelled(), when);
    }

    private static void stopIf(boolean cancelled, String when) {
        if (cancelled) {
            throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted " + when);
        }
    }

    /**
     * Waits while {@code busy} names what is in the way (null once nothing is), asking it again every {@code pollNanos}.
     * The wait is said once on stderr: one that says nothing looks hung at 3 a.m. Ctrl-C/SIGTERM ends it at once (exit
     * 130): "stopped waiting: " + what was in the way + {@code after}. A caller that must not wait throws its refusal from
     * {@code busy}.
     */
    public static void waitWhile(OpsContext ctx, CancelToken cancel, long pollNanos, java.util.function.Supplier<String> busy, String after) {
        boolean said = false;
        for (String what = busy.get(); what != null; what = busy.get()) {
            if (!said) {
                ctx.notices().accept("waiting (--wait): " + what + "; Ctrl-C stops waiting");
                said = true;
            }
            if (!cancel.pause(pollNanos)) {
                throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "stopped waiting: " + what + after);
            }
        }
    }
}
