package io.tenantctl.ops.run;

import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.OrgLeaseRepository;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.ops.OpsContext;


/**
 * One operation per org at a time. Whatever mutates an org takes its lease here first; the worker's heartbeat renews
 * it ({@link RunEngine}) and it is released when the operation ends. A lease whose holder died expires; the next
 * operation on the org gets it, after {@link Recoverer} has finished or undone what the dead holder left, by the state
 * it recorded.
 */
public final class OrgLeases {

    /** Finishes or undoes what a dead holder left on an org; returns what it did (for logs and errors), or null. */
    @FunctionalInterface
    public interface Recoverer {
        String recover(OrgLeaseRepository.Lease expired);

        Recoverer NONE = lease -> null;
    }

    /** The outcome of {@link #take}: taken, or refused with a message naming the holder and the run it works for (or null). */
    public record Taken(boolean ok, String refusal, String recovered, String holderRun) {
    }

    private final OpsContext ctx;
    private final Worker me;
    private final Recoverer recoverer;

    public OrgLeases(OpsContext ctx, Worker me, Recoverer recoverer) {
        this.ctx = ctx;
        this.me = me;
        this.recoverer = recoverer;
    }

    /**
     * Takes the org's lease for {@code operation} (in run {@code runId}, or null); recovers an expired one first, and one
     * whose holder is a process of this host that is gone, at once.
     */
    public Taken take(String orgId, String operation, String runId) {
        OrgLeaseRepository leases = ctx.catalog().leases();
        OrgLeaseRepository.Acquired a = leases.acquire(orgId, me.id(), me.host(), me.pid(), operation, runId, null,
                RunEngine.LEASE_SECONDS);
        if (!a.taken() && a.previous() != null && Worker.parse(a.previous().holder()).knownDeadFrom(me)) {
            // its holder is a process of this host that is gone (a kill -9): recovered now, not a lease's length later
            leases.expire(orgId, a.previous().holder());
            a = leases.acquire(orgId, me.id(), me.host(), me.pid(), operation, runId, null, RunEngine.LEASE_SECONDS);
        }
        if (!a.taken()) {
            return new Taken(false, describeHolder(a.previous()), null, a.previous().runId());
        }
        String recovered = null;
        if (a.previous() != null && a.previous().expired()) {
            try {
                recovered = recoverer.recover(a.previous());
            } catch (RuntimeException e) {
                leases.release(orgId, me.id());
                throw e;
            }
        }
        return new Taken(true, null, recovered, null);
    }

    /** The org's live holder (as a refusal names it), unless it is a process of this host that is gone (a kill -9). */
    public java.util.Optional<String> liveHolder(String orgId) {
        return live(orgId).map(OrgLeases::describeHolder);
    }

    private java.util.Optional<OrgLeaseRepository.Lease> live(String orgId) {
        return ctx.catalog().leases().findLive(orgId).filter(l -> !Worker.parse(l.holder()).knownDeadFrom(me));
    }

    /**
     * What a dry run of a command that takes the org's lease says of its live holder, taking nothing: without {@code wait}
     * the refusal the command meets (exit 3); with it, on stderr, that the command would wait for that holder.
     */
    public void dryRun(String orgId, boolean wait) {
        dryRun(orgId, wait, holder -> "planned here as it is now");
    }

    /**
     * As {@link #dryRun(String, boolean)}; {@code plannedAs} says, of the holder it would wait for, on what the plan is made;
     * returns that holder (empty when nobody live holds the org).
     */
    public java.util.Optional<OrgLeaseRepository.Lease> dryRun(String orgId, boolean wait,
                                                               java.util.function.Function<OrgLeaseRepository.Lease, String> plannedAs) {
        java.util.Optional<OrgLeaseRepository.Lease> holder = live(orgId);
        holder.ifPresent(l -> {
            if (!wait) {
                throw io.tenantctl.TenantctlException.config(busy(describeHolder(l)));
            }
            ctx.notices().accept("dry run: would wait (--wait): " + describeHolder(l) + "; what it then does is decided on the org as that "
                    + "leaves it, " + plannedAs.apply(l));
        });
        return holder;
    }

    /** This worker as the holder of its org leases (org_leases.holder). */
    public String holder() {
        return me.id();
    }

    /** Records what this holder has done so far, so that whoever finds the lease expired can finish or undo it. */
    public void record(String orgId, String stateJson) {
        ctx.catalog().leases().setState(orgId, me.id(), stateJson);
    }

    public void release(String orgId) {
        ctx.catalog().leases().release(orgId, me.id());
    }

    /**
     * This worker's heartbeat, until shut down: every quarter of a lease, the heartbeat of the run {@code runId} gives
     * (none while it gives null) and every org lease of this worker renewed. A beat that fails is tried again at the next
     * (a scheduled task that throws is never run again); a lost lease only means another worker may redo an org.
     */
    java.util.concurrent.ScheduledExecutorService heartbeat(java.util.function.Supplier<String> runId) {
        java.util.concurrent.ScheduledExecutorService beat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat.scheduleAtFixedRate(() -> {
            try {
                String run = runId.get();
                if (run != null) {
                    ctx.catalog().runs().renew(run, me.id(), RunEngine.LEASE_SECONDS);
                }
                ctx.catalog().leases().renew(me.id(), RunEngine.LEASE_SECONDS);
            } catch (RuntimeException | OutOfMemoryError ignored) {
                // the next beat tries again
            }
        }, RunEngine.LEASE_SECONDS / 4, RunEngine.LEASE_SECONDS / 4, java.util.concurrent.TimeUnit.SECONDS);
        return beat;
    }

    /** An org lease held outside a run (restore): renewed by its own heartbeat until closed, then released. */
    public final class Held implements AutoCloseable {
        private final String orgId;
        private final java.util.concurrent.ScheduledExecutorService beat;
        private final String recovered;
        /** The run this operation records (a restore's), beaten for by the same heartbeat; null until {@link #startRun}. */
        private volatile String runId;

        private Held(String orgId, String recovered) {
            this.orgId = orgId;
            this.recovered = recovered;
            this.beat = heartbeat(() -> runId);
        }

        /** What recovering a dead holder's lease on the org did before this one was taken (null if nothing). */
        public String recovered() {
            return recovered;
        }

        public void record(String stateJson) {
            OrgLeases.this.record(orgId, stateJson);
        }

        /** Whether this holder still has the org's lease (one catalog round trip): not expired and taken over meanwhile. */
        public boolean stillHeld() {
            return OrgLeases.this.stillHeld(orgId);
        }

        /**
         * Records a run of one org ({@code orgId}'s item pending) with this worker beating for it from its creation
         * (heartbeat_by), and renews the run's heartbeat with the lease's from now on, as the run engine does for the runs
         * its creator works on: so 'runs list' shows the run abandoned once this process is gone (at once on this host, a
         * lease later elsewhere) instead of running for ever — killed before it started its org, too. Returns the run id.
         */
        public String startRun(String verb, String argsJson, String actor, String orgId) {
            String id = ctx.catalog().runs().start(verb, argsJson, actor,
                    java.util.List.of(new RunRepository.NewItem(orgId, null, 0, ItemStatus.PENDING, null)), null, me.id());
            this.runId = id;
            return id;
        }

        @Override
        public void close() {
            beat.shutdownNow();
            release(orgId);
        }
    }

    /**
     * How often an operation that waits for an org (--wait) asks for its lease again: the holder in another process says
     * nothing when it lets go, so this is how late the wait notices (each ask is one failed insert, cheap).
     */
    static final long WAIT_POLL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);

    /**
     * Takes the org's lease for an operation outside a run, with a heartbeat, or refuses (exit 3) naming the holder;
     * with {@code wait}, waits for the holder to finish (Ctrl-C stops waiting).
     */
    public Held hold(String orgId, String operation, boolean wait, io.tenantctl.fanout.CancelToken cancel) {
        java.util.concurrent.atomic.AtomicReference<Taken> taken = new java.util.concurrent.atomic.AtomicReference<>();
        io.tenantctl.ops.Errors.waitWhile(ctx, cancel, WAIT_POLL_NANOS, () -> {
            Taken t = take(orgId, operation, null);
            taken.set(t);
            if (!t.ok() && !wait) {
                throw io.tenantctl.TenantctlException.config(busy(t.refusal()));
            }
            return t.ok() ? null : t.refusal();
        }, "");
        return new Held(orgId, said(taken.get().recovered()));
    }

    /** What an operation refused on a held org says ({@code refusal} names the holder): how to get past it. */
    public static String busy(String refusal) {
        return refusal + ": wait for it to finish, or pass --wait";
    }

    /** A lease taken with its heartbeat ({@code held}), or why not ({@code refusal}). */
    public record Attempt(Held held, String refusal) {
    }

    /** Takes the org's lease with a heartbeat, or says who holds it, without waiting: for work that skips a busy org. */
    public Attempt tryHold(String orgId, String operation) {
        Taken t = take(orgId, operation, null);
        return t.ok() ? new Attempt(new Held(orgId, said(t.recovered())), null) : new Attempt(null, t.refusal());
    }

    /** What recovering a dead holder's lease did, told the operator (a notice) as a command's sweep tells it. */
    private String said(String recovered) {
        if (recovered != null) {
            ctx.notices().accept(recovered);
        }
        return recovered;
    }

    /**
     * Whether this worker still holds {@code orgId}'s lease: not expired, not taken over. A heartbeat that could not reach
     * the catalog for a lease period lets another operation take the org; work under the lease must stop then.
     */
    public boolean stillHeld(String orgId) {
        return ctx.catalog().leases().findLive(orgId).filter(l -> l.holder().equals(me.id())).isPresent();
    }

    /** "org acme is being restored by host/pid (run R) since T (42 s)" */
    static String describeHolder(OrgLeaseRepository.Lease l) {
        String since = l.acquiredAt() == null ? "" : " since " + l.acquiredAt() + " ("
                + l.heldSeconds() + " s)"; // by the catalog's clock, which stamped acquired_at
        return "org " + l.orgId() + " is busy: " + l.operation() + " by " + l.holder() + (l.runId() == null ? "" : " (run " + l.runId() + ")")
                + since + "; one operation per org at a time";
    }
}
